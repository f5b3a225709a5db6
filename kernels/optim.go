package kernels

// Axpy sets y[i] += alpha·x[i], accumulating into y; len(y) must equal
// len(x). y may be x. The SIMD implementations use a fused multiply-add
// and round once: the result is alpha·x[i] + y[i] correctly rounded. The
// pure-Go one rounds the product, then the sum, so a product beyond
// float32's range is ±Inf there even where the sum would be finite, and
// cancellation can cost more than one ULP of the result. Long slices are
// split over goroutines (see SetThreads), with the same result.
func Axpy(y []float32, alpha float32, x []float32) {
	checkLen("Axpy", "y", len(y), "x", len(x))
	raceRead(x)
	raceRead(y)
	raceWrite(y)
	if !splitOptim(axpyUpdate, y, nil, nil, x, alpha, 0, 0, 0, 0) {
		active.axpy(y, alpha, x)
	}
}

// Scale sets x[i] *= alpha, in place; the result is exactly rounded.
func Scale(x []float32, alpha float32) {
	raceRead(x)
	raceWrite(x)
	active.scale(x, alpha)
}

// SGDMomentum applies one step of gradient descent with momentum as
// PyTorch's SGD defines it (no dampening, no Nesterov):
//
//	v = momentum·v + g
//	w = w − lr·v
//
// updating w and the velocity v in place; g is the gradient. Start v at
// zeros: the first step then sets v = g, PyTorch's "buffer starts at the
// first gradient". With momentum = 0 this is plain gradient descent. All
// three slices have the same length. Long slices are split over goroutines
// as Sgemm's products are (SetThreads); the results do not depend on it.
func SGDMomentum(w, v, g []float32, lr, momentum float32) {
	checkLen("SGDMomentum", "v", len(v), "w", len(w))
	checkLen("SGDMomentum", "g", len(g), "w", len(w))
	raceRead(g)
	raceRead(v)
	raceWrite(v)
	raceRead(w)
	raceWrite(w)
	if !splitOptim(momentumUpdate, w, nil, v, g, lr, momentum, 0, 0, 0) {
		active.sgdMomentum(w, v, g, lr, momentum)
	}
}

// Adam applies step (counted from 1) of the Adam optimizer as PyTorch
// defines it, updating the weights w and the moment estimates m and v in
// place from the gradient g:
//
//	m = β₁·m + (1−β₁)·g
//	v = β₂·v + (1−β₂)·g²
//	w = w − lr/(1−β₁ᵗ) · m / (√v / √(1−β₂ᵗ) + eps)
//
// eps is added after the bias-corrected square root. Start m and v at
// zeros. The bias corrections are computed in float64 once per call. All
// four slices have the same length; step must be ≥ 1. Long slices are
// split over goroutines as Sgemm's products are (SetThreads); the results
// do not depend on it.
func Adam(w, m, v, g []float32, lr, beta1, beta2, eps float32, step int) {
	checkLen("Adam", "m", len(m), "w", len(w))
	checkLen("Adam", "v", len(v), "w", len(w))
	checkLen("Adam", "g", len(g), "w", len(w))
	if step < 1 {
		fail("Adam", "step=%d < 1", step)
	}
	raceRead(g)
	raceRead(m)
	raceWrite(m)
	raceRead(v)
	raceWrite(v)
	raceRead(w)
	raceWrite(w)
	if !splitOptim(adamUpdate, w, m, v, g, lr, beta1, beta2, eps, step) {
		active.adam(w, m, v, g, lr, beta1, beta2, eps, step)
	}
}
