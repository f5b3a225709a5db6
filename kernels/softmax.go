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

// SoftmaxCrossEntropy returns the mean cross-entropy of the softmax of each
// of the m rows of logits (n classes each, contiguous, len m·n) against the
// integer class labels (len m, each in [0, n)):
//
//	loss = (1/m) Σᵢ (log Σⱼ e^logits[i,j] − logits[i,labels[i]])
//
// and, in the same pass, when dlogits is not nil (len m·n), overwrites it
// with the gradient (softmax(logits) − onehot(labels)) / m. dlogits may be
// logits. The row maximum is subtracted first, so logits of ±1e4 and beyond
// give finite, exact-as-float32 results.
//
// m = 0 returns NaN, the mean of nothing, as PyTorch does. A row that holds
// NaN or +Inf, or whose entries are all −Inf, gives a NaN loss and NaN
// gradients in that row. A −Inf logit is a masked class: its probability
// is 0, and a label on it makes the loss +Inf (−log 0, as in PyTorch)
// while the row's gradient stays finite (−1/m at the label).
func SoftmaxCrossEntropy(dlogits, logits []float32, labels []int32, m, n int) (loss float32) {
	const fn = "SoftmaxCrossEntropy"
	checkRows(fn, m, n, "logits", len(logits))
	if dlogits != nil {
		checkRows(fn, m, n, "dlogits", len(dlogits))
	}
	if len(labels) != m {
		fail(fn, "len(labels)=%d != m=%d", len(labels), m)
	}
	for i, l := range labels {
		if l < 0 || int(l) >= n {
			fail(fn, "labels[%d]=%d out of range [0, n=%d)", i, l, n)
		}
	}
	raceRead(logits)
	raceReadLabels(labels)
	raceWrite(dlogits)
	return active.softmaxCrossEntropy(dlogits, logits, labels, m, n)
}
