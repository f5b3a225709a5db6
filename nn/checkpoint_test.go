package nn

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// resumeRun is a small classification run: 50 samples in batches of 8
// (7 steps per epoch, the last of 2 samples), shuffled, through a model
// with dropout, with a schedule that depends on the step count, and a
// StepTol that never stops it.
type resumeRun struct {
	data  Data
	opt   func() Optimizer
	model func() *Sequential
}

func newResumeRun(opt func() Optimizer) resumeRun {
	rng := newRNG(40)
	d := Data{X: randMatrix(rng, 50, 5), Labels: make([]int32, 50)}
	for i := range d.Labels {
		d.Labels[i] = int32(rng.IntN(3))
	}
	return resumeRun{data: d, opt: opt, model: func() *Sequential {
		r := newRNG(41)
		d, err := NewDropout(0.3, 44)
		if err != nil {
			panic(err)
		}
		m, err := NewSequential(NewDense(5, 6, He(r)), Tanh(), d, NewDense(6, 3, Xavier(r)))
		if err != nil {
			panic(err)
		}
		return m
	}}
}

// trainer returns a fresh Trainer of the run for epochs epochs.
func (r resumeRun) trainer(epochs int) *Trainer {
	return &Trainer{
		Model: r.model(), Loss: SoftmaxCrossEntropy{}, Optimizer: r.opt(),
		BatchSize: 8, Epochs: epochs, RNG: rand.NewPCG(42, 43), StepTol: 1e-30,
		Schedule: func(epoch, step int) float64 { return 0.05 / (1 + 0.1*float64(step)) },
	}
}

var errStop = errors.New("stop")

// Training N steps, saving a checkpoint, loading it into fresh objects and
// training on gives the parameters, optimizer state and losses of the
// uninterrupted run, bit for bit: mid-epoch, at an epoch's end, and
// before the first step, for each optimizer.
func TestCheckpointResumesExactly(t *testing.T) {
	for _, o := range []struct {
		name string
		opt  func() Optimizer
	}{
		{"SGD", func() Optimizer { return NewSGD(0.1) }},
		{"Momentum", func() Optimizer { return NewMomentum(0.1, 0.9) }},
		{"Adam", func() Optimizer { return NewAdam(0.01) }},
	} {
		run := newResumeRun(o.opt)
		const epochs = 3
		whole := run.trainer(epochs)
		var wholeLoss []float32
		whole.OnStep = func(s StepInfo) error { wholeLoss = append(wholeLoss, s.Loss); return nil }
		hw, err := whole.Fit(run.data)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{0, 3, 7, 10, 14, 20} {
			t.Run(fmt.Sprintf("%s/after=%d", o.name, n), func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "run.ckpt")
				first := run.trainer(epochs)
				var losses []float32
				if n == 0 {
					if err := first.SaveCheckpoint(path); err != nil {
						t.Fatal(err)
					}
				} else {
					first.OnStep = func(s StepInfo) error {
						losses = append(losses, s.Loss)
						if s.Step == n {
							if err := first.SaveCheckpoint(path); err != nil {
								return err
							}
							return errStop
						}
						return nil
					}
					if _, err := first.Fit(run.data); err != errStop {
						t.Fatalf("first part: err = %v", err)
					}
				}
				second := run.trainer(epochs)
				if err := second.LoadCheckpoint(path); err != nil {
					t.Fatal(err)
				}
				second.OnStep = func(s StepInfo) error { losses = append(losses, s.Loss); return nil }
				h, err := second.Fit(run.data)
				if err != nil {
					t.Fatal(err)
				}
				equalBits(t, "parameters", paramValues(second.Model), paramValues(whole.Model))
				equalBits(t, "losses", losses, wholeLoss)
				equalBits(t, "optimizer state", optimizerState(second), optimizerState(whole))
				last, wantLast := h.Epochs[len(h.Epochs)-1], hw.Epochs[len(hw.Epochs)-1]
				if last.Epoch != wantLast.Epoch || last.Loss != wantLast.Loss || last.Steps != wantLast.Steps || last.MaxStep != wantLast.MaxStep {
					t.Errorf("last epoch %+v, want %+v", last, wantLast)
				}
				if second.steps != whole.steps {
					t.Errorf("%d steps, want %d", second.steps, whole.steps)
				}
			})
		}
	}
}

// optimizerState returns the tensors of the Trainer's optimizer state as
// a checkpoint holds them, concatenated.
func optimizerState(t *Trainer) []float32 {
	set := &tensorSet{}
	t.Optimizer.(checkpointer).saveState(t.Model.Params(), set, map[string]string{})
	var v []float32
	for _, d := range set.dst {
		v = append(v, d...)
	}
	return v
}

// afterOneEpoch trains a Trainer of run for one epoch and returns it and
// its checkpoint.
func afterOneEpoch(t *testing.T, run resumeRun) (*Trainer, []byte) {
	t.Helper()
	tr := run.trainer(1)
	if _, err := tr.Fit(run.data); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := tr.WriteCheckpoint(&b); err != nil {
		t.Fatal(err)
	}
	return tr, b.Bytes()
}

// A checkpoint's optimizer tensors and metadata are named as PyTorch's
// optimizer state_dict names them.
func TestCheckpointNames(t *testing.T) {
	run := newResumeRun(func() Optimizer { return NewAdam(0.01) })
	_, file := afterOneEpoch(t, run)
	header := string(file[8:])
	for _, want := range []string{`"0.weight"`, `"3.bias"`, `"state.0.exp_avg"`, `"simdnn.dropout_rng.2"`, `"state.3.exp_avg_sq"`,
		`"state.0.step":"7"`, `"param_groups.0.betas":"[0.9, 0.999]"`, `"param_groups.0.eps":"1e-08"`,
		`"simdnn.epoch":"2"`, `"simdnn.epoch_steps":"0"`, `"simdnn.steps":"7"`} {
		if !strings.Contains(header, want) {
			t.Errorf("the checkpoint's header has no %s", want)
		}
	}
}

