package main

import (
	"math/rand/v2"

	"github.com/simdnn/simdnn/nn"
)

// trainStepFLOPs is the work of one sample's training step of the
// 784→256→128→10 MLP: the forward product of every layer, the weight
// gradient of every layer, and the input gradient of the upper two (the
// first layer's is not needed), 2 FLOPs per multiply-add.
const trainStepFLOPs = 2 * (3*(784*256+256*128+128*10) - 784*256)

// trainOptimizers are the updates the training step is measured with:
// plain gradient descent, the update of the README's headline comparison
// with PyTorch, and Adam, the update of examples/mnist. The learning
// rates are those of bench/peers/torch_step.py.
var trainOptimizers = []struct {
	name string
	make func() nn.Optimizer
}{
	{"SGD", func() nn.Optimizer { return nn.NewSGD(0.01) }},
	{"Adam", func() nn.Optimizer { return nn.NewAdam(1e-4) }},
}

// newTrainStep returns one training step (forward, softmax cross-entropy,
// backward, the update of opt) of the MNIST MLP 784→256→128→10 with ReLU
// on a fixed random batch (trainSetup), with its buffers sized by a first
// step; and gemms, the matrix products that the step makes, alone, on
// buffers of their own (newStepGEMMs), run once too. The step panics on
// error, which a fixed batch of valid labels never gives.
func newTrainStep(batch int, opt nn.Optimizer) (step, gemms func()) {
	model, data := trainSetup(batch)
	tr := &nn.Trainer{Model: model, Loss: nn.SoftmaxCrossEntropy{}, Optimizer: opt}
	step = func() {
		if _, err := tr.Step(data); err != nil {
			panic(err)
		}
	}
	step()
	calls := newStepGEMMs(traceStep(model, tr.Loss, data), data)
	gemms = func() { runAll(calls) }
	gemms()
	return step, gemms
}

// trainSetup returns the MNIST MLP 784→256→128→10 with ReLU, the model of
// examples/mnist, and a fixed random batch of batch samples for it.
func trainSetup(batch int) (*nn.Sequential, nn.Data) {
	rng := rand.New(rand.NewPCG(5, 6))
	model := newMLP(rng)
	data := nn.Data{X: nn.NewMatrix(batch, 784), Labels: make([]int32, batch)}
	// Standard normal inputs, as bench/peers/torch_step.py's: with
	// inputs in [0, 1) PyTorch's step ran at half speed on Zen 5, its
	// arithmetic slowed by denormal numbers (torch_step.py's comment
	// says how to measure it again).
	for i := range data.X.Data {
		data.X.Data[i] = float32(rng.NormFloat64())
	}
	for i := range data.Labels {
		data.Labels[i] = int32(rng.IntN(10))
	}
	return model, data
}
