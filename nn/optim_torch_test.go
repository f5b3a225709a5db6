package nn

import (
	"fmt"
	"math"
	"testing"
)

// torchOptim is the optim fixture of testdata/torch (gen.py).
type torchOptim struct {
	Shapes [][]int
	Init   [][]float64
	Grads  [][][]float64
	Cases  []struct {
		Optimizer string
		Options   struct {
			LR, Momentum, Dampening, Eps float64
			WeightDecay                  float64 `json:"weight_decay"`
			Nesterov, AMSGrad            bool
			Betas                        []float64
		}
		Steps []struct {
			Params [][]float64
			State  map[string]any
		}
	}
}

// Every optimizer and option set gives PyTorch's parameters and state
// after each of three steps, to float32 rounding: the hyper-parameters'
// arithmetic in float64 (1 − β₂ among them) included.
func TestOptimizersMatchTorch(t *testing.T) {
	var f torchOptim
	loadTorchFixture(t, "optim", &f)
	if len(f.Cases) == 0 {
		t.Fatal("optim.json holds no cases")
	}
	for _, c := range f.Cases {
		o := c.Options
		var opt Optimizer
		var states func() map[*Param]*paramState
		var names []string
		switch c.Optimizer {
		case "SGD":
			if o.Momentum == 0 {
				opt = &SGD{LR: o.LR, WeightDecay: o.WeightDecay}
				break
			}
			m := &Momentum{LR: o.LR, Momentum: o.Momentum, Dampening: o.Dampening, WeightDecay: o.WeightDecay, Nesterov: o.Nesterov}
			opt, states, names = m, func() map[*Param]*paramState { return m.state }, momentumState
		case "Adam", "AdamW":
			a := NewAdam(o.LR)
			if c.Optimizer == "AdamW" {
				a = NewAdamW(o.LR)
			}
			if o.Betas != nil {
				a.Beta1, a.Beta2 = o.Betas[0], o.Betas[1]
			}
			if o.Eps != 0 {
				a.Eps = o.Eps
			}
			if o.WeightDecay != 0 || c.Optimizer == "Adam" {
				a.WeightDecay = o.WeightDecay
			}
			a.AMSGrad = o.AMSGrad
			opt, states, names = a, func() map[*Param]*paramState { return a.state }, a.stateNames()
		default:
			t.Fatalf("unknown optimizer %q", c.Optimizer)
		}
		name := fmt.Sprintf("%s%+v", c.Optimizer, o)
		params := make([]*Param, len(f.Shapes))
		for i, shape := range f.Shapes {
			params[i] = newParam("p", shape...)
			for j, v := range f.Init[i] {
				params[i].Value[j] = float32(v)
			}
		}
		for s, step := range c.Steps {
			for i, p := range params {
				for j, g := range f.Grads[s][i] {
					p.Grad[j] = float32(g)
				}
				p.hasGrad = true
			}
			if err := opt.Step(params); err != nil {
				t.Fatalf("%s: step %d: %v", name, s+1, err)
			}
			for i, p := range params {
				checkTorch(t, fmt.Sprintf("%s: step %d: parameter %d", name, s+1, i), p.Value, step.Params[i])
				if states == nil {
					continue
				}
				st := states()[p]
				for k, n := range names {
					key := stateName(i, n)
					want, ok := step.State[key].([]any)
					if !ok {
						t.Fatalf("%s: no %s in the fixture", name, key)
					}
					w := make([]float64, len(want))
					for j := range want {
						w[j] = want[j].(float64)
					}
					checkTorch(t, fmt.Sprintf("%s: step %d: %s", name, s+1, key), st.bufs[k], w)
				}
				if want, ok := step.State[stateName(i, "step")].(float64); ok && float64(st.step) != want {
					t.Errorf("%s: step %d: parameter %d's step %d, PyTorch's %v", name, s+1, i, st.step, want)
				}
			}
		}
	}
}

// checkTorch fails unless every got[i] is PyTorch's want[i] to float32
// rounding: within 8 units of the last place of float32 at the magnitude
// of want[i] plus an eighth of the tensor's largest. The two round the
// same formulas in different orders (and fused or not: the generic
// implementation on s390x and arm64 fuses where amd64's does not), the
// differences compound over the steps, and a sum that cancels, as
// Nesterov's w − lr·(d + μv), keeps the error of its terms. The bound is
// still 20 times below the 1.3e-5 by which 1 − float32(0.999) would miss.
func checkTorch(t *testing.T, what string, got []float32, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, PyTorch %d", what, len(got), len(want))
	}
	var scale float64
	for _, w := range want {
		scale = max(scale, math.Abs(w))
	}
	for i := range got {
		tol := 8 * 0x1p-24 * (math.Abs(want[i]) + scale/8)
		if d := math.Abs(float64(got[i]) - want[i]); !(d <= tol+1e-30) {
			t.Errorf("%s[%d] = %v, PyTorch %v (%.2g ulps)", what, i, got[i], want[i], d/(0x1p-24*math.Abs(want[i])))
		}
	}
}
