// Package adam holds the per-step scalars of Adam's update, which the
// pure-Go kernel (package fallback) and the vector kernels (through
// package kernels) must compute alike, so that every implementation gives
// the same bits where its arithmetic is the same.
package adam

import "math"

// Scalars returns the per-step constants of Adam's update in float32,
// computed in float64: the step size lr/(1−β₁ᵗ) and 1/√(1−β₂ᵗ).
func Scalars(lr, beta1, beta2 float32, step int) (stepSize, invSqrtBC2 float32) {
	p1, p2 := powsInt(float64(beta1), float64(beta2), step)
	bc1, bc2 := 1-p1, 1-p2
	return float32(float64(lr) / bc1), float32(1 / math.Sqrt(bc2))
}

// powsInt returns math.Pow(x, n) and math.Pow(y, n) for n ≥ 1 the way
// math.Pow computes an integer power, by squaring and multiplying in the
// squares that the bits of n select, in the same order, but without
// math.Pow's exponent bookkeeping (which keeps its factors in [0.5, 1) so
// that they never overflow or underflow), and with the two powers in one
// loop, whose multiplications overlap. The two math.Pow calls made
// Scalars cost about 150 ns, what the vector Adam takes for 1000
// elements, for every parameter tensor at every step. The factors here
// differ from math.Pow's by powers of two only, so every rounding is the
// same and so is the result wherever the power is a normal float64; where
// β**t is subnormal or 0, 1 − β**t is 1 either way. TestPowsInt holds it
// to math.Pow. Other n go to math.Pow.
func powsInt(x, y float64, n int) (xn, yn float64) {
	if n < 1 {
		return math.Pow(x, float64(n)), math.Pow(y, float64(n))
	}
	xn, yn = 1, 1
	for ; n != 0; n >>= 1 {
		if n&1 == 1 {
			xn *= x
			yn *= y
		}
		x *= x
		y *= y
	}
	return xn, yn
}
