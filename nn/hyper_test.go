package nn

import (
	"errors"
	"math"
	"strings"
	"testing"
)

var (
	nan32  = float32(math.NaN())
	inf32  = float32(math.Inf(1))
	ninf32 = float32(math.Inf(-1))
)

// badOptimizers are optimizers with one hyper-parameter out of range,
// what their error must say, and whether it must wrap ErrNotFinite.
var badOptimizers = []struct {
	name      string
	opt       func() Optimizer
	want      string
	notFinite bool
}{
	{"SGD NaN lr", func() Optimizer { return NewSGD(nan32) }, "nn.SGD: learning rate NaN", true},
	{"SGD +Inf lr", func() Optimizer { return NewSGD(inf32) }, "learning rate +Inf", true},
	{"SGD negative lr", func() Optimizer { return NewSGD(-0.1) }, "learning rate -0.1 is negative", false},
	{"Momentum NaN lr", func() Optimizer { return NewMomentum(nan32, 0.9) }, "nn.Momentum: learning rate NaN", true},
	{"Momentum -Inf lr", func() Optimizer { return NewMomentum(ninf32, 0.9) }, "learning rate -Inf", true},
	{"Momentum 1", func() Optimizer { return NewMomentum(0.1, 1) }, "Momentum = 1, want 0 ≤ Momentum < 1", false},
	{"Momentum negative", func() Optimizer { return NewMomentum(0.1, -0.5) }, "Momentum = -0.5", false},
	{"Momentum NaN", func() Optimizer { return NewMomentum(0.1, nan32) }, "Momentum = NaN", true},
	{"Adam NaN lr", func() Optimizer { return NewAdam(nan32) }, "nn.Adam: learning rate NaN", true},
	{"Adam negative lr", func() Optimizer { return NewAdam(-1e-3) }, "learning rate -0.001 is negative", false},
	{"Adam β₁ = 1", func() Optimizer { a := NewAdam(1e-3); a.Beta1 = 1; return a }, "Beta1 = 1", false},
	{"Adam β₁ NaN", func() Optimizer { a := NewAdam(1e-3); a.Beta1 = nan32; return a }, "Beta1 = NaN", true},
	{"Adam β₂ = 1.5", func() Optimizer { a := NewAdam(1e-3); a.Beta2 = 1.5; return a }, "Beta2 = 1.5", false},
	{"Adam β₂ negative", func() Optimizer { a := NewAdam(1e-3); a.Beta2 = -0.1; return a }, "Beta2 = -0.1", false},
	{"Adam ε = 0", func() Optimizer { a := NewAdam(1e-3); a.Eps = 0; return a }, "Eps = 0, want > 0", false},
	{"Adam ε negative", func() Optimizer { a := NewAdam(1e-3); a.Eps = -1e-8; return a }, "Eps = -1e-08", false},
	{"Adam ε +Inf", func() Optimizer { a := NewAdam(1e-3); a.Eps = inf32; return a }, "Eps = +Inf", true},
	{"Adam literal", func() Optimizer { return &Adam{LR: 1e-3} }, "Eps = 0, want > 0 (NewAdam sets", false},
	{"Adam zero value", func() Optimizer { return &Adam{} }, "Eps = 0", false},
}

// An optimizer step with a hyper-parameter out of range returns an error
// and touches no parameter, at its first step and at any later one.
func TestOptimizerRejectsHyperparameters(t *testing.T) {
	for _, c := range badOptimizers {
		for _, later := range []bool{false, true} {
			p := newParam("w", 3)
			copy(p.Value, []float32{1, 2, 3})
			copy(p.Grad, []float32{0.5, -1, 2})
			p.hasGrad = true
			opt := c.opt()
			if later {
				// Break the hyper-parameter of an optimizer that has
				// stepped, through a schedule's entry point or the
				// field, as a user's loop would.
				good, bad := validTwin(opt), opt
				if err := good.Step([]*Param{p}); err != nil {
					t.Fatalf("%s: the valid twin fails: %v", c.name, err)
				}
				copyHyper(good, bad)
				opt = good
			}
			before := append([]float32(nil), p.Value...)
			err := opt.Step([]*Param{p})
			if err == nil || !strings.Contains(err.Error(), c.want) || errors.Is(err, ErrNotFinite) != c.notFinite {
				t.Errorf("%s (after a step: %v): err = %v, want one saying %q, ErrNotFinite %v", c.name, later, err, c.want, c.notFinite)
			}
			equalBits(t, c.name, p.Value, before)
		}
	}
}

// validTwin returns an optimizer of o's kind with valid hyper-parameters.
func validTwin(o Optimizer) Optimizer {
	switch o.(type) {
	case *SGD:
		return NewSGD(0.1)
	case *Momentum:
		return NewMomentum(0.1, 0.9)
	}
	return NewAdam(0.1)
}

