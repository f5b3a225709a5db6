package fallback

import "math"

// blockLen is the number of elements Sigmoid and Tanh hand to expSplit at a
// time, through buffers on the stack that stay in L1.
const blockLen = 128

const signBit = 0x80000000

// Sigmoid sets dst[i] = σ(x[i]) = 1/(1 + e^−x[i]).
//
// With e = e^−|x| ≤ 1 it returns 1/(1+e) for x ≥ 0 and e/(1+e) for x < 0,
// so e^−x never overflows: far left the result is e itself, down through
// the denormals, and σ(−Inf) = 0, σ(+Inf) = 1 exactly. The numerator is
// picked with a mask from the sign bit rather than a branch that would
// mispredict on activations of mixed sign.
//
// Each rounding before the division would add up to an ULP or more (e's
// own, that of 1 + e, and the quotient's once the exact 1 + e is wanted),
// so e comes as the pair eh + el from expSplit, 1 + eh is kept exact as
// d + dErr (Fast2Sum, eh ≤ 1), and the quotient y = num/d is corrected
// once by the residual num − y·(1 + e), in which y·d is exact: a float32
// product fits a float64 (the SIMD versions use an FMA). The correction
// divides by 1 + e approximately, through y for x ≥ 0 (y ≈ 1/(1+e)) and
// 1 − y for x < 0 (1 − e/(1+e) = 1/(1+e)).
func Sigmoid(dst, x []float32) {
	dst = dst[:len(x)]
	var hiBuf, loBuf [blockLen]float32
	for len(x) > 0 {
		blk := min(len(x), blockLen)
		xs := x[:blk]
		ds, eh, el := dst[:len(xs)], hiBuf[:len(xs)], loBuf[:len(xs)]
		for i, v := range xs {
			eh[i] = math.Float32frombits(math.Float32bits(v) | signBit) // −|x|
		}
		expSplit(eh, el, eh)
		for i, v := range xs {
			h, l := eh[i], el[i]
			m := uint32(int32(math.Float32bits(v)) >> 31) // all ones where x < 0
			num := math.Float32frombits(math.Float32bits(h)&m | math.Float32bits(1)&^m)
			numLo := math.Float32frombits(math.Float32bits(l) & m)
			d := 1 + h
			dLo := ((1 - d) + h) + l
			y := num / d
			rho := float32(float64(num)-float64(float64(y)*float64(d))) + (numLo - float32(y*dLo))
			w := math.Float32frombits(math.Float32bits(1-y)&m | math.Float32bits(y)&^m)
			ds[i] = y + float32(rho*w)
		}
		x, dst = x[blk:], dst[blk:]
	}
}

// SigmoidGrad sets dx[i] = dy[i]·y[i]·(1 − y[i]), from the saved output y = σ(x).
func SigmoidGrad(dx, y, dy []float32) {
	dx, dy = dx[:len(y)], dy[:len(y)]
	for i, v := range y {
		dx[i] = dy[i] * (v * (1 - v))
	}
}
