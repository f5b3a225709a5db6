package nn

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// guardOptimizers are the optimizers and options the guard tests run.
var guardOptimizers = []struct {
	name string
	make func() Optimizer
}{
	{"SGD", func() Optimizer { return NewSGD(0.1) }},
	{"SGD weight decay", func() Optimizer { return &SGD{LR: 0.1, WeightDecay: 0.01} }},
	{"Momentum", func() Optimizer { return NewMomentum(0.1, 0.9) }},
	{"Momentum dampening weight decay", func() Optimizer {
		return &Momentum{LR: 0.1, Momentum: 0.9, Dampening: 0.5, WeightDecay: 0.01}
	}},
	{"Nesterov", func() Optimizer { return &Momentum{LR: 0.1, Momentum: 0.9, Nesterov: true} }},
	{"Adam", func() Optimizer { return NewAdam(0.01) }},
	{"Adam weight decay AMSGrad", func() Optimizer { o := NewAdam(0.01); o.WeightDecay, o.AMSGrad = 0.01, true; return o }},
	{"AdamW", func() Optimizer { return NewAdamW(0.01) }},
}

// guardModel returns a model and a Trainer with opt, after two good
// steps, so that the optimizer has state.
func guardModel(t *testing.T, opt Optimizer) (*Trainer, Data) {
	t.Helper()
	rng := newRNG(60)
	model, err := NewSequential(NewDense(3, 5, He(rng)), ReLU(), NewDense(5, 2, Xavier(rng)))
	if err != nil {
		t.Fatal(err)
	}
	d := Data{X: randMatrix(rng, 8, 3), Labels: []int32{0, 1, 1, 0, 1, 0, 0, 1}}
	tr := &Trainer{Model: model, Loss: SoftmaxCrossEntropy{}, Optimizer: opt}
	for range 2 {
		if _, err := tr.Step(d); err != nil {
			t.Fatal(err)
		}
	}
	return tr, d
}

