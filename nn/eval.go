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
//
// It checks all of data before the first sample runs, as [Trainer.Fit]
// does: shapes, labels, and finite inputs and targets. An output or a
// batch's loss that is NaN or ±Inf is an error wrapping ErrNotFinite
// that names the sample (the index in data), not a score.
func Evaluate(model *Sequential, loss Loss, data Data, batchSize int) (Metrics, error) {
	const op = "nn.Evaluate"
	switch {
	case model == nil || loss == nil:
		return Metrics{}, fmt.Errorf("%s: model and loss must both be set", op)
	case data.Len() == 0:
		return Metrics{}, fmt.Errorf("%s: no samples", op)
	}
	if err := data.checkFor(op, "data", model, loss); err != nil {
		return Metrics{}, err
	}
	return evaluate(op, model, loss, data, batchSize)
}

// evaluate is Evaluate on data that checkFor has accepted.
func evaluate(op string, model *Sequential, loss Loss, data Data, batchSize int) (Metrics, error) {
	if model.Training() {
		model.SetTraining(false)
		defer model.SetTraining(true)
	}
	n := data.Len()
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
		if i, v := firstNotFinite(pred.Data); i >= 0 {
			return Metrics{}, fmt.Errorf("%s: output %d of sample %d is %v: %w", op, i%pred.Cols, lo+i/pred.Cols, v, ErrNotFinite)
		}
		l, err := loss.Eval(Matrix{}, pred, b)
		if err != nil {
			return Metrics{}, fmt.Errorf("%s: %w", op, err)
		}
		if l-l != 0 {
			return Metrics{}, fmt.Errorf("%s: %v = %v on samples [%d, %d): %w", op, loss, l, lo, lo+b.Len(), ErrNotFinite)
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
