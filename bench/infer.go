package main

import (
	"fmt"
	"math/rand/v2"

	"github.com/simdnn/simdnn/internal/instruments"
	"github.com/simdnn/simdnn/nn"
)

// The inference rows time the MNIST MLP's forward pass, through the
// model (Sequential.Forward) and through a Predictor, in µs per pass. At
// small batch the pass must read every weight once and reuses each only
// batch times, so its bound is the time of one streaming read of the
// weights (instruments.Set.Read over as many bytes), measured in the same
// run: the ×read column.

// The names of the inference rows.
const (
	forwardCase = "Sequential.Forward"
	predictCase = "Predictor.Predict"
	readCase    = "read of the weights (baseline)"
)

// newMLP returns the MNIST MLP of examples/mnist, 784→256→128→10 with
// ReLU, its weights drawn from rng.
func newMLP(rng *rand.Rand) *nn.Sequential {
	model, err := nn.NewSequential(
		nn.NewDense(784, 256, nn.He(rng)), nn.ReLU(),
		nn.NewDense(256, 128, nn.He(rng)), nn.ReLU(),
		nn.NewDense(128, 10, nn.Xavier(rng)),
	)
	if err != nil {
		panic(err)
	}
	return model
}

// inferCases returns the forward pass at each batch size of batches, and
// the streaming read of the weights' bytes, as cases that report µs per
// call. They panic on error, which valid batches never give.
func inferCases(batches []int) []kernelCase {
	if len(batches) == 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(7, 8))
	model := newMLP(rng)
	pred, err := model.Predictor()
	if err != nil {
		panic(err)
	}
	weights := 0
	for _, p := range model.Params() {
		weights += len(p.Value)
	}
	w := make([]float32, weights)
	read := instruments.Active().Read
	cs := []kernelCase{{name: readCase, size: fmt.Sprintf("%d KB", 4*weights/1000), unit: "µs", f: func() { read(w) }}}
	for _, batch := range batches {
		x, dst := nn.NewMatrix(batch, 784), nn.NewMatrix(batch, 10)
		for i := range x.Data {
			x.Data[i] = rng.Float32() // pixels in [0, 1), as MNIST's
		}
		size := fmt.Sprintf("batch %d", batch)
		cs = append(cs,
			kernelCase{name: forwardCase, size: size, unit: "µs", f: func() {
				if _, err := model.Forward(x); err != nil {
					panic(err)
				}
			}},
			kernelCase{name: predictCase, size: size, unit: "µs", f: func() {
				if err := pred.Predict(dst, x); err != nil {
					panic(err)
				}
			}},
		)
	}
	return cs
}