// copyHyper copies the hyper-parameters of src into dst, of the same kind.
func copyHyper(dst, src Optimizer) {
	switch d := dst.(type) {
	case *SGD:
		d.LR = src.(*SGD).LR
	case *Momentum:
		s := src.(*Momentum)
		d.LR, d.Momentum = s.LR, s.Momentum
	case *Adam:
		s := src.(*Adam)
		d.LR, d.Beta1, d.Beta2, d.Eps = s.LR, s.Beta1, s.Beta2, s.Eps
	}
}

// Fit rejects an optimizer with a hyper-parameter out of range before
// its first step: no parameter changes, no callback runs.
func TestFitRejectsHyperparameters(t *testing.T) {
	rng := newRNG(30)
	d := Data{X: randMatrix(rng, 8, 3), Y: randMatrix(rng, 8, 2)}
	for _, c := range badOptimizers {
		model, _ := NewSequential(NewDense(3, 2, Xavier(rng)))
		before := paramValues(model)
		steps := 0
		tr := &Trainer{Model: model, Loss: MSE{}, Optimizer: c.opt(), BatchSize: 4, Epochs: 2,
			OnStep: func(StepInfo) error { steps++; return nil }}
		_, err := tr.Fit(d)
		if err == nil || !strings.Contains(err.Error(), c.want) || errors.Is(err, ErrNotFinite) != c.notFinite {
			t.Errorf("%s: Fit err = %v, want one saying %q, ErrNotFinite %v", c.name, err, c.want, c.notFinite)
		}
		if steps != 0 {
			t.Errorf("%s: %d steps ran", c.name, steps)
		}
		equalBits(t, c.name, paramValues(model), before)
	}
}

// The zero-value Momentum is usable: PyTorch's default momentum 0, plain
// gradient descent.
func TestMomentumZeroValue(t *testing.T) {
	p := newParam("w", 2)
	copy(p.Value, []float32{1, 1})
	opt := &Momentum{LR: 0.5}
	for _, g := range [][]float32{{1, -2}, {0.5, 0.5}} {
		copy(p.Grad, g)
		p.hasGrad = true
		if err := opt.Step([]*Param{p}); err != nil {
			t.Fatal(err)
		}
	}
	// θ = 1 − 0.5·(1 + 0.5), 1 − 0.5·(−2 + 0.5): no velocity carried.
	assertClose(t, "zero-value Momentum", p.Value, []float64{0.25, 1.75}, 0)
}

// A schedule value that is NaN, ±Inf or negative stops Fit before its
// step, with ErrNotFinite for the non-finite ones: the parameters are
// those of the steps before it, and the optimizer keeps the last good
// learning rate.
func TestFitRejectsSchedule(t *testing.T) {
	rng := newRNG(31)
	d := Data{X: randMatrix(rng, 8, 3), Y: randMatrix(rng, 8, 2)}
	for _, c := range []struct {
		name      string
		bad       float32
		want      string
		notFinite bool
	}{
		{"NaN", nan32, "learning rate NaN", true},
		{"+Inf", inf32, "learning rate +Inf", true},
		{"-Inf", ninf32, "learning rate -Inf", true},
		{"negative", -0.01, "learning rate -0.01 is negative", false},
	} {
		for _, opt := range []Optimizer{NewSGD(0.1), NewMomentum(0.1, 0.9), NewAdam(0.1)} {
			model, _ := NewSequential(NewDense(3, 2, Xavier(rng)))
			var good []float32
			steps := 0
			tr := &Trainer{Model: model, Loss: MSE{}, Optimizer: opt, BatchSize: 4, Epochs: 3,
				// Step 3 (2 steps before it) gets the bad value.
				Schedule: func(_, step int) float32 {
					if step == 2 {
						return c.bad
					}
					return 0.05
				},
				OnStep: func(StepInfo) error { steps++; good = paramValues(model); return nil }}
			_, err := tr.Fit(d)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "step 3") || errors.Is(err, ErrNotFinite) != c.notFinite {
				t.Errorf("%s, %s: err = %v, want one at step 3 saying %q, ErrNotFinite %v", c.name, fmtOpt(opt), err, c.want, c.notFinite)
			}
			if steps != 2 {
				t.Errorf("%s, %s: %d steps ran, want 2", c.name, fmtOpt(opt), steps)
			}
			equalBits(t, c.name+" parameters", paramValues(model), good)
			if lr := opt.LearningRate(); lr != 0.05 {
				t.Errorf("%s, %s: learning rate %v after the error, want the last good 0.05", c.name, fmtOpt(opt), lr)
			}
		}
	}
}
