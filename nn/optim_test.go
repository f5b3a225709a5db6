package nn

import (
	"math"
	"testing"
)

// Two steps of each optimizer on one parameter, against values computed
// by hand from PyTorch's update rules.
func TestOptimizerSteps(t *testing.T) {
	grads := [][]float32{{1, -2}, {0.5, 0.5}}
	for _, c := range []struct {
		opt  Optimizer
		want []float64
	}{
		// θ ← θ − 0.1·g: 1 − 0.1 − 0.05, 1 + 0.2 − 0.05.
		{NewSGD(0.1), []float64{0.85, 1.15}},
		// v = g₁ = (1, −2), θ = (0.9, 1.2); v = 0.9·v + g₂ = (1.4, −1.3),
		// θ = (0.9 − 0.14, 1.2 + 0.13).
		{NewMomentum(0.1, 0.9), []float64{0.76, 1.33}},
		// Adam's first step moves each weight by lr·sign(g) (m̂ = g,
		// √v̂ = |g|); the second by lr·m̂/(√v̂ + ε) from
		// m = 0.1·g₁·0.9 + 0.1·g₂, v = 0.001·g₁²·0.999 + 0.001·g₂².
		{NewAdam(0.1), adamTwoSteps(0.1, grads)},
	} {
		p := newParam("w", 2)
		p.Value[0], p.Value[1] = 1, 1
		for _, g := range grads {
			p.ZeroGrad()
			copy(p.Grad, g)
			p.hasGrad = true
			if err := c.opt.Step([]*Param{p}); err != nil {
				t.Fatal(err)
			}
		}
		assertClose(t, fmtOpt(c.opt), p.Value, c.want, 1e-6)
	}
}

// adamTwoSteps is Adam's update written out in float64.
func adamTwoSteps(lr float64, grads [][]float32) []float64 {
	const b1, b2, eps = 0.9, 0.999, 1e-8
	w := []float64{1, 1}
	m, v := make([]float64, 2), make([]float64, 2)
	for t, g := range grads {
		for i := range w {
			m[i] = b1*m[i] + (1-b1)*float64(g[i])
			v[i] = b2*v[i] + (1-b2)*float64(g[i])*float64(g[i])
			mh := m[i] / (1 - math.Pow(b1, float64(t+1)))
			vh := v[i] / (1 - math.Pow(b2, float64(t+1)))
			w[i] -= lr * mh / (math.Sqrt(vh) + eps)
		}
	}
	return w
}

func fmtOpt(o Optimizer) string {
	switch o.(type) {
	case *SGD:
		return "SGD"
	case *Momentum:
		return "Momentum"
	}
	return "Adam"
}

// Optimizers leave parameters without a gradient alone.
func TestOptimizerSkipsEmptyGrad(t *testing.T) {
	for _, opt := range []Optimizer{NewSGD(1), NewMomentum(1, 0.9), NewAdam(1), &Momentum{LR: 1}, &Adam{LR: 1, Eps: 1e-8}} {
		p := newParam("w", 3)
		copy(p.Grad, []float32{1, 2, 3})
		if err := opt.Step([]*Param{p}); err != nil {
			t.Fatal(err)
		}
		assertClose(t, fmtOpt(opt), p.Value, []float64{0, 0, 0}, 0)
	}
}
