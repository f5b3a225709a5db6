package fallback

import "math"

const (
	// Below tanhSmall, tanh a = a + a³·P(a²) with P a minimax polynomial;
	// from there up, tanh a = (1 − e)/(1 + e) with e = e^(−2a) ≤ 0.29, where
	// 1 − e loses nothing to cancellation.
	tanhSmall = 0.625

	// Above tanhSat, tanh rounds to 1; clamping there keeps e^(−2a) and its
	// tail out of the denormals, whose arithmetic is slow on many CPUs.
	tanhSat = 9.1
	// Below tanhTiny (2⁻¹², as bits) tanh a rounds to a: the polynomial
	// term is dropped there, since a³ would underflow for very small a.
	tanhTiny = 0x39800000

	// tanh1..tanh5: minimax (Remez, relative error) coefficients of
	// P(t) = (tanh a − a)/a³, t = a², on a ≤ tanhSmall; the approximation
	// error is below 2⁻²⁷.
	tanh1 = -0.333332807
	tanh2 = 0.133314416
	tanh3 = -0.0537397154
	tanh4 = 0.020639088
	tanh5 = -0.00570498733
)

// Tanh sets dst[i] = tanh(x[i]).
//
// It works on a = |x| and puts the sign back at the end, so the result is
// odd exactly and tanh(−0) = −0. It is ±1 exactly from a ≥ 9.01 on, where
// e < 2⁻²⁶ rounds away from 1 ± e; a is clamped to tanhSat first, so ±Inf
// gives ±1 too. Both branches are computed and one is picked with a mask,
// as the SIMD versions do: a data-dependent branch would mispredict on
// typical activations.
//
// The quotient (1 − e)/(1 + e) is formed as in Sigmoid: e as the pair
// eh + el, 1 ∓ eh kept exact by Fast2Sum, and one correction of y = n/d by
// the residual, with y·d exact in float64; 1/(1+e) = (1 + y)/2 is the
// divisor of the correction.
func Tanh(dst, x []float32) {
	dst = dst[:len(x)]
	var hiBuf, loBuf [blockLen]float32
	for len(x) > 0 {
		blk := min(len(x), blockLen)
		xs := x[:blk]
		ds, eh, el := dst[:len(xs)], hiBuf[:len(xs)], loBuf[:len(xs)]
		for i, v := range xs {
			eh[i] = -2 * min(math.Float32frombits(math.Float32bits(v)&^signBit), tanhSat) // −2|x|
		}
		expSplit(eh, el, eh)
		for i, v := range xs {
			b := math.Float32bits(v)
			a := math.Float32frombits(b &^ signBit)
			ac := math.Float32frombits(b &^ signBit & uint32(int32(tanhTiny-1-b&^signBit)>>31)) // 0 where a < 2⁻¹²
			t := float32(ac * ac)
			p := float32(tanh5*t) + tanh4
			p = float32(p*t) + tanh3
			p = float32(p*t) + tanh2
			p = float32(p*t) + tanh1
			small := a + float32(float32(ac*t)*p)

			h, l := eh[i], el[i]
			n := 1 - h
			nLo := ((1 - n) - h) - l
			d := 1 + h
			dLo := ((1 - d) + h) + l
			y := n / d
			rho := float32(float64(n)-float64(float64(y)*float64(d))) + (nLo - float32(y*dLo))
			large := y + float32(rho*float32(0.5+float32(0.5*y)))

			// m is all ones where a < tanhSmall: a ≥ 0, so its bits order
			// like its value, and a NaN's bits are above every number's.
			m := uint32(int32(b&^signBit-math.Float32bits(tanhSmall)) >> 31)
			r := math.Float32bits(small)&m | math.Float32bits(large)&^m
			ds[i] = math.Float32frombits(r | b&signBit)
		}
		x, dst = x[blk:], dst[blk:]
	}
}

// TanhGrad sets dx[i] = dy[i]·(1 − y[i]²), from the saved output y = tanh(x).
func TanhGrad(dx, y, dy []float32) {
	dx, dy = dx[:len(y)], dy[:len(y)]
	for i, v := range y {
		dx[i] = dy[i] * (1 - v*v)
	}
}
