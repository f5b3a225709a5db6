package kernels

// Exp sets dst[i] = e^x[i], overwriting dst. exp(−Inf) = 0, exp(+Inf) =
// +Inf, NaN gives NaN; results overflow to +Inf above ln(FLT_MAX) ≈ 88.7228
// and go through the denormals to 0 below ≈ −103.97.
//
// Accuracy: at most 1 ULP from the exact eˣ over every float32 input (an
// ULP is 2⁻¹⁴⁹ in the denormals), so the result is eˣ rounded down or up;
// the largest error is 0.79 ULP on every implementation, the assembly ones
// running the pure-Go kernel's steps with its roundings (no fused
// multiply-add but where the product is exact), so that all give the
// same bits. The result never
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
