package kernels

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
