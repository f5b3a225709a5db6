package nn

import (
	"fmt"
	"strings"
)

// Sequential is a model that runs its layers one after the other. It owns
// its layers: NewSequential fuses each activation that follows a Dense
// layer into it (see [Activation]), so a layer must not be shared with
// another model or called on its own afterwards.
type Sequential struct {
	layers   []Layer
	in, out  int
	params   []*Param
	names    []string // the saved name of each parameter, as PyTorch's state_dict names it
	training bool
}

// NewSequential returns the model that runs layers in order, or an error
// if a layer does not take the width the one before it produces.
func NewSequential(layers ...Layer) (*Sequential, error) {
	if len(layers) == 0 {
		return nil, fmt.Errorf("nn.NewSequential: no layers")
	}
	s := &Sequential{layers: layers}
	width := 0 // unknown until a layer with a fixed input width
	for i, l := range layers {
		if l == nil {
			return nil, fmt.Errorf("nn.NewSequential: layer %d is nil", i)
		}
		want, out := l.Widths(width)
		if width != 0 && want != width {
			return nil, fmt.Errorf("nn.NewSequential: layer %d, %v, takes %d columns but layer %d, %v, gives %d", i, l, want, i-1, layers[i-1], width)
		}
		if s.in == 0 {
			s.in = want
		}
		width = out
		inner, nested := l.(*Sequential)
		for j, p := range l.Params() {
			name := p.Name
			if nested {
				// PyTorch names a nested Sequential's parameters
				// by both indices ("1.0.weight"); p.Name alone
				// would repeat among its layers.
				name = inner.names[j]
			}
			s.params = append(s.params, p)
			s.names = append(s.names, fmt.Sprintf("%d.%s", i, name))
		}
	}
	s.out = width
	s.fuse()
	return s, nil
}

// fuse lets each Dense layer apply the activation that follows it.
func (s *Sequential) fuse() {
	for i := 1; i < len(s.layers); i++ {
		d, ok := s.layers[i-1].(*Dense)
		a, ok2 := s.layers[i].(*Activation)
		if !ok || !ok2 {
			continue
		}
		if k, ok := a.kernel(); ok {
			d.act, a.fused = k, true
		}
	}
}

// Layers returns the model's layers (the model's own slice: do not modify
// it).
func (s *Sequential) Layers() []Layer { return s.layers }

// Params returns every trainable parameter, layer by layer (the model's
// own slice: do not modify it).
func (s *Sequential) Params() []*Param { return s.params }

// InputCols returns the number of columns the model takes (0 if none of
// its layers fixes it).
func (s *Sequential) InputCols() int { return s.in }

// OutputCols returns the number of columns the model produces, given
// InputCols.
func (s *Sequential) OutputCols() int { return s.out }

// String describes the model, as "Sequential(Dense(784→256), ReLU, ...)".
func (s *Sequential) String() string {
	var b strings.Builder
	b.WriteString("Sequential(")
	for i, l := range s.layers {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(l.String())
	}
	b.WriteString(")")
	return b.String()
}

// Widths returns the model's input and output widths, so that a
// Sequential can be a layer of another.
func (s *Sequential) Widths(in int) (int, int) {
	if s.in == 0 {
		return in, in
	}
	return s.in, s.out
}

// Forward runs the batch x (one sample per row) through every layer and
// returns the output, a view of the last layer's buffer, valid until the
// next Forward.
func (s *Sequential) Forward(x Matrix) (Matrix, error) {
	if s.in != 0 {
		if err := checkInput(s, "Forward", x, s.in); err != nil {
			return Matrix{}, err
		}
	}
	var err error
	for _, l := range s.layers {
		if x, err = l.Forward(x); err != nil {
			return Matrix{}, err
		}
	}
	return x, nil
}

// Backward propagates dy, the gradient of the loss with respect to the
// last Forward's output, back through every layer, adding each
// parameter's gradient to its Grad. It returns the gradient with respect
// to the model's input when needInputGrad is set.
func (s *Sequential) Backward(dy Matrix, needInputGrad bool) (Matrix, error) {
	var err error
	for i := len(s.layers) - 1; i >= 0; i-- {
		if dy, err = s.layers[i].Backward(dy, i > 0 || needInputGrad); err != nil {
			return Matrix{}, err
		}
	}
	return dy, nil
}

// SetTraining switches the model between training (true) and inference,
// as PyTorch's model.train() and model.eval() do: it calls SetTraining on
// every layer that has the method, nested Sequentials and [Dropout] among
// them, so a user's own layer can take part. A model starts in inference;
// Trainer.Step trains with training on and turns it off after, and
// Evaluate and the validation of Fit run with it off.
func (s *Sequential) SetTraining(on bool) {
	s.training = on
	for _, l := range s.layers {
		if m, ok := l.(interface{ SetTraining(bool) }); ok {
			m.SetTraining(on)
		}
	}
}

// Training reports whether the model is training (see SetTraining).
func (s *Sequential) Training() bool { return s.training }

// ZeroGrad empties the gradient of every parameter (see [Param.ZeroGrad]).
func (s *Sequential) ZeroGrad() {
	for _, p := range s.params {
		p.ZeroGrad()
	}
}
