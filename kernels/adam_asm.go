//go:build !purego && (amd64 || arm64)

package kernels

import "github.com/simdnn/simdnn/internal/adam"

// adamKernel is the signature of the generated Adam kernels, which take
// the per-call scalars precomputed.
type adamKernel func(w, m, v, g []float32, beta1, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, invSqrtBC2, eps float32)

// adamWith returns Adam made of k, with the scalars computed once per call
// exactly as the fallback computes them, so that k's results agree with
// the fallback's bit for bit where k rounds as the compiled fallback does
// (each kernel's doc comment says when).
func adamWith(k adamKernel) func(w, m, v, g []float32, lr, beta1, beta2, eps float32, step int) {
	return func(w, m, v, g []float32, lr, beta1, beta2, eps float32, step int) {
		stepSize, invSqrtBC2 := adam.Scalars(lr, beta1, beta2, step)
		k(w, m, v, g, beta1, 1-beta1, beta2, 1-beta2, stepSize, invSqrtBC2, eps)
	}
}
