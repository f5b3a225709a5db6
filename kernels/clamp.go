package kernels

import "math"

// Clamp sets dst[i] = min(max(x[i], lo), hi), overwriting dst: lo where
// x[i] < lo, hi where x[i] > hi, and x[i] elsewhere. These are
// torch.clamp's semantics, which torch.nn.utils.clip_grad_value_ applies to
// gradients with the bounds −c and c.
//
// NaN in x gives that NaN, its bits unchanged; ±Inf gives the bound on its
// side; denormals are compared as they are, not flushed to zero. The
// comparisons are IEEE 754's, under which −0 equals +0, so a zero keeps its
// sign wherever lo ≤ 0 ≤ hi, even against a bound that is the zero of the
// other sign: −0 stays −0, +0 stays +0, and Clamp(dst, x, 0, +Inf) gives
// ReLU's bits. lo = hi is allowed: every element but a NaN becomes that
// value, except that a zero keeps its own sign when the bounds are zeros.
// The result is exact, the same bits on every implementation.
//
// lo must not exceed hi and neither may be NaN, or Clamp panics. len(dst)
// must equal len(x); dst may be x (in place). Like the activations, and
// unlike the optimizer updates, Clamp runs on the calling goroutine
// whatever the length.
func Clamp(dst, x []float32, lo, hi float32) {
	checkLen("Clamp", "dst", len(dst), "x", len(x))
	checkBounds("Clamp", lo, hi)
	raceRead(x)
	raceWrite(dst)
	active.clamp(dst, x, lo, hi)
}

// checkBounds panics unless lo ≤ hi and neither is NaN.
func checkBounds(fn string, lo, hi float32) {
	if math.IsNaN(float64(lo)) || math.IsNaN(float64(hi)) {
		fail(fn, "lo=%g hi=%g: a bound is NaN", lo, hi)
	}
	if lo > hi {
		fail(fn, "lo=%g > hi=%g", lo, hi)
	}
}
