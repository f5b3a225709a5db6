package kernels

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
