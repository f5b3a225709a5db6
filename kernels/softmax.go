package kernels

// Softmax sets each of the m rows of dst to the softmax of the same row of
// x: dst[i,j] = e^(x[i,j]−mᵢ) / Σⱼ e^(x[i,j]−mᵢ), with mᵢ the row maximum, so
// rows of ±1e4, ±1e30 or ±FLT_MAX stay finite. x and dst hold m rows of n
// contiguous entries (len m·n); dst may be x.
//
// A row that holds NaN or +Inf, or whose entries are all −Inf, becomes all
// NaN, as in PyTorch: no finite probabilities follow from it. Other −Inf
// entries (masked logits) get probability 0.
//
// Accuracy: entry j is within (8 + n/16 + min(|x[i,j] − mᵢ|, 104)) ULP of
// the float64 result, plus 2⁻¹²⁶ absolute for entries that underflow. The
// |x − m| term is inherent in float32: rounding the shift x − m to float32
// is a relative error of the exponential proportional to its size.
func Softmax(dst, x []float32, m, n int) {
	checkRows("Softmax", m, n, "x", len(x))
	checkRows("Softmax", m, n, "dst", len(dst))
	raceRead(x)
	raceWrite(dst)
	active.softmax(dst, x, m, n)
}

// SoftmaxGrad sets each row of dx to the softmax Jacobian-vector product
// from the forward output y: dx = y ⊙ (dy − ⟨y, dy⟩), row by row. dx, y and
// dy hold m rows of n contiguous entries; dx may be y or dy. NaN
// propagates through the row.
func SoftmaxGrad(dx, y, dy []float32, m, n int) {
	checkRows("SoftmaxGrad", m, n, "y", len(y))
	checkRows("SoftmaxGrad", m, n, "dy", len(dy))
	checkRows("SoftmaxGrad", m, n, "dx", len(dx))
	raceRead(y)
	raceRead(dy)
	raceWrite(dx)
	active.softmaxGrad(dx, y, dy, m, n)
}

// LogSoftmax sets each of the m rows of dst to the log-softmax of the same
// row of x: x[i,j] − mᵢ − log Σⱼ e^(x[i,j]−mᵢ), stable for any finite row:
// an entry is finite wherever its exact value is within float32's range,
// which fails only in a row spanning more than FLT_MAX (−FLT_MAX beside
// FLT_MAX gives about −2·FLT_MAX, rounded to −Inf). −Inf entries give
// −Inf; a row that holds NaN or +Inf, or that is all −Inf, becomes all
// NaN, as in Softmax. dst may be x.
//
// Accuracy: within 2 ULP plus (8 + n/16 + ln n)·2⁻²⁴ absolute of the
// float64 result. The shift comes first, (x − mᵢ) − log Σ, so that a large
// row maximum costs no precision.
func LogSoftmax(dst, x []float32, m, n int) {
	checkRows("LogSoftmax", m, n, "x", len(x))
	checkRows("LogSoftmax", m, n, "dst", len(dst))
	raceRead(x)
	raceWrite(dst)
	active.logSoftmax(dst, x, m, n)
}
