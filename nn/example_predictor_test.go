package nn_test

import (
	"fmt"
	"math/rand/v2"
	"sync"

	"github.com/simdnn/simdnn/nn"
)

// A Predictor serves a trained model to many goroutines at once, as the
// handlers of a server would call it.
func ExampleSequential_Predictor() {
	// Train XOR, as in the package example.
	x, _ := nn.MatrixOf(4, 2, []float32{0, 0, 0, 1, 1, 0, 1, 1})
	data := nn.Data{X: x, Labels: []int32{0, 1, 1, 0}}
	rng := rand.New(rand.NewPCG(1, 2))
	model, err := nn.NewSequential(
		nn.NewDense(2, 16, nn.Xavier(rng)), nn.Tanh(),
		nn.NewDense(16, 2, nn.Xavier(rng)),
	)
	if err != nil {
		panic(err)
	}
	tr := &nn.Trainer{Model: model, Loss: nn.SoftmaxCrossEntropy{}, Optimizer: nn.NewAdam(0.05), Epochs: 300}
	if _, err := tr.Fit(data); err != nil {
		panic(err)
	}

	// The Predictor copies the weights: training the model further would
	// not change it.
	p, err := model.Predictor()
	if err != nil {
		panic(err)
	}

	// One goroutine per sample, all sharing p.
	classes := make([]int, x.Rows)
	confident := make([]bool, x.Rows)
	var wg sync.WaitGroup
	for i := range x.Rows {
		wg.Go(func() {
			sample := x.Slice(i, i+1)
			class := make([]int, 1)
			if err := p.Classes(class, sample); err != nil {
				panic(err)
			}
			prob := nn.NewMatrix(1, p.OutputCols())
			if err := p.Probabilities(prob, sample); err != nil {
				panic(err)
			}
			classes[i], confident[i] = class[0], prob.At(0, class[0]) > 0.99
		})
	}
	wg.Wait()
	for i := range x.Rows {
		fmt.Printf("%v → class %d, probability above 0.99: %v\n", x.Row(i), classes[i], confident[i])
	}
	// Output:
	// [0 0] → class 0, probability above 0.99: true
	// [0 1] → class 1, probability above 0.99: true
	// [1 0] → class 1, probability above 0.99: true
	// [1 1] → class 0, probability above 0.99: true
}
