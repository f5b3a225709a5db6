package kernels

// Sigmoid sets dst[i] = σ(x[i]) = 1/(1 + e^−x[i]), overwriting dst.
// σ(−Inf) = 0, σ(+Inf) = 1, NaN gives NaN; the result always lies in
// [0, 1].
//
// Accuracy depends on the implementation, as for [Tanh]: the pure-Go
// kernel is within 1 ULP of the exact result over every float32 input,
// largest error 0.84 ULP, and never decreases as x increases; the AVX2,
// AVX-512 and NEON kernels are within 3 ULP, largest error 2.40 ULP (the
// AVX-512 and NEON kernels run the AVX2 kernel's operations and give its
// bits), not monotonic, and not bit-identical to the pure-Go kernel. On every implementation the thresholds
// are those of the correctly rounded function: σ(x) is 1 exactly for
// x ≥ 17.32868 and below 1 for every smaller x; far left it follows eˣ
// through the denormals, 0 up to x = −103.972084 and 2⁻¹⁴⁹ at the next
// float32, −103.972076.
func Sigmoid(dst, x []float32) {
	checkLen("Sigmoid", "dst", len(dst), "x", len(x))
	raceRead(x)
	raceWrite(dst)
	active.sigmoid(dst, x)
}

// SigmoidGrad sets dx[i] = dy[i]·y[i]·(1 − y[i]) from the forward output
// y = σ(x). dx may be y or dy. NaN propagates.
func SigmoidGrad(dx, y, dy []float32) {
	checkLen("SigmoidGrad", "dx", len(dx), "y", len(y))
	checkLen("SigmoidGrad", "dy", len(dy), "y", len(y))
	raceRead(y)
	raceRead(dy)
	raceWrite(dx)
	active.sigmoidGrad(dx, y, dy)
}
