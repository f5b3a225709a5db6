package harness

import "math"

// The references below compute in float64 from float32 inputs, by the
// definitions, with no cleverness: they are the oracle the kernels are
// measured against.

// Exp is eˣ.
func Exp(x float32) float64 { return math.Exp(float64(x)) }

// Tanh is tanh x.
func Tanh(x float32) float64 { return math.Tanh(float64(x)) }

// Sigmoid is 1/(1 + e⁻ˣ); e⁻ˣ = +Inf gives exactly 0.
func Sigmoid(x float32) float64 { return 1 / (1 + math.Exp(-float64(x))) }

// ReLU is max(x, 0), NaN for NaN and −0 for −0.
func ReLU(x float32) float64 {
	if x < 0 {
		return 0
	}
	return float64(x)
}

// ReLUGrad is dy where x > 0 or x is NaN, and 0 where x ≤ 0.
func ReLUGrad(x, dy float32) float64 {
	if x <= 0 {
		return 0
	}
	return float64(dy)
}

// LeakyReLU is x where x ≥ 0 or NaN, slope·x where x < 0.
func LeakyReLU(x, slope float32) float64 {
	if x < 0 {
		return float64(slope) * float64(x)
	}
	return float64(x)
}

// LeakyReLUGrad is dy where x > 0 or x is NaN, slope·dy where x ≤ 0.
func LeakyReLUGrad(x, dy, slope float32) float64 {
	if x <= 0 {
		return float64(slope) * float64(dy)
	}
	return float64(dy)
}

// Clamp is min(max(x, lo), hi) by math.Max and math.Min, with the signs
// of zeros that IEEE 754's comparisons give rather than math's order of
// −0 below +0: x itself wherever it lies within the bounds, NaN included,
// and otherwise the bound on x's side, even where that bound is a zero
// and the other bound the other zero.
func Clamp(x, lo, hi float32) float64 {
	v, l, h := float64(x), float64(lo), float64(hi)
	c := math.Min(math.Max(v, l), h)
	switch {
	case math.IsNaN(v) || c == v:
		return v
	case c == 0 && v < 0:
		return l // a zero lo with its own sign, not math.Min's
	case c == 0:
		return h
	}
	return c
}

// ClampBounds returns the (lo, hi) pairs Clamp's tests try: gradient
// clipping's symmetric bounds, ReLU's, zeros of either sign (the signs of
// a zero x and of the bounds must come through as documented), equal
// bounds, infinities, denormals and bounds far apart.
func ClampBounds() [][2]float32 {
	inf, negZero := float32(math.Inf(1)), float32(math.Copysign(0, -1))
	denorm := math.Float32frombits(1)
	return [][2]float32{
		{-1, 1}, {-0.5, 2}, {0, inf}, {-inf, negZero}, {negZero, 0}, {0, negZero},
		{0, 0}, {1, 1}, {-inf, inf}, {inf, inf}, {-inf, -inf}, {-denorm, denorm},
		{-math.MaxFloat32, math.MaxFloat32}, {-1e30, 1e-30},
	}
}

// TanhGrad is dy·(1 − y²).
func TanhGrad(y, dy float32) float64 {
	return float64(dy) * (1 - float64(y)*float64(y))
}

// SigmoidGrad is dy·y·(1 − y).
func SigmoidGrad(y, dy float32) float64 {
	return float64(dy) * float64(y) * (1 - float64(y))
}

// rowMax returns the maximum of row, NaN if it holds a NaN.
func rowMax(row []float32) float64 {
	mx := math.Inf(-1)
	for _, v := range row {
		if math.IsNaN(float64(v)) {
			return math.NaN()
		}
		mx = math.Max(mx, float64(v))
	}
	return mx
}

// Softmax returns the softmax of each of the m rows of n in x. A row with
// NaN or +Inf, or all −Inf, is all NaN.
func Softmax(x []float32, m, n int) []float64 {
	out := make([]float64, m*n)
	for i := range m {
		row := x[i*n : (i+1)*n]
		mx := rowMax(row)
		var s float64
		for _, v := range row {
			s += math.Exp(float64(v) - mx)
		}
		for j, v := range row {
			out[i*n+j] = math.Exp(float64(v)-mx) / s
		}
	}
	return out
}

