package fallback

import "math"

// Axpy sets y[i] += alpha·x[i].
func Axpy(y []float32, alpha float32, x []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += alpha * v
	}
}

// Scale sets x[i] *= alpha.
func Scale(x []float32, alpha float32) {
	for i := range x {
		x[i] *= alpha
	}
}

// SGDMomentum sets v = momentum·v + g, then w −= lr·v (PyTorch's SGD with
// momentum, no dampening, no Nesterov).
func SGDMomentum(w, v, g []float32, lr, momentum float32) {
	v, g = v[:len(w)], g[:len(w)]
	for i := range w {
		vi := momentum*v[i] + g[i]
		v[i] = vi
		w[i] -= lr * vi
	}
}

// AdamScalars returns the per-step constants of Adam's update in float32,
// computed in float64: the step size lr/(1−β₁ᵗ) and 1/√(1−β₂ᵗ).
func AdamScalars(lr, beta1, beta2 float32, step int) (stepSize, invSqrtBC2 float32) {
	bc1 := 1 - math.Pow(float64(beta1), float64(step))
	bc2 := 1 - math.Pow(float64(beta2), float64(step))
	return float32(float64(lr) / bc1), float32(1 / math.Sqrt(bc2))
}

// Adam applies step t (counted from 1) of Adam as PyTorch defines it:
// m = β₁m + (1−β₁)g, v = β₂v + (1−β₂)g², w −= lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + eps).
func Adam(w, m, v, g []float32, lr, beta1, beta2, eps float32, step int) {
	m, v, g = m[:len(w)], v[:len(w)], g[:len(w)]
	stepSize, invSqrtBC2 := AdamScalars(lr, beta1, beta2, step)
	for i := range w {
		gi := g[i]
		mi := beta1*m[i] + (1-beta1)*gi
		vi := beta2*v[i] + (1-beta2)*gi*gi
		m[i], v[i] = mi, vi
		w[i] -= stepSize * mi / (float32(math.Sqrt(float64(vi)))*invSqrtBC2 + eps)
	}
}
