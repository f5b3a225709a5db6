package fallback

import "math"

// SoftmaxCrossEntropy returns the mean over the m rows of
// −log softmax(logits row)[label], and, when dlogits is not nil, sets
// dlogits = (softmax(logits) − onehot(labels)) / m.
func SoftmaxCrossEntropy(dlogits, logits []float32, labels []int32, m, n int) float32 {
	if m == 0 {
		return float32(math.NaN())
	}
	var loss float64
	inv := 1 / float32(m)
	for i := range m {
		row := logits[i*n : (i+1)*n]
		mx := rowMax(row)
		// Read the label's logit before dlogits, which may be logits,
		// overwrites the row.
		xl := row[labels[i]]
		var s float64
		if dlogits != nil {
			s = expShifted(dlogits[i*n:(i+1)*n], row, mx)
		} else {
			s = expSum(row, mx)
		}
		lab := labels[i]
		loss += math.Log(s) - float64(xl-mx)
		if dlogits != nil {
			d := dlogits[i*n : (i+1)*n]
			scale := float32(1/s) * inv
			for j := range d {
				d[j] *= scale
			}
			d[lab] -= inv
		}
	}
	return float32(loss / float64(m))
}

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
