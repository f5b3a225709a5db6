package fallback

import "math"

// rowMax returns the largest entry of row, or NaN if the row holds a NaN.
// A row of only −Inf gives −Inf, and then x − max is NaN everywhere: the
// NaN rows that kernels documents come from plain arithmetic.
func rowMax(row []float32) float32 {
	mx := row[0]
	for _, v := range row[1:] {
		if v > mx || v != v {
			mx = v
		}
	}
	return mx
}

// expShifted sets dst[j] = exp(x[j] − mx) and returns their sum, added in
// float64 so that the sum's rounding does not depend on the row's length.
// The exponentials go through Exp a whole row at a time: exp is too large
// to inline, and one call per element would cost more than the work.
func expShifted(dst, x []float32, mx float32) float64 {
	dst = dst[:len(x)]
	for j, v := range x {
		dst[j] = v - mx
	}
	Exp(dst, dst)
	var s float64
	for _, e := range dst {
		s += float64(e)
	}
	return s
}

// expSum returns Σ exp(x[j] − mx) without writing anything but a block on
// the stack, for callers whose output must not be touched (LogSoftmax in
// place, the loss without its gradient).
func expSum(x []float32, mx float32) float64 {
	var buf [256]float32
	var s float64
	for len(x) > 0 {
		k := min(len(x), len(buf))
		s += expShifted(buf[:k], x[:k], mx)
		x = x[k:]
	}
	return s
}

// Softmax sets each of the m rows of n entries of dst to the softmax of the
// same row of x.
func Softmax(dst, x []float32, m, n int) {
	if n == 0 {
		return
	}
	for i := range m {
		row, out := x[i*n:(i+1)*n], dst[i*n:(i+1)*n]
		s := expShifted(out, row, rowMax(row))
		inv := float32(1 / s)
		for j := range out {
			out[j] *= inv
		}
	}
}

// SoftmaxGrad sets dx = y ⊙ (dy − ⟨y, dy⟩) row by row: the softmax
// Jacobian-vector product from the saved output y.
func SoftmaxGrad(dx, y, dy []float32, m, n int) {
	for i := range m {
		yr, dyr, dxr := y[i*n:(i+1)*n], dy[i*n:(i+1)*n], dx[i*n:(i+1)*n]
		var dot float64
		for j, v := range yr {
			dot += float64(v) * float64(dyr[j])
		}
		d := float32(dot)
		for j, v := range yr {
			dxr[j] = v * (dyr[j] - d)
		}
	}
}

// LogSoftmax sets each row of dst to (x − max) − log Σ exp(x − max). The
// shift comes first: x − max and the logarithm have the same sign, so
// neither subtraction cancels, where x − (max + log Σ) would lose the low
// bits of a large max.
func LogSoftmax(dst, x []float32, m, n int) {
	if n == 0 {
		return
	}
	for i := range m {
		row, out := x[i*n:(i+1)*n], dst[i*n:(i+1)*n]
		mx := rowMax(row)
		s := expSum(row, mx)
		// One logarithm per row: float64 math here costs nothing per element.
		lse := float32(math.Log(s))
		for j, v := range row {
			out[j] = (v - mx) - lse
		}
	}
}

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