// LogSoftmax returns the log-softmax of each row of x.
func LogSoftmax(x []float32, m, n int) []float64 {
	out := make([]float64, m*n)
	for i := range m {
		row := x[i*n : (i+1)*n]
		mx := rowMax(row)
		var s float64
		for _, v := range row {
			s += math.Exp(float64(v) - mx)
		}
		for j, v := range row {
			out[i*n+j] = float64(v) - mx - math.Log(s)
		}
	}
	return out
}

// SoftmaxGrad returns y ⊙ (dy − ⟨y, dy⟩) row by row.
func SoftmaxGrad(y, dy []float32, m, n int) []float64 {
	out := make([]float64, m*n)
	for i := range m {
		var dot float64
		for j := range n {
			dot += float64(y[i*n+j]) * float64(dy[i*n+j])
		}
		for j := range n {
			out[i*n+j] = float64(y[i*n+j]) * (float64(dy[i*n+j]) - dot)
		}
	}
	return out
}

// SoftmaxCrossEntropy returns the mean over rows of −log softmax[label]
// and the gradient (softmax − onehot)/m.
func SoftmaxCrossEntropy(logits []float32, labels []int32, m, n int) (float64, []float64) {
	if m == 0 {
		return math.NaN(), nil
	}
	grad := Softmax(logits, m, n)
	ls := LogSoftmax(logits, m, n)
	var loss float64
	for i, l := range labels {
		loss -= ls[i*n+int(l)]
		grad[i*n+int(l)] -= 1
	}
	for i := range grad {
		grad[i] /= float64(m)
	}
	return loss / float64(m), grad
}

// MSE returns the mean of (pred − target)² and the gradient 2(pred − target)/N.
func MSE(pred, target []float32) (float64, []float64) {
	if len(pred) == 0 {
		return math.NaN(), nil
	}
	grad := make([]float64, len(pred))
	var s float64
	for i, p := range pred {
		d := float64(p) - float64(target[i])
		s += d * d
		grad[i] = 2 * d / float64(len(pred))
	}
	return s / float64(len(pred)), grad
}

// SumSquares is Σ x[i]²: each square exact in float64 (a float32's
// square needs 48 bits), their sum in float64, within len(x)·2⁻⁵³ of the
// exact sum relative.
func SumSquares(x []float32) float64 {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return s
}

// SGDMomentum returns the new w and v of one momentum step.
func SGDMomentum(w, v, g, lr, momentum float32) (wNew, vNew float64) {
	vNew = float64(momentum)*float64(v) + float64(g)
	return float64(w) - float64(lr)*vNew, vNew
}

// Adam returns the new w, m and v of Adam's step t, as PyTorch defines it.
func Adam(w, m, v, g, lr, beta1, beta2, eps float32, t int) (wNew, mNew, vNew float64) {
	b1, b2 := float64(beta1), float64(beta2)
	mNew = b1*float64(m) + (1-b1)*float64(g)
	vNew = b2*float64(v) + (1-b2)*float64(g)*float64(g)
	bc1 := 1 - math.Pow(b1, float64(t))
	bc2 := 1 - math.Pow(b2, float64(t))
	wNew = float64(w) - float64(lr)/bc1*mNew/(math.Sqrt(vNew)/math.Sqrt(bc2)+float64(eps))
	return wNew, mNew, vNew
}

// BiasAdd returns the reference of kernels.BiasAdd: c with bias[j] added
// to every element C[i,j] of the m×n window and every other element as it
// was.
func BiasAdd(c []float32, ldc, m, n int, bias []float32) []float64 {
	out := make([]float64, len(c))
	for i, v := range c {
		out[i] = float64(v)
	}
	for i := range m {
		for j := range n {
			out[i*ldc+j] += float64(bias[j])
		}
	}
	return out
}

// BiasGrad returns the column sums of the m×n matrix dy (leading dimension
// ldy), and the column sums of its absolute values, which scale the error
// bound of a float32 sum.
func BiasGrad(dy []float32, ldy, m, n int) (sum, abs []float64) {
	sum, abs = make([]float64, n), make([]float64, n)
	for i := range m {
		for j := range n {
			v := float64(dy[i*ldy+j])
			sum[j] += v
			abs[j] += math.Abs(v)
		}
	}
	return sum, abs
}
