package nn_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"

	"github.com/simdnn/simdnn/nn"
)

// A run that survives being stopped: AdamW with weight decay, a warm-up
// into a cosine schedule, dropout, shuffled minibatches, and a checkpoint
// at the end of every epoch. The run is stopped after epoch 2, resumed in
// fresh objects from the checkpoint, and ends with the weights of a run
// that was never stopped, bit for bit.
func ExampleTrainer_SaveCheckpoint() {
	// Two interleaved spirals, 200 points: a task a straight line cannot
	// split.
	rng := rand.New(rand.NewPCG(1, 2))
	x := nn.NewMatrix(200, 2)
	labels := make([]int32, 200)
	for i := range 200 {
		t := float64(i/2) / 100 * 3
		c := int32(i % 2)
		s := 1 - 2*float64(c)
		x.Data[2*i] = float32(s*t*math.Cos(t)) + float32(rng.NormFloat64()/20)
		x.Data[2*i+1] = float32(s*t*math.Sin(t)) + float32(rng.NormFloat64()/20)
		labels[i] = c
	}
	data := nn.Data{X: x, Labels: labels}
	dir, _ := os.MkdirTemp("", "simdnn-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "run.ckpt")

	// newRun returns the same run every time: the model's weights, its
	// dropout and the shuffling all come from seeded sources.
	newRun := func() *nn.Trainer {
		src := rand.NewPCG(3, 4)
		init := rand.New(src)
		drop, _ := nn.NewDropout(0.1, 5)
		model, _ := nn.NewSequential(
			nn.NewDense(2, 32, nn.He(init)), nn.ReLU(), drop,
			nn.NewDense(32, 2, nn.Xavier(init)),
		)
		const epochs, steps = 6, 200 / 20
		warm, _ := nn.LinearLR(0.02, 0.1, 1, steps)
		cosine, _ := nn.CosineAnnealingLR(0.02, (epochs-1)*steps, 0)
		schedule, _ := nn.SequentialLR([]nn.LRSchedule{warm, cosine}, []int{steps})
		tr := &nn.Trainer{
			Model: model, Loss: nn.SoftmaxCrossEntropy{}, Optimizer: nn.NewAdamW(0.02),
			BatchSize: 20, Epochs: epochs, RNG: src, Schedule: schedule.PerStep(), ClipNorm: 5,
		}
		tr.OnEpoch = func(nn.EpochInfo) error { return tr.SaveCheckpoint(path) }
		return tr
	}

	whole := newRun()
	if _, err := whole.Fit(data); err != nil {
		panic(err)
	}

	stopped := errors.New("stopped")
	first := newRun()
	save := first.OnEpoch
	first.OnEpoch = func(e nn.EpochInfo) error {
		if err := save(e); err != nil {
			return err
		}
		if e.Epoch == 2 {
			return stopped // as if the process had been killed here
		}
		return nil
	}
	if _, err := first.Fit(data); err != stopped {
		panic(err)
	}

	resumed := newRun()
	if err := resumed.LoadCheckpoint(path); err != nil {
		panic(err)
	}
	epoch, _ := resumed.Position()
	h, err := resumed.Fit(data)
	if err != nil {
		panic(err)
	}
	m, _ := nn.Evaluate(resumed.Model, nn.SoftmaxCrossEntropy{}, data, 0)
	fmt.Printf("resumed at epoch %d, ran %d more\n", epoch, len(h.Epochs))
	fmt.Printf("weights equal to the run never stopped: %v\n", equalWeights(resumed.Model, whole.Model))
	fmt.Printf("accuracy above 90%%: %v\n", m.Accuracy > 0.9)
	// Output:
	// resumed at epoch 3, ran 4 more
	// weights equal to the run never stopped: true
	// accuracy above 90%: true
}

func equalWeights(a, b *nn.Sequential) bool {
	for i, p := range a.Params() {
		if !slices.Equal(p.Value, b.Params()[i].Value) {
			return false
		}
	}
	return true
}
