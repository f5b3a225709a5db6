package fallback

import "math"

// MSE returns the mean of (pred[i] − target[i])² and, when dpred is not
// nil, sets dpred[i] = 2·(pred[i] − target[i]) / len(pred).
func MSE(dpred, pred, target []float32) float32 {
	if len(pred) == 0 {
		return float32(math.NaN())
	}
	target = target[:len(pred)]
	var s float64
	for i, p := range pred {
		d := float64(p) - float64(target[i])
		s += d * d
	}
	if dpred != nil {
		dpred = dpred[:len(pred)]
		g := 2 / float32(len(pred))
		for i, p := range pred {
			dpred[i] = g * (p - target[i])
		}
	}
	return float32(s / float64(len(pred)))
}
