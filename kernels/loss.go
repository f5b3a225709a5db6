package kernels

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

// MSE returns the mean squared error (1/N) Σᵢ (pred[i] − target[i])², with
// N = len(pred), and, when dpred is not nil, overwrites it with the
// gradient 2·(pred − target)/N, as PyTorch's MSELoss with mean reduction
// does. len(target) and len(dpred) must equal len(pred); dpred may be pred
// or target. An empty pred returns NaN; NaN and Inf propagate.
//
// The squares are summed in float64 and the mean rounded once to float32,
// so the loss is +Inf once the mean square passes the float32 range
// (differences of about 1.8e19 and more), while the gradient, computed in
// float32 as (2/N)·(pred − target), stays finite until pred − target or,
// for N = 1, twice it overflows. A training loop that stops on an infinite
// loss (as package nn's does) therefore stops before any gradient is
// infinite.
func MSE(dpred, pred, target []float32) (loss float32) {
	checkLen("MSE", "target", len(target), "pred", len(pred))
	if dpred != nil {
		checkLen("MSE", "dpred", len(dpred), "pred", len(pred))
	}
	raceRead(pred)
	raceRead(target)
	raceWrite(dpred)
	return active.mse(dpred, pred, target)
}
