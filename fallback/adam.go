package fallback

import (
	"math"

	"github.com/simdnn/simdnn/internal/adam"
)

// Adam applies step t (counted from 1) of Adam as PyTorch defines it:
// m = β₁m + (1−β₁)g, v = β₂v + (1−β₂)g², w −= lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + eps).
func Adam(w, m, v, g []float32, lr, beta1, beta2, eps float32, step int) {
	m, v, g = m[:len(w)], v[:len(w)], g[:len(w)]
	stepSize, invSqrtBC2 := adam.Scalars(lr, beta1, beta2, step)
	for i := range w {
		gi := g[i]
		mi := beta1*m[i] + (1-beta1)*gi
		vi := beta2*v[i] + (1-beta2)*gi*gi
		m[i], v[i] = mi, vi
		w[i] -= stepSize * mi / (float32(math.Sqrt(float64(vi)))*invSqrtBC2 + eps)
	}
}
