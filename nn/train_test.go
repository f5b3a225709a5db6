package nn

import (
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"testing"
)

// spirals returns n samples of a 3-class problem that no linear model
// solves: points on three interleaved spirals.
func spirals(n int, seed uint64) Data {
	rng := newRNG(seed)
	d := Data{X: NewMatrix(n, 2), Labels: make([]int32, n)}
	for i := range n {
		c := i % 3
		r := rng.Float64()
		a := 4*r + 2*math.Pi*float64(c)/3 + 0.2*rng.NormFloat64()
		d.X.Set(i, 0, float32(r*math.Cos(a)))
		d.X.Set(i, 1, float32(r*math.Sin(a)))
		d.Labels[i] = int32(c)
	}
	return d
}

// End to end: a seeded MLP learns the spirals, which a linear model
// cannot (about 1/3 to 1/2 accuracy), and the training loss falls below a
// threshold.
func TestTrainSpirals(t *testing.T) {
	rng := newRNG(6)
	model, err := NewSequential(NewDense(2, 32, He(rng)), ReLU(), NewDense(32, 32, He(rng)), ReLU(), NewDense(32, 3, Xavier(rng)))
	if err != nil {
		t.Fatal(err)
	}
	tr := &Trainer{Model: model, Loss: SoftmaxCrossEntropy{}, Optimizer: NewAdam(0.01), BatchSize: 32, Epochs: 40, RNG: rng,
		Validation: spirals(600, 8)}
	h, err := tr.Fit(spirals(900, 7))
	if err != nil {
		t.Fatal(err)
	}
	last := h.Epochs[len(h.Epochs)-1]
	t.Logf("loss %.3f, accuracy %.3f", last.Loss, last.Validation.Accuracy)
	if last.Loss > 0.1 || last.Validation.Accuracy < 0.97 {
		t.Errorf("after %d epochs: loss %.3f (want ≤ 0.1), validation accuracy %.3f (want ≥ 0.97)", last.Epoch, last.Loss, last.Validation.Accuracy)
	}
	if h.Epochs[0].Loss < 2*last.Loss {
		t.Errorf("the loss fell only from %.3f to %.3f", h.Epochs[0].Loss, last.Loss)
	}
}

// Full-batch gradient descent on a linear regression stops by StepTol
// once the parameters settle, near the least-squares solution, and
// LossTol stops it once the loss settles.
func TestTrainStopRules(t *testing.T) {
	rng := newRNG(9)
	d := Data{X: randMatrix(rng, 50, 2), Y: NewMatrix(50, 1)}
	for i := range 50 {
		d.Y.Data[i] = 3*d.X.At(i, 0) - 2*d.X.At(i, 1) + 0.5
	}
	for _, c := range []struct {
		name             string
		stepTol, lossTol float64
	}{{"StepTol", 1e-6, 0}, {"LossTol", 0, 1e-10}} {
		layer := NewDense(2, 1, nil)
		model, _ := NewSequential(layer)
		tr := &Trainer{Model: model, Loss: MSE{}, Optimizer: NewSGD(0.5), Epochs: 100000, StepTol: c.stepTol, LossTol: c.lossTol}
		h, err := tr.Fit(d)
		if err != nil {
			t.Fatal(err)
		}
		if h.Stopped == "" || len(h.Epochs) == 100000 {
			t.Fatalf("%s: ran all %d epochs", c.name, len(h.Epochs))
		}
		assertClose(t, c.name+" weights", layer.Weight.Value, []float64{3, -2}, 1e-3)
		assertClose(t, c.name+" bias", layer.Bias.Value, []float64{0.5}, 1e-3)
	}
}

// A loss that turns non-finite stops training with ErrNotFinite and
// leaves the parameters as the last good step left them: a learning rate
// of 1e30 makes the first step's weights about 1e30, finite, and the
// second step's squared error overflow float32.
func TestTrainStopsOnNaN(t *testing.T) {
	rng := newRNG(10)
	d := Data{X: randMatrix(rng, 20, 3), Y: randMatrix(rng, 20, 1)}
	layer := NewDense(3, 1, Xavier(rng))
	model, _ := NewSequential(layer)
	var good, goodBias []float32
	steps := 0
	tr := &Trainer{Model: model, Loss: MSE{}, Optimizer: NewSGD(1e30), BatchSize: 10, Epochs: 3,
		OnStep: func(StepInfo) error {
			steps++
			good = append(good[:0], layer.Weight.Value...)
			goodBias = append(goodBias[:0], layer.Bias.Value...)
			return nil
		}}
	_, err := tr.Fit(d)
	if !errors.Is(err, ErrNotFinite) {
		t.Fatalf("err = %v, want ErrNotFinite", err)
	}
	if steps != 1 {
		t.Fatalf("%d good steps before the overflow, want 1", steps)
	}
	equalBits(t, "weights", layer.Weight.Value, good)
	equalBits(t, "bias", layer.Bias.Value, goodBias)
	for _, v := range append(layer.Weight.Value, layer.Bias.Value...) {
		if v-v != 0 {
			t.Fatalf("%v reached the parameters", v)
		}
	}
}

// Once a batch size has been seen, a training step (forward, loss,
// backward, Adam update) allocates nothing.
func TestTrainStepAllocs(t *testing.T) {
	if asanBuild() {
		t.Skip("allocation counts mean nothing under -asan, where the runtime allocates where it otherwise does not")
	}
	rng := newRNG(11)
	model, _ := NewSequential(NewDense(20, 16, He(rng)), ReLU(), NewDense(16, 4, Xavier(rng)))
	tr := &Trainer{Model: model, Loss: SoftmaxCrossEntropy{}, Optimizer: NewAdam(1e-3)}
	d := Data{X: randMatrix(rng, 32, 20), Labels: make([]int32, 32)}
	if _, err := tr.Step(d); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(20, func() {
		if _, err := tr.Step(d); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("a training step allocates %v times", n)
	}
}

// The schedule sets the learning rate of every step, from the epoch and
// the number of steps before it; a callback's error stops Fit.
func TestTrainScheduleAndCallbacks(t *testing.T) {
	rng := newRNG(13)
	d := Data{X: randMatrix(rng, 10, 2), Y: randMatrix(rng, 10, 1)}
	model, _ := NewSequential(NewDense(2, 1, nil))
	opt := NewSGD(1)
	var seen []float64
	stop := errors.New("stop")
	tr := &Trainer{Model: model, Loss: MSE{}, Optimizer: opt, BatchSize: 4, Epochs: 5,
		Schedule: func(epoch, step int) float64 { return float64(100*epoch + step) },
		OnStep:   func(StepInfo) error { seen = append(seen, opt.LR); return nil },
		OnEpoch: func(e EpochInfo) error {
			if e.Epoch == 2 {
				return stop
			}
			return nil
		},
	}
	h, err := tr.Fit(d)
	if err != stop {
		t.Fatalf("err = %v, want the callback's", err)
	}
	// Batches of 4, 4 and 2 samples: three steps per epoch.
	want := []float64{100, 101, 102, 203, 204, 205}
	if len(h.Epochs) != 2 || fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("%d epochs, learning rates %v; want 2 and %v", len(h.Epochs), seen, want)
	}
}

// asanBuild reports whether the test binary was built with -asan.
func asanBuild() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-asan" && s.Value == "true" {
			return true
		}
	}
	return false
}
