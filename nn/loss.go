package nn

import (
	"fmt"
	"math"

	"github.com/simdnn/simdnn/kernels"
)

// Loss measures predictions against the targets of a batch.
type Loss interface {
	// Eval returns the loss of the predictions pred (one sample per row)
	// against the targets of batch, averaged as the loss defines, and,
	// when grad.Data is not nil, writes the gradient of that loss with
	// respect to pred into grad (the same shape as pred). grad may be
	// pred.
	Eval(grad, pred Matrix, batch Data) (float32, error)

	// String names the loss.
	String() string
}

// MSE is the mean squared error over every element, (1/N) Σ (pred −
// y)², for regression; PyTorch's MSELoss with mean reduction. Its
// targets are batch.Y, of pred's shape.
type MSE struct{}

// String returns "MSE".
func (MSE) String() string { return "MSE" }

// Eval returns the mean squared error and its gradient 2·(pred − y)/N.
func (MSE) Eval(grad, pred Matrix, batch Data) (float32, error) {
	if err := checkLoss("nn.MSE", grad, pred, batch.Y); err != nil {
		return 0, err
	}
	return kernels.MSE(grad.Data, pred.Data, batch.Y.Data), nil
}

// SoftmaxCrossEntropy is the cross-entropy of the softmax of the logits
// pred (one row of class scores per sample) against the class indices
// batch.Labels, averaged over the batch: PyTorch's CrossEntropyLoss. The
// softmax and the logarithm are fused and stable for any finite logits
// (kernels.SoftmaxCrossEntropy).
type SoftmaxCrossEntropy struct{}

// String returns "SoftmaxCrossEntropy".
func (SoftmaxCrossEntropy) String() string { return "SoftmaxCrossEntropy" }

// Eval returns the mean cross-entropy and its gradient
// (softmax(pred) − onehot(labels))/rows.
func (SoftmaxCrossEntropy) Eval(grad, pred Matrix, batch Data) (float32, error) {
	const op = "nn.SoftmaxCrossEntropy"
	if err := checkLoss(op, grad, pred, pred); err != nil {
		return 0, err
	}
	if len(batch.Labels) != pred.Rows {
		return 0, fmt.Errorf("%s: %d labels for predictions %v", op, len(batch.Labels), pred)
	}
	for i, l := range batch.Labels {
		if l < 0 || int(l) >= pred.Cols {
			return 0, fmt.Errorf("%s: label %d of sample %d is outside [0, %d) for predictions %v", op, l, i, pred.Cols, pred)
		}
	}
	return kernels.SoftmaxCrossEntropy(grad.Data, pred.Data, batch.Labels, pred.Rows, pred.Cols), nil
}

// BCEWithLogits is the binary cross-entropy of sigmoid(pred) against
// targets batch.Y in [0, 1] of pred's shape, averaged over every element:
// PyTorch's BCEWithLogitsLoss. It is computed from the logits, as
// max(x, 0) − x·y + log(1 + e^−|x|), so it is stable for any finite x.
//
// The gradient, (sigmoid(x) − y)/N, runs on the kernels; the loss value
// is summed in float64 in Go, which costs about 20 ns per element: cheap
// for the one or few outputs of a binary classifier.
type BCEWithLogits struct{}

// String returns "BCEWithLogits".
func (BCEWithLogits) String() string { return "BCEWithLogits" }

// Eval returns the mean binary cross-entropy and its gradient.
func (BCEWithLogits) Eval(grad, pred Matrix, batch Data) (float32, error) {
	if err := checkLoss("nn.BCEWithLogits", grad, pred, batch.Y); err != nil {
		return 0, err
	}
	y := batch.Y.Data
	var sum float64
	for i, x := range pred.Data {
		x, t := float64(x), float64(y[i])
		sum += math.Max(x, 0) - x*t + math.Log1p(math.Exp(-math.Abs(x)))
	}
	n := len(pred.Data)
	if grad.Data != nil {
		kernels.Sigmoid(grad.Data, pred.Data)
		kernels.Axpy(grad.Data, -1, y)
		kernels.Scale(grad.Data, 1/float32(n))
	}
	return float32(sum / float64(n)), nil
}

// checkLoss returns an error unless pred is a non-empty batch, target has
// its shape, and grad is empty or has it too.
func checkLoss(op string, grad, pred, target Matrix) error {
	switch {
	case !pred.valid() || pred.Rows == 0 || pred.Cols == 0:
		return fmt.Errorf("%s: predictions %v are empty or have len(Data)=%d", op, pred, len(pred.Data))
	case target.Data == nil:
		return fmt.Errorf("%s: the batch has no target values (Data.Y) for predictions %v", op, pred)
	case !target.valid() || target.Rows != pred.Rows || target.Cols != pred.Cols:
		return fmt.Errorf("%s: targets are %v (len %d), predictions %v", op, target, len(target.Data), pred)
	case grad.Data != nil && (!grad.valid() || grad.Rows != pred.Rows || grad.Cols != pred.Cols):
		return fmt.Errorf("%s: gradient is %v (len %d), predictions %v", op, grad, len(grad.Data), pred)
	}
	return nil
}