// snapshot is the whole training state, as a checkpoint writes it.
func snapshot(t *testing.T, tr *Trainer) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := tr.WriteCheckpoint(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A step whose update would write NaN or ±Inf into a parameter or the
// optimizer's state returns ErrNotFinite and leaves parameters and state
// bit-identical, for every optimizer and every cause: a NaN or infinite
// gradient in any parameter, an update that overflows, a second moment
// that overflows; and the next good step runs as if the bad one had never
// been tried.
func TestStepNeverWritesNonFinite(t *testing.T) {
	causes := []struct {
		name  string
		param int // which parameter's gradient is set
		g     float32
		lr    float64
		want  string
	}{
		{"NaN gradient", 0, float32(math.NaN()), 0, "its gradient holds NaN or ±Inf"},
		{"+Inf gradient", 3, float32(math.Inf(1)), 0, "its gradient holds NaN or ±Inf"},
		{"-Inf gradient, zero rate", 2, float32(math.Inf(-1)), 1e-45, "its gradient holds NaN or ±Inf"},
		{"overflowing update", 1, 3e38, 1e30, "the update overflows"},
	}
	for _, o := range guardOptimizers {
		for _, c := range causes {
			t.Run(o.name+"/"+c.name, func(t *testing.T) {
				tr, d := guardModel(t, o.make())
				twin, _ := guardModel(t, o.make())
				before := snapshot(t, tr)
				if c.lr != 0 {
					tr.Optimizer.SetLearningRate(c.lr)
				}
				ps := tr.Model.Params()
				for _, p := range ps {
					for i := range p.Grad {
						p.Grad[i] = 0.5
					}
					p.hasGrad = true
				}
				ps[c.param].Grad[1] = c.g
				err := tr.Optimizer.Step(ps)
				if !errors.Is(err, ErrNotFinite) || !strings.Contains(err.Error(), fmt.Sprintf("parameter %d", c.param)) {
					// An overflow of the update may show first in
					// the optimizer's state, of any parameter.
					if c.name != "overflowing update" || !errors.Is(err, ErrNotFinite) {
						t.Fatalf("err = %v, want ErrNotFinite naming parameter %d", err, c.param)
					}
				}
				if c.lr != 0 {
					tr.Optimizer.SetLearningRate(twin.Optimizer.LearningRate())
				}
				if !bytes.Equal(snapshot(t, tr), before) {
					t.Fatal("the failed step changed the parameters or the optimizer's state")
				}
				// The next good step gives the twin's bits.
				for _, x := range []*Trainer{tr, twin} {
					if _, err := x.Step(d); err != nil {
						t.Fatal(err)
					}
				}
				if !bytes.Equal(snapshot(t, tr), snapshot(t, twin)) {
					t.Error("after a failed step, a good one differs from the twin's that never failed")
				}
			})
		}
	}
}

// A step that the bounds cannot prove finite but is runs on copies and
// gives the bits of the update run in place.
func TestStepBeyondTheBounds(t *testing.T) {
	for _, o := range guardOptimizers {
		fast, _ := guardModel(t, o.make())
		slow, _ := guardModel(t, o.make())
		// A gradient beyond gradLimit, with a learning rate small
		// enough that every result is finite; and the same step
		// scaled into the bounds, whose bits differ.
		for _, tr := range []*Trainer{fast, slow} {
			for _, p := range tr.Model.Params() {
				for i := range p.Grad {
					p.Grad[i] = float32(i%3) - 1
				}
				p.hasGrad = true
			}
		}
		slow.Model.Params()[0].Grad[0] = 1e20
		fast.Model.Params()[0].Grad[0] = 1e20
		// fast's guard runs the kernels in place: forbid it the
		// trial by asking for the rule directly.
		r := fast.Optimizer.(rule)
		var states map[*Param]*paramState
		switch opt := fast.Optimizer.(type) {
		case *Momentum:
			states = opt.state
		case *Adam:
			states = opt.state
		}
		for _, p := range fast.Model.Params() {
			st := states[p]
			if st == nil {
				st = &paramState{}
			}
			r.apply(p.Value, p.Grad, st)
			st.step++
		}
		if err := slow.Optimizer.Step(slow.Model.Params()); err != nil {
			t.Fatalf("%s: %v", o.name, err)
		}
		equalBits(t, o.name, paramValues(slow.Model), paramValues(fast.Model))
	}
}

// The Trainer stops on a gradient that is not finite although the loss
// is: a +Inf input that ReLU masks gives a finite loss and a NaN
// gradient (0·Inf).
func TestTrainerStepMaskedInf(t *testing.T) {
	for _, o := range guardOptimizers {
		tr, d := guardModel(t, o.make())
		d.X = d.X.Clone()
		// The first layer's weights of input 0 are negative, so that
		// +Inf there gives −Inf before ReLU, and 0 after.
		w := tr.Model.Params()[0]
		for j := range 5 {
			w.Value[j*3] = -1
		}
		before := snapshot(t, tr)
		d.X.Data[0] = float32(math.Inf(1))
		loss, err := tr.Step(d)
		if !errors.Is(err, ErrNotFinite) || math.IsNaN(float64(loss)) || math.IsInf(float64(loss), 0) {
			t.Errorf("%s: loss %v, err %v; want a finite loss and ErrNotFinite", o.name, loss, err)
		}
		if !bytes.Equal(snapshot(t, tr), before) {
			t.Errorf("%s: the failed step changed the training state", o.name)
		}
	}
}

// BenchmarkGuard measures what the non-finite guard adds to a training
// step of the MNIST model 784→256→128→10 at batch 64: each iteration runs
// two steps, one through the optimizer's Step (guarded) and one that
// applies the same updates directly, and times their updates apart, so
// that the two share every condition of the machine. guard-% is the
// difference as a share of the whole guarded step:
//
//	go test ./nn -run '^$' -bench Guard -count 6
func BenchmarkGuard(b *testing.B) {
	for _, o := range []struct {
		name string
		make func() Optimizer
	}{
		{"SGD", func() Optimizer { return NewSGD(1e-3) }},
		{"Adam", func() Optimizer { return NewAdam(1e-4) }},
	} {
		b.Run("opt="+o.name, func(b *testing.B) {
			rng := newRNG(70)
			model, _ := NewSequential(NewDense(784, 256, He(rng)), ReLU(), NewDense(256, 128, He(rng)), ReLU(), NewDense(128, 10, Xavier(rng)))
			d := Data{X: randMatrix(rng, 64, 784), Labels: make([]int32, 64)}
			for i := range d.Labels {
				d.Labels[i] = int32(i % 10)
			}
			opt := o.make()
			tr := &Trainer{Model: model, Loss: SoftmaxCrossEntropy{}, Optimizer: opt}
			if _, err := tr.Step(d); err != nil { // the state exists from here on
				b.Fatal(err)
			}
			r := opt.(rule)
			var states map[*Param]*paramState
			if a, ok := opt.(*Adam); ok {
				states = a.state
			}
			none := &paramState{}
			backward := func() {
				pred, _ := model.Forward(d.X)
				grad := tr.grad.get(pred.Rows, pred.Cols)
				tr.Loss.Eval(grad, pred, d)
				model.ZeroGrad()
				model.Backward(grad, false)
			}
			var whole, guarded, direct time.Duration
			for b.Loop() {
				t0 := time.Now()
				backward()
				t1 := time.Now()
				if err := opt.Step(model.Params()); err != nil {
					b.Fatal(err)
				}
				t2 := time.Now()
				backward()
				t3 := time.Now()
				for _, p := range model.Params() {
					st := none
					if states != nil {
						st = states[p]
					}
					r.apply(p.Value, p.Grad, st)
					st.step++
				}
				t4 := time.Now()
				whole += t2.Sub(t0)
				guarded += t2.Sub(t1)
				direct += t4.Sub(t3)
			}
			n := float64(b.N)
			b.ReportMetric(float64(guarded-direct)/n/1e3, "guard-µs")
			b.ReportMetric(100*float64(guarded-direct)/float64(whole), "guard-%")
			b.ReportMetric(float64(whole)/n/1e3, "step-µs")
		})
	}
}

// Options that need state start it when they are switched on, as
// PyTorch's do: momentum 0 keeps no buffer (PyTorch's momentum_buffer is
// None), and turning momentum or AMSGrad on later starts the new
// tensors at the next step.
func TestStateFollowsOptions(t *testing.T) {
	m := &Momentum{LR: 0.1}
	tr, d := guardModel(t, m)
	if len(m.state) != 0 || bytes.Contains(snapshot(t, tr), []byte("momentum_buffer")) {
		t.Errorf("momentum 0 keeps %d buffers", len(m.state))
	}
	m.Momentum = 0.9
	if _, err := tr.Step(d); err != nil {
		t.Fatal(err)
	}
	for p, st := range m.state {
		// The first step with momentum sets the buffer to the gradient.
		equalBits(t, "the first momentum buffer", st.bufs[0], p.Grad)
	}
	if len(m.state) != len(tr.Model.Params()) {
		t.Errorf("%d buffers after momentum was switched on, want one per parameter", len(m.state))
	}

	a := NewAdam(0.01)
	tr, d = guardModel(t, a)
	a.AMSGrad = true
	if _, err := tr.Step(d); err != nil {
		t.Fatal(err)
	}
	for _, st := range a.state {
		if len(st.bufs) != 3 || !slices.Equal(st.bufs[2], st.bufs[1]) {
			t.Fatal("AMSGrad switched on: max_exp_avg_sq is not the first step's exp_avg_sq")
		}
	}
}
