package nn_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/simdnn/simdnn/nn"
)

// The API in one tour: define a model, train it, evaluate it, save it and
// load it into a fresh model. The task is XOR, which no linear model
// solves.
func Example() {
	// Data: one sample per row, with class labels.
	x, _ := nn.MatrixOf(4, 2, []float32{0, 0, 0, 1, 1, 0, 1, 1})
	data := nn.Data{X: x, Labels: []int32{0, 1, 1, 0}}

	// Define: 2 inputs → 16 tanh units → 2 class scores (logits).
	rng := rand.New(rand.NewPCG(1, 2)) // seeded: the same run every time
	model, err := nn.NewSequential(
		nn.NewDense(2, 16, nn.Xavier(rng)), nn.Tanh(),
		nn.NewDense(16, 2, nn.Xavier(rng)),
	)
	if err != nil {
		panic(err)
	}

	// Train: softmax cross-entropy on the logits, Adam, full batch.
	tr := &nn.Trainer{Model: model, Loss: nn.SoftmaxCrossEntropy{}, Optimizer: nn.NewAdam(0.05), Epochs: 300}
	if _, err := tr.Fit(data); err != nil {
		panic(err)
	}

	// Evaluate.
	m, err := nn.Evaluate(model, nn.SoftmaxCrossEntropy{}, data, 0)
	if err != nil {
		panic(err)
	}
	fmt.Printf("accuracy %.0f%%, loss below 0.01: %v\n", 100*m.Accuracy, m.Loss < 0.01)

	// Save, and load into a model of the same architecture.
	dir, err := os.MkdirTemp("", "simdnn-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "xor.safetensors")
	if err := model.Save(path); err != nil {
		panic(err)
	}
	loaded, _ := nn.NewSequential(nn.NewDense(2, 16, nil), nn.Tanh(), nn.NewDense(16, 2, nil))
	if err := loaded.Load(path); err != nil {
		panic(err)
	}
	out, _ := loaded.Forward(x)
	for i := range out.Rows {
		fmt.Printf("%v → class %d\n", x.Row(i), nn.Argmax(out.Row(i)))
	}
	// Output:
	// accuracy 100%, loss below 0.01: true
	// [0 0] → class 0
	// [0 1] → class 1
	// [1 0] → class 1
	// [1 1] → class 0
}
