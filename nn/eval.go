package nn

import (
	"fmt"
	"math"
)

// Metrics are a model's loss and accuracy on a data set.
type Metrics struct {
	Loss float64
	// Accuracy is the fraction of samples whose highest output is their
	// label; NaN when the data have no labels.
	Accuracy float64
}

// Evaluate returns the model's mean loss on data, and its accuracy when
// the data have labels, running batchSize samples at a time (0: all at
// once). It computes no gradients.
func Evaluate(model *Sequential, loss Loss, data Data, batchSize int) (Metrics, error) {
	const op = "nn.Evaluate"
	n := data.Len()
	if n == 0 {
		return Metrics{}, fmt.Errorf("%s: no samples", op)
	}
	if err := data.check(op); err != nil {
		return Metrics{}, err
	}
	if batchSize <= 0 || batchSize > n {
		batchSize = n
	}
	var sum float64
	correct := 0
	for lo := 0; lo < n; lo += batchSize {
		b := data.Slice(lo, min(lo+batchSize, n))
		pred, err := model.Forward(b.X)
		if err != nil {
			return Metrics{}, fmt.Errorf("%s: %w", op, err)
		}
		l, err := loss.Eval(Matrix{}, pred, b)
		if err != nil {
			return Metrics{}, fmt.Errorf("%s: %w", op, err)
		}
		sum += float64(l) * float64(b.Len())
		if b.Labels != nil {
			for i, label := range b.Labels {
				if Argmax(pred.Row(i)) == int(label) {
					correct++
				}
			}
		}
	}
	m := Metrics{Loss: sum / float64(n), Accuracy: math.NaN()}
	if data.Labels != nil {
		m.Accuracy = float64(correct) / float64(n)
	}
	return m, nil
}

// Argmax returns the index of the largest element of x, the first one
// among equals; NaN counts as larger than any number. It returns −1 for
// an empty x.
func Argmax(x []float32) int {
	best := -1
	for i, v := range x {
		if best < 0 || v > x[best] || (v != v && x[best] == x[best]) {
			best = i
		}
	}
	return best
}
