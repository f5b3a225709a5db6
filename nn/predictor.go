package nn

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/simdnn/simdnn/internal/freelist"
	"github.com/simdnn/simdnn/kernels"
)

// Predictor runs a trained model's forward pass for inference. Unlike the
// model, it is safe for concurrent use by any number of goroutines: a
// server builds one and shares it among all its handlers. Make one with
// [Sequential.Predictor].
//
// A Predictor holds its own copy of the model's weights, taken when it is
// built and only read afterwards. Training the model, or loading other
// weights into it, does not change the Predictor: build a new one to
// serve the new weights.
//
// Its output for a batch is the model's Forward output for the same batch,
// bit for bit: both run each Dense layer as one kernels.SgemmBiasAct call
// with the same arguments, and each other activation with the same
// kernel. (As with Forward, a sample's output may differ in its last bits
// from one batch size to another, because the kernels choose their
// algorithm by the shape of the product.)
//
// A call takes the buffers of its intermediate results from a pool the
// Predictor keeps, so that once a batch size has been seen (by as many
// goroutines at once as GOMAXPROCS) a call allocates nothing. The pool
// keeps the buffers of the largest batch seen.
type Predictor struct {
	// in and out are the model's widths. in = 0 for a model without Dense
	// layers, which takes any width and gives as many columns (out = 0).
	in, out int
	steps   []step
	// inner is the widest intermediate result, in columns, the width of
	// the two scratch buffers the steps alternate between (unused when
	// in = 0, where every width is the input's).
	inner int
	// softmax is set when the last step is a softmax: the output is
	// probabilities already.
	softmax bool
	scratch freelist.List[scratch]
}

// step is one kernel call of the forward pass: a Dense layer (w != nil),
// with the activation fused into it, or an activation on its own.
type step struct {
	in, out int       // a Dense layer's widths
	w, b    []float32 // its weight [out × in] and bias [out], the Predictor's own copies
	act     kernels.Activation

	kind  activationKind // an activation's
	slope float32
}

// scratch holds the buffers of one call.
type scratch struct {
	buf [2][]float32 // intermediate results, rows × inner each
	out []float32    // the output, when the caller gives no Matrix for it (Classes)
}

// Predictor returns a [Predictor] that runs the model on a copy of its
// current weights, safe for concurrent use. It knows the layers of this
// package (Dense, the activations, nested Sequentials); a model that holds
// any other Layer gets an error naming it, because a Predictor cannot know
// whether that layer's Forward may run on several goroutines at once.
func (s *Sequential) Predictor() (*Predictor, error) {
	p := &Predictor{in: s.in, out: s.out}
	width := s.in
	if err := p.add(s.layers, "", &width); err != nil {
		return nil, fmt.Errorf("nn.Sequential.Predictor: %w", err)
	}
	if p.in != 0 {
		p.out = width // what the layers give now, should a Dense have been changed
	}
	// Every step but the last writes a scratch buffer, as wide as its
	// output: a Dense layer's, or for an activation its input's.
	width = p.in
	for i, st := range p.steps {
		if st.w != nil {
			width = st.out
		}
		if i < len(p.steps)-1 {
			p.inner = max(p.inner, width)
		}
	}
	if n := len(p.steps); n > 0 {
		p.softmax = p.steps[n-1].w == nil && p.steps[n-1].kind == actSoftmax
	}
	return p, nil
}

// add appends the steps of layers, whose indices in the model start with
// path, to p. width is the number of columns the next layer gets (0:
// unknown, any), which add updates.
func (p *Predictor) add(layers []Layer, path string, width *int) error {
	for i, l := range layers {
		if isNil(l) {
			return fmt.Errorf("layer %s%d is a nil %T", path, i, l)
		}
		switch l := l.(type) {
		case *Dense:
			// Dense's fields are exported: check that they still
			// describe a layer that fits in the model.
			if l.Weight == nil || l.Bias == nil || l.In <= 0 || l.Out <= 0 || len(l.Weight.Value) != l.In*l.Out || len(l.Bias.Value) != l.Out {
				return fmt.Errorf("layer %s%d, %v, is malformed (a nil parameter, or lengths that do not match In×Out and Out)", path, i, l)
			}
			if *width != 0 && l.In != *width {
				return fmt.Errorf("layer %s%d, %v, takes %d columns but gets %d", path, i, l, l.In, *width)
			}
			p.steps = append(p.steps, step{
				in: l.In, out: l.Out,
				w: slices.Clone(l.Weight.Value), b: slices.Clone(l.Bias.Value),
				act: l.act,
			})
			*width = l.Out
		case *Activation:
			// The Dense layer before a fused activation applies
			// it, and the identity does nothing: Forward passes
			// its input through in both cases.
			if !l.fused && l.kind != actIdentity {
				p.steps = append(p.steps, step{kind: l.kind, slope: l.slope})
			}
		case *Sequential:
			if err := p.add(l.layers, path+strconv.Itoa(i)+".", width); err != nil {
				return err
			}
		case *Dropout:
			// Inference: dropout passes its input through.
		default:
			return fmt.Errorf("layer %s%d, %v, is a %T: a Predictor runs only this package's Dense, Activation, Dropout and Sequential layers, whose Forward it knows how to share between goroutines", path, i, l, l)
		}
	}
	return nil
}

// isNil reports whether l is a nil pointer to one of this package's
// layers, whose methods would dereference it.
func isNil(l Layer) bool {
	switch l := l.(type) {
	case *Dense:
		return l == nil
	case *Activation:
		return l == nil
	case *Sequential:
		return l == nil
	case *Dropout:
		return l == nil
	}
	return false
}