// A checkpoint that does not fit the Trainer, or is damaged, is refused
// with an error that says why, and the Trainer is left as it was.
func TestCheckpointRefused(t *testing.T) {
	run := newResumeRun(func() Optimizer { return NewMomentum(0.05, 0.9) })
	tr, good := afterOneEpoch(t, run)
	var model bytes.Buffer
	if _, err := tr.Model.WriteTo(&model); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		file []byte
		tr   func() *Trainer
		want string
	}{
		{"another optimizer", good, func() *Trainer { r := run; r.opt = func() Optimizer { return NewAdam(0.01) }; return r.trainer(1) }, "optimizer is Momentum, the Trainer's is Adam"},
		{"another model", good, func() *Trainer {
			r := run
			r.model = func() *Sequential {
				d, _ := NewDropout(0.3, 1)
				m, _ := NewSequential(NewDense(5, 6, nil), ReLU(), d, NewDense(6, 3, nil))
				return m
			}
			return r.trainer(1)
		}, "the Trainer's model is"},
		{"no RNG", good, func() *Trainer { tr := run.trainer(1); tr.RNG = nil; return tr }, "the Trainer has no RNG"},
		{"an RNG without state", good, func() *Trainer { tr := run.trainer(1); tr.RNG = rand.New(rand.NewPCG(1, 2)); return tr }, "cannot restore its state"},
		{"a model file", model.Bytes(), func() *Trainer { return run.trainer(1) }, "not a checkpoint"},
		{"truncated", good[:len(good)-3], func() *Trainer { return run.trainer(1) }, "truncated"},
		{"a bad RNG state", bytes.Replace(good, []byte(`"simdnn.rng":"cGNn`), []byte(`"simdnn.rng":"eGNn`), 1), func() *Trainer { return run.trainer(1) }, "simdnn.rng"},
		{"a NaN momentum", bytes.Replace(good, []byte(`"param_groups.0.momentum":"0.9"`), []byte(`"param_groups.0.momentum":"NaN"`), 1), func() *Trainer { return run.trainer(1) }, "Momentum = NaN"},
		{"a bad dropout state", bytes.Replace(good, []byte(`"simdnn.dropout_rng.2":"cGNn`), []byte(`"simdnn.dropout_rng.2":"eGNn`), 1), func() *Trainer { return run.trainer(1) }, "simdnn.dropout_rng.2"},
		{"a bad epoch", bytes.Replace(good, []byte(`"simdnn.epoch":"2"`), []byte(`"simdnn.epoch":"0"`), 1), func() *Trainer { return run.trainer(1) }, "simdnn.epoch"},
	}
	for _, c := range cases {
		tr := c.tr()
		before := paramValues(tr.Model)
		lr := tr.Optimizer.LearningRate()
		_, err := tr.ReadCheckpoint(bytes.NewReader(c.file))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one saying %q", c.name, err, c.want)
		}
		equalBits(t, c.name, paramValues(tr.Model), before)
		if tr.resume != nil || tr.steps != 0 || tr.Optimizer.LearningRate() != lr {
			t.Errorf("%s: the Trainer changed", c.name)
		}
	}

	// Fit on other data, or in other batches, than the checkpoint's run.
	for _, c := range []struct {
		name string
		data Data
		bs   int
		want string
	}{
		{"fewer samples", run.data.Slice(0, 40), 8, "on 50 samples, this run has 40"},
		{"other batches", run.data, 10, "batches of 8 samples, this run has 10"},
	} {
		tr := run.trainer(2)
		tr.BatchSize = c.bs
		if _, err := tr.ReadCheckpoint(bytes.NewReader(good)); err != nil {
			t.Fatal(err)
		}
		if _, err := tr.Fit(c.data); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Fit err = %v, want one saying %q", c.name, err, c.want)
		}
	}
}

// SaveCheckpoint refuses non-finite state and an optimizer it cannot
// save, and leaves the previous file in place.
func TestSaveCheckpointRefused(t *testing.T) {
	run := newResumeRun(func() Optimizer { return NewAdam(0.01) })
	tr := run.trainer(1)
	path := filepath.Join(t.TempDir(), "run.ckpt")
	if err := tr.SaveCheckpoint(path); err != nil {
		t.Fatal(err)
	}
	old, _ := os.ReadFile(path)
	tr.Model.Params()[1].Value[0] = float32(math.Inf(1))
	if err := tr.SaveCheckpoint(path); !errors.Is(err, ErrNotFinite) || !strings.Contains(err.Error(), `"0.bias"`) {
		t.Errorf("err = %v, want ErrNotFinite naming 0.bias", err)
	}
	tr.Model.Params()[1].Value[0] = 0
	tr.Optimizer = otherOptimizer{tr.Optimizer}
	if err := tr.SaveCheckpoint(path); err == nil || !strings.Contains(err.Error(), "cannot be checkpointed") {
		t.Errorf("err = %v, want one saying the optimizer cannot be checkpointed", err)
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, old) {
		t.Error("a failed SaveCheckpoint changed the file")
	}
}

// otherOptimizer is an Optimizer of another package.
type otherOptimizer struct{ Optimizer }
