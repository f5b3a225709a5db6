// Package adam holds the per-step scalars of Adam's update, computed once
// per call in float64 from the float64 hyper-parameters and rounded to
// float32 once, as PyTorch rounds its Python floats when an operation
// meets a float32 tensor. Package kernels passes them to the pure-Go
// kernels (package fallback) and to the vector ones alike, and the tests
// of package asm use them, so that every implementation gives the same
// bits where its arithmetic is the same.
package adam

import "math"

// Scalars are the float32 constants of one step of Adam (and AdamW):
//
//	m = Beta1·m + OneMinusBeta1·g
//	v = Beta2·v + (OneMinusBeta2·g)·g
//	w = w − (StepSize·m) / (√v·InvSqrtBC2 + Eps)
//
// with g = g + WeightDecay·w first for Adam's (coupled, L2) weight decay,
// or w = w·Decay first for AdamW's decoupled one.
type Scalars struct {
	Beta1, OneMinusBeta1 float32 // β₁ and 1−β₁
	Beta2, OneMinusBeta2 float32 // β₂ and 1−β₂
	StepSize             float32 // lr/(1−β₁ᵗ)
	InvSqrtBC2           float32 // 1/√(1−β₂ᵗ)
	Eps                  float32
	WeightDecay          float32 // wd, for Adam's weight decay
	Decay                float32 // 1 − lr·wd, for AdamW's
}

// NewScalars returns the scalars of step t (counted from 1) with learning
// rate lr, betas beta1 and beta2, eps and weight decay wd, each computed in
// float64 and rounded to float32 once: 1−β in float64 differs from 1 −
// float32(β) (by 1.3e-5 relative for β₂ = 0.999), and PyTorch takes the
// former. Both weight-decay fields are set; the caller picks the form.
func NewScalars(lr, beta1, beta2, eps, wd float64, t int) Scalars {
	p1, p2 := powsInt(beta1, beta2, t)
	bc1, bc2 := 1-p1, 1-p2
	return Scalars{
		Beta1: float32(beta1), OneMinusBeta1: float32(1 - beta1),
		Beta2: float32(beta2), OneMinusBeta2: float32(1 - beta2),
		StepSize:    float32(lr / bc1),
		InvSqrtBC2:  float32(1 / math.Sqrt(bc2)),
		Eps:         float32(eps),
		WeightDecay: float32(wd),
		Decay:       float32(1 - lr*wd),
	}
}

// powsInt returns math.Pow(x, n) and math.Pow(y, n) for n ≥ 1 the way
// math.Pow computes an integer power, by squaring and multiplying in the
// squares that the bits of n select, in the same order, but without
// math.Pow's exponent bookkeeping (which keeps its factors in [0.5, 1) so
// that they never overflow or underflow), and with the two powers in one
// loop, whose multiplications overlap. The two math.Pow calls made
// the scalars cost about 150 ns, what the vector Adam takes for 1000
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
