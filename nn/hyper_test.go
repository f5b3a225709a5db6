package nn

import (
	"errors"
	"math"
	"strings"
	"testing"
)

var (
	nan64  = math.NaN()
	inf64  = math.Inf(1)
	ninf64 = math.Inf(-1)
)

// badOptimizers are optimizers with one hyper-parameter out of range,
// what their error must say, and whether it must wrap ErrNotFinite.
var badOptimizers = []struct {
	name      string
	opt       func() Optimizer
	want      string
	notFinite bool
}{
	{"SGD NaN lr", func() Optimizer { return NewSGD(nan64) }, "nn.SGD: learning rate NaN", true},
	{"SGD +Inf lr", func() Optimizer { return NewSGD(inf64) }, "learning rate +Inf", true},
	{"SGD negative lr", func() Optimizer { return NewSGD(-0.1) }, "learning rate -0.1 is negative", false},
	{"Momentum NaN lr", func() Optimizer { return NewMomentum(nan64, 0.9) }, "nn.Momentum: learning rate NaN", true},
	{"Momentum -Inf lr", func() Optimizer { return NewMomentum(ninf64, 0.9) }, "learning rate -Inf", true},
	{"Momentum 1", func() Optimizer { return NewMomentum(0.1, 1) }, "Momentum = 1, want 0 ≤ Momentum < 1", false},
	{"Momentum negative", func() Optimizer { return NewMomentum(0.1, -0.5) }, "Momentum = -0.5", false},
	{"Momentum NaN", func() Optimizer { return NewMomentum(0.1, nan64) }, "Momentum = NaN", true},
	{"Adam NaN lr", func() Optimizer { return NewAdam(nan64) }, "nn.Adam: learning rate NaN", true},
	{"Adam negative lr", func() Optimizer { return NewAdam(-1e-3) }, "learning rate -0.001 is negative", false},
	{"Adam β₁ = 1", func() Optimizer { a := NewAdam(1e-3); a.Beta1 = 1; return a }, "Beta1 = 1", false},
	{"Adam β₁ NaN", func() Optimizer { a := NewAdam(1e-3); a.Beta1 = nan64; return a }, "Beta1 = NaN", true},
	{"Adam β₂ = 1.5", func() Optimizer { a := NewAdam(1e-3); a.Beta2 = 1.5; return a }, "Beta2 = 1.5", false},
	{"Adam β₂ negative", func() Optimizer { a := NewAdam(1e-3); a.Beta2 = -0.1; return a }, "Beta2 = -0.1", false},
	{"Adam ε = 0", func() Optimizer { a := NewAdam(1e-3); a.Eps = 0; return a }, "Eps = 0, want > 0", false},
	{"Adam ε negative", func() Optimizer { a := NewAdam(1e-3); a.Eps = -1e-8; return a }, "Eps = -1e-08", false},
	{"Adam ε +Inf", func() Optimizer { a := NewAdam(1e-3); a.Eps = inf64; return a }, "Eps = +Inf", true},
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
				copyHyper(good.(checkpointer), bad.(checkpointer))
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