// InputCols returns the number of columns the Predictor takes, 0 for a
// model without Dense layers, which takes any width.
func (p *Predictor) InputCols() int { return p.in }

// OutputCols returns the number of columns the Predictor gives, 0 for a
// model without Dense layers, whose output is as wide as its input.
func (p *Predictor) OutputCols() int { return p.out }

// wantCols returns the width checkBatch requires of the input: -1 for
// any.
func (p *Predictor) wantCols() int {
	if p.in == 0 {
		return -1
	}
	return p.in
}

// outCols returns the width of the output for a batch of cols columns.
func (p *Predictor) outCols(cols int) int {
	if p.in == 0 {
		return cols
	}
	return p.out
}

// Predict writes to dst the model's output for the batch x (one sample
// per row): dst must be x.Rows × OutputCols, and must not share memory
// with x. It returns an error, and leaves dst unchanged, if x is not a
// valid, non-empty batch of InputCols columns or dst has another shape.
func (p *Predictor) Predict(dst, x Matrix) error {
	if err := p.check("Predict", dst, x); err != nil {
		return err
	}
	s := p.scratch.Get()
	p.forward(dst.Data, x, s)
	p.scratch.Put(s)
	return nil
}

// Probabilities writes to dst the class probabilities of the batch x: the
// softmax of each row of the model's output, or the output itself when
// the model's last layer (Identity layers aside) is a Softmax. dst and x
// are as for [Predictor.Predict].
func (p *Predictor) Probabilities(dst, x Matrix) error {
	if err := p.check("Probabilities", dst, x); err != nil {
		return err
	}
	s := p.scratch.Get()
	p.forward(dst.Data, x, s)
	p.scratch.Put(s)
	if !p.softmax {
		kernels.Softmax(dst.Data, dst.Data, dst.Rows, dst.Cols)
	}
	return nil
}

// Classes sets dst[i] to the class of sample i of the batch x: the index
// of the largest column of row i of the model's output, as [Argmax]
// chooses it (and [Evaluate] scores it). len(dst) must be x.Rows. It
// returns an error, and leaves dst unchanged, if x is not a valid,
// non-empty batch of InputCols columns or dst has another length.
func (p *Predictor) Classes(dst []int, x Matrix) error {
	const op = "nn.Predictor.Classes"
	if err := checkBatch(x, p.wantCols()); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if len(dst) != x.Rows {
		return fmt.Errorf("%s: len(dst)=%d, want %d (the rows of the input, %v)", op, len(dst), x.Rows, x)
	}
	cols := p.outCols(x.Cols)
	s := p.scratch.Get()
	s.out = grow(s.out, x.Rows*cols)
	p.forward(s.out, x, s)
	for i := range dst {
		dst[i] = Argmax(s.out[i*cols : (i+1)*cols])
	}
	p.scratch.Put(s)
	return nil
}

// check returns an error unless x is a valid, non-empty batch of InputCols
// columns and dst a valid matrix of the shape of its output.
func (p *Predictor) check(op string, dst, x Matrix) error {
	if err := checkBatch(x, p.wantCols()); err != nil {
		return fmt.Errorf("nn.Predictor.%s: %w", op, err)
	}
	cols := p.outCols(x.Cols)
	switch {
	case !dst.valid():
		return fmt.Errorf("nn.Predictor.%s: destination %v has len(Data)=%d, want %s", op, dst, len(dst.Data), dst.wantLen())
	case dst.Rows != x.Rows || dst.Cols != cols:
		return fmt.Errorf("nn.Predictor.%s: destination is %v, want %d×%d for input %v", op, dst, x.Rows, cols, x)
	}
	return nil
}

// forward writes the output for the checked batch x to dst, rows × its
// output width, with the intermediate results in s.
func (p *Predictor) forward(dst []float32, x Matrix, s *scratch) {
	if len(p.steps) == 0 {
		copy(dst, x.Data)
		return
	}
	rows, inner := x.Rows, p.inner
	if p.in == 0 {
		inner = x.Cols
	}
	if len(p.steps) > 1 {
		s.buf[0] = grow(s.buf[0], rows*inner)
		s.buf[1] = grow(s.buf[1], rows*inner)
	}
	in, cols := x.Data, x.Cols
	for i, st := range p.steps {
		out := cols
		if st.w != nil {
			out = st.out
		}
		y := dst
		if i < len(p.steps)-1 {
			y = s.buf[i%2][:rows*out]
		}
		st.run(y, in, rows, cols)
		in, cols = y, out
	}
}

// run computes the step for rows samples of cols columns in x, into y.
// It calls the kernels as Dense.Forward and Activation.Forward do.
func (st *step) run(y, x []float32, rows, cols int) {
	if st.w != nil {
		kernels.SgemmBiasAct(false, true, rows, st.out, st.in, 1, x, st.in, st.w, st.in, 0, y, st.out, st.b, st.act)
		return
	}
	switch st.kind {
	case actReLU:
		kernels.ReLU(y, x)
	case actLeakyReLU:
		kernels.LeakyReLU(y, x, st.slope)
	case actTanh:
		kernels.Tanh(y, x)
	case actSigmoid:
		kernels.Sigmoid(y, x)
	case actSoftmax:
		kernels.Softmax(y, x, rows, cols)
	}
}

// grow returns s resliced to n elements, reallocated if it holds fewer.
func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}
