package nn

import "fmt"

// Data is a set of samples: inputs X, one per row, and their targets,
// either Y (one row of values per sample, for regression and binary
// cross-entropy) or Labels (one class index per sample, for
// classification). A loss reads the one it needs.
type Data struct {
	X      Matrix
	Y      Matrix
	Labels []int32
}

// Len returns the number of samples, X.Rows.
func (d Data) Len() int { return d.X.Rows }

// Slice returns the samples [from, to) as views (no copy).
func (d Data) Slice(from, to int) Data {
	s := Data{X: d.X.Slice(from, to)}
	if d.Y.Data != nil {
		s.Y = d.Y.Slice(from, to)
	}
	if d.Labels != nil {
		s.Labels = d.Labels[from:to:to]
	}
	return s
}

// check returns an error, naming op, unless d is a consistent data set:
// valid matrices, and targets with one row or label per sample.
func (d Data) check(op string) error {
	switch {
	case !d.X.valid():
		return fmt.Errorf("%s: inputs %v have len(Data)=%d, want %s", op, d.X, len(d.X.Data), d.X.wantLen())
	case d.Y.Data != nil && !d.Y.valid():
		return fmt.Errorf("%s: targets %v have len(Data)=%d, want %s", op, d.Y, len(d.Y.Data), d.Y.wantLen())
	case d.Y.Data != nil && d.Y.Rows != d.X.Rows:
		return fmt.Errorf("%s: %d target rows for %d samples", op, d.Y.Rows, d.X.Rows)
	case d.Labels != nil && len(d.Labels) != d.X.Rows:
		return fmt.Errorf("%s: %d labels for %d samples", op, len(d.Labels), d.X.Rows)
	}
	return nil
}

// checkFor returns an error, naming op and what the data are ("training
// data"), unless d is a consistent data set (see check) that model and
// loss can run on: inputs of the model's width, every input and target
// finite (else the error wraps ErrNotFinite), every label a class of the
// model's output, and the targets the losses of this package read
// present and of the model's output width. Indices in the messages are
// those of the samples in d.
func (d Data) checkFor(op, what string, model *Sequential, loss Loss) error {
	if err := d.check(op + ": " + what); err != nil {
		return err
	}
	in, out := model.InputCols(), model.OutputCols()
	if in != 0 && d.X.Cols != in {
		return fmt.Errorf("%s: %s: inputs are %v, the model %v takes %d columns", op, what, d.X, model, in)
	}
	needY, needLabels := false, false
	switch loss.(type) {
	case MSE, *MSE, BCEWithLogits, *BCEWithLogits:
		needY = true
	case SoftmaxCrossEntropy, *SoftmaxCrossEntropy:
		needLabels = true
	}
	switch {
	case needY && d.Y.Data == nil:
		return fmt.Errorf("%s: %s: %v needs target values (Data.Y), the data have none", op, what, loss)
	case needY && in != 0 && d.Y.Cols != out:
		return fmt.Errorf("%s: %s: targets are %v, the model gives %d columns", op, what, d.Y, out)
	case needLabels && d.Labels == nil:
		return fmt.Errorf("%s: %s: %v needs labels (Data.Labels), the data have none", op, what, loss)
	}
	for i, l := range d.Labels {
		if l < 0 || (in != 0 && int(l) >= out) {
			return fmt.Errorf("%s: %s: label %d of sample %d is outside [0, %d), the model's classes", op, what, l, i, out)
		}
	}
	if i, v := firstNotFinite(d.X.Data); i >= 0 {
		return fmt.Errorf("%s: %s: input %d of sample %d is %v: %w", op, what, i%d.X.Cols, i/d.X.Cols, v, ErrNotFinite)
	}
	if i, v := firstNotFinite(d.Y.Data); i >= 0 {
		return fmt.Errorf("%s: %s: target %d of sample %d is %v: %w", op, what, i%d.Y.Cols, i/d.Y.Cols, v, ErrNotFinite)
	}
	return nil
}

// firstNotFinite returns the index and value of the first NaN or ±Inf in
// x, or −1.
func firstNotFinite(x []float32) (int, float32) {
	for i, v := range x {
		if v-v != 0 { // NaN for NaN and ±Inf, 0 for every finite v
			return i, v
		}
	}
	return -1, 0
}

// gather copies the samples idx of d into the buffers of dst, which it
// returns: a shuffled minibatch.
func (d Data) gather(dst *batchBuffers, idx []int) Data {
	b := Data{X: dst.x.get(len(idx), d.X.Cols)}
	for i, j := range idx {
		copy(b.X.Row(i), d.X.Row(j))
	}
	if d.Y.Data != nil {
		b.Y = dst.y.get(len(idx), d.Y.Cols)
		for i, j := range idx {
			copy(b.Y.Row(i), d.Y.Row(j))
		}
	}
	if d.Labels != nil {
		if cap(dst.labels) < len(idx) {
			dst.labels = make([]int32, len(idx))
		}
		b.Labels = dst.labels[:len(idx)]
		for i, j := range idx {
			b.Labels[i] = d.Labels[j]
		}
	}
	return b
}

// batchBuffers hold a gathered minibatch.
type batchBuffers struct {
	x, y   buffer
	labels []int32
}
