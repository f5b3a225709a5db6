package kernels

// Identity sets dst = x, the linear activation. It is a copy; with dst and
// x the same slice it does nothing.
func Identity(dst, x []float32) {
	checkLen("Identity", "dst", len(dst), "x", len(x))
	copy(dst, x)
}

// IdentityGrad sets dx = dy, the derivative of the linear activation.
func IdentityGrad(dx, dy []float32) {
	checkLen("IdentityGrad", "dx", len(dx), "dy", len(dy))
	copy(dx, dy)
}

// ReLU sets dst[i] = max(x[i], 0), overwriting dst; len(dst) must equal
// len(x). NaN gives NaN, −0 gives −0 and +Inf gives +Inf; the result is
// exact.
func ReLU(dst, x []float32) {
	checkLen("ReLU", "dst", len(dst), "x", len(x))
	raceRead(x)
	raceWrite(dst)
	active.relu(dst, x)
}

// ReLUGrad sets dx[i] = dy[i]·ReLU′(x[i]) from the forward input x: 0 where
// x[i] ≤ 0 (−0 included), dy[i] where x[i] > 0 or x[i] is NaN, as
// PyTorch's threshold backward does. The result is exact; a NaN in dy
// reaches dx only where x[i] > 0 or is NaN. dx may be x or dy.
func ReLUGrad(dx, x, dy []float32) {
	checkLen("ReLUGrad", "dx", len(dx), "x", len(x))
	checkLen("ReLUGrad", "dy", len(dy), "x", len(x))
	raceRead(x)
	raceRead(dy)
	raceWrite(dx)
	active.reluGrad(dx, x, dy)
}

// LeakyReLU sets dst[i] = x[i] where x[i] ≥ 0 (−0 included, whatever the
// slope) and slope·x[i] where x[i] < 0, overwriting dst. Common slopes are
// 0.01 and 0.1; any float32 is accepted. NaN gives NaN; the result is x or
// the correctly rounded product.
func LeakyReLU(dst, x []float32, slope float32) {
	checkLen("LeakyReLU", "dst", len(dst), "x", len(x))
	raceRead(x)
	raceWrite(dst)
	active.leakyReLU(dst, x, slope)
}

// LeakyReLUGrad sets dx[i] = slope·dy[i] where x[i] ≤ 0 and dy[i] where
// x[i] > 0 or x[i] is NaN, from the forward input x. dx may be x or dy.
func LeakyReLUGrad(dx, x, dy []float32, slope float32) {
	checkLen("LeakyReLUGrad", "dx", len(dx), "x", len(x))
	checkLen("LeakyReLUGrad", "dy", len(dy), "x", len(x))
	raceRead(x)
	raceRead(dy)
	raceWrite(dx)
	active.leakyReLUGrad(dx, x, dy, slope)
}

// Exp sets dst[i] = e^x[i], overwriting dst. exp(−Inf) = 0, exp(+Inf) =
// +Inf, NaN gives NaN; results overflow to +Inf above ln(FLT_MAX) ≈ 88.7228
// and go through the denormals to 0 below ≈ −103.97.
//
// Accuracy: at most 1 ULP from the exact eˣ over every float32 input (an
// ULP is 2⁻¹⁴⁹ in the denormals), so the result is eˣ rounded down or up;
// the largest error is 0.79 ULP on every implementation, the assembly ones
// running the pure-Go kernel's steps with its roundings (no fused
// multiply-add), so that all give the same bits. The result never
// decreases as x increases, and its thresholds are those of the correctly
// rounded function: it is finite up to x = 88.7228317 and +Inf from the
// next float32, 88.7228394, on; it is 0 up to x = −103.972084 and 2⁻¹⁴⁹ at
// the next float32, −103.972076.
func Exp(dst, x []float32) {
	checkLen("Exp", "dst", len(dst), "x", len(x))
	raceRead(x)
	raceWrite(dst)
	active.exp(dst, x)
}

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
