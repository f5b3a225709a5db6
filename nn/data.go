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
