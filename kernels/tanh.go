package kernels

// Tanh sets dst[i] = tanh(x[i]), overwriting dst. tanh(±0) = ±0,
// tanh(±Inf) = ±1, NaN gives NaN; the result always lies in [−1, 1].
//
// Accuracy depends on the implementation (see [Impl]). The pure-Go kernel
// ("generic", and wherever no vector kernel replaces it) is within 1 ULP
// of the exact result over every float32 input, largest error 0.78 ULP,
// and never decreases as x increases. The AVX2, AVX-512 and NEON kernels
// trade that for speed (fused multiply-adds, a shorter expm1, one rounded
// quotient): within 3 ULP over every float32 input, largest error 2.61 ULP
// on each, not monotonic (where the exact function rises by less than an
// ULP from one input to the next, a result can be an ULP below the one
// before), and their bits are not the pure-Go kernel's; AVX-512 and NEON
// run the AVX2 kernel's operations and give its bits. On every
// implementation the result is odd bit for bit, tanh(−x) = −tanh(x), and,
// as for the correctly rounded function, it is ±1 exactly for
// |x| ≥ 9.01091385 and below 1 in magnitude for every smaller |x|.
func Tanh(dst, x []float32) {
	checkLen("Tanh", "dst", len(dst), "x", len(x))
	raceRead(x)
	raceWrite(dst)
	active.tanh(dst, x)
}

// TanhGrad sets dx[i] = dy[i]·(1 − y[i]²) from the forward output
// y = tanh(x), which is cheaper than recomputing from x. dx may be y or dy.
// NaN propagates.
func TanhGrad(dx, y, dy []float32) {
	checkLen("TanhGrad", "dx", len(dx), "y", len(y))
	checkLen("TanhGrad", "dy", len(dy), "y", len(y))
	raceRead(y)
	raceRead(dy)
	raceWrite(dx)
	active.tanhGrad(dx, y, dy)
}
