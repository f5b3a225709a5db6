package kernels_test

import (
	"fmt"

	"github.com/simdnn/simdnn/kernels"
)

// A dense layer's forward pass on a batch: Y = ReLU(X·Wᵀ + b), with the
// weights stored [out × in] as PyTorch's Linear stores them.
func ExampleSgemm() {
	const batch, in, out = 2, 3, 2
	x := []float32{
		1, 2, 3,
		-1, 0, 1,
	}
	w := []float32{
		1, 0, -1, // output 0
		0.5, 0.5, 0.5, // output 1
	}
	b := []float32{0, -1}
	y := make([]float32, batch*out)

	kernels.Sgemm(false, true, batch, out, in, 1, x, in, w, in, 0, y, out)
	kernels.BiasAdd(y, out, batch, out, b)
	kernels.ReLU(y, y)
	fmt.Println(y)
	// Output: [0 2 0 0]
}

// The same layer in one call: the bias and the ReLU are applied to each
// tile of Y while the product is still in registers.
func ExampleSgemmBiasAct() {
	const batch, in, out = 2, 3, 2
	x := []float32{
		1, 2, 3,
		-1, 0, 1,
	}
	w := []float32{
		1, 0, -1, // output 0
		0.5, 0.5, 0.5, // output 1
	}
	b := []float32{0, -1}
	y := make([]float32, batch*out)

	kernels.SgemmBiasAct(false, true, batch, out, in, 1, x, in, w, in, 0, y, out, b, kernels.ActReLU)
	fmt.Println(y)
	// Output: [0 2 0 0]
}

// Softmax turns each row of logits into probabilities; the row maximum is
// subtracted first, so huge logits are no problem.
func ExampleSoftmax() {
	logits := []float32{
		0, 0, 0, 0,
		1e4, 1e4, -1e4, -1e4,
	}
	p := make([]float32, len(logits))
	kernels.Softmax(p, logits, 2, 4)
	fmt.Println(p)
	// Output: [0.25 0.25 0.25 0.25 0.5 0.5 0 0]
}

// The fused loss of a classifier: mean cross-entropy and its gradient with
// respect to the logits, in one pass.
func ExampleSoftmaxCrossEntropy() {
	logits := []float32{
		2, 0, 0,
		0, 0, 0,
	}
	labels := []int32{0, 2}
	grad := make([]float32, len(logits))
	loss := kernels.SoftmaxCrossEntropy(grad, logits, labels, 2, 3)
	fmt.Printf("loss %.4f\n", loss)
	fmt.Printf("grad %.4f\n", grad)
	// Output:
	// loss 0.6691
	// grad [-0.1065 0.0533 0.0533 0.1667 0.1667 -0.3333]
}
