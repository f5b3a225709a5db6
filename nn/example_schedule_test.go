package nn_test

import (
	"fmt"

	"github.com/simdnn/simdnn/nn"
)

// A linear warm-up into a cosine decay, set on a Trainer: PyTorch's
// SequentialLR of LinearLR and CosineAnnealingLR, with scheduler.step()
// after every optimizer step. The rate climbs from lr/10 over 4 steps to
// lr at the 5th, then falls along a cosine over the remaining 12 steps,
// to the 0 it would reach at the step after the last, as PyTorch's
// recipe T_max = steps − warm-up has it.
func ExampleSequentialLR() {
	const lr, warmup, steps = 0.1, 4, 16
	warm, err := nn.LinearLR(lr, 0.1, 1, warmup)
	if err != nil {
		panic(err)
	}
	cosine, err := nn.CosineAnnealingLR(lr, steps-warmup, 0)
	if err != nil {
		panic(err)
	}
	schedule, err := nn.SequentialLR([]nn.LRSchedule{warm, cosine}, []int{warmup})
	if err != nil {
		panic(err)
	}

	// y = 2x, 8 samples: 2 steps per epoch of 4, 8 epochs.
	x, _ := nn.MatrixOf(8, 1, []float32{-1, -0.75, -0.5, -0.25, 0.25, 0.5, 0.75, 1})
	y, _ := nn.MatrixOf(8, 1, []float32{-2, -1.5, -1, -0.5, 0.5, 1, 1.5, 2})
	model, err := nn.NewSequential(nn.NewDense(1, 1, nil))
	if err != nil {
		panic(err)
	}
	opt := nn.NewSGD(lr)
	tr := &nn.Trainer{
		Model: model, Loss: nn.MSE{}, Optimizer: opt, BatchSize: 4, Epochs: steps / 2,
		Schedule: schedule.PerStep(), // or PerEpoch(), to count epochs instead
		OnStep: func(s nn.StepInfo) error {
			fmt.Printf("step %2d: lr %.4f\n", s.Step, opt.LearningRate())
			return nil
		},
	}
	if _, err := tr.Fit(nn.Data{X: x, Y: y}); err != nil {
		panic(err)
	}
	// Output:
	// step  1: lr 0.0100
	// step  2: lr 0.0325
	// step  3: lr 0.0550
	// step  4: lr 0.0775
	// step  5: lr 0.1000
	// step  6: lr 0.0983
	// step  7: lr 0.0933
	// step  8: lr 0.0854
	// step  9: lr 0.0750
	// step 10: lr 0.0629
	// step 11: lr 0.0500
	// step 12: lr 0.0371
	// step 13: lr 0.0250
	// step 14: lr 0.0146
	// step 15: lr 0.0067
	// step 16: lr 0.0017
}
