package main

import (
	"math"

	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// Tanh and Sigmoid trade the fallback's bits for speed: fused
// multiply-adds throughout, the fast exp's reduction and polynomial
// (expGen.emitFast), and one rounded quotient instead of the fallback's
// exact pair and its correction, in about half the operations.
// Both keep the fallback's saturation thresholds, which are the correctly
// rounded function's: the last step is 1 − q with q small, so the result
// is 1 exactly where q ≤ 2⁻²⁵, as for the exact function, and q is
// accurate to about an ULP there, far less than the step from one float32
// input to the next changes it; Sigmoid's 0 far left is e's, rounded once
// into the denormals. The full sweep in package kernels measures 1.47 ULP
// for Tanh and 2.41 for Sigmoid, within the documented 3, and finds the
// thresholds unchanged.

// tanh's constants: fallback/tanh.go's branch point and polynomial.
const (
	tanhSmall = 0.625
	tanh1     = -0.333332807
	tanh2     = 0.133314416
	tanh3     = -0.0537397154
	tanh4     = 0.020639088
	tanh5     = -0.00570498733

	// tanhExpLo clamps −2|x|: e^−18.2 is normal, so 2ⁿ needs one
	// factor, and 2e/(1+e) < 2⁻²⁵ there, so tanh is 1 from x = 9.1 on
	// as the clamp makes it for every larger |x|, ±Inf included.
	tanhExpLo = -18.2

	// scaleDown is 2⁻⁶⁴: on AVX2 the negative powers of two down to
	// 2⁻¹⁵⁹ that Sigmoid's e^z needs are built as 2ⁿ⁺⁶⁴ (normal) and a
	// last multiply by 2⁻⁶⁴, which rounds once into the denormals.
	scaleDown = 0x1p-64
)

// expNegFast returns e^z for z ≤ 0 (or NaN) already clamped to
// [expLo, 0], as emitFast computes it but without the clamps: Cody–Waite
// reduction and the polynomial in FMAs, then 2ⁿ by VSCALEFPS on AVX-512
// or, on AVX2, as two multiplies by 2ⁿ⁺⁶⁴ and 2⁻⁶⁴ (n ≥ −159 keeps the
// first normal, and the second rounds denormal results once).
func expNegFast(v vm, z reg.VecVirtual) reg.VecVirtual {
	t, n, p := fastMantissa(v, z)
	if wide(v.s) {
		return v.scalef(p, n)
	}
	// t's low 9 bits hold n mod 2⁹; shifted into the exponent field
	// and offset by 127 + 64 they give 2ⁿ⁺⁶⁴ for −159 ≤ n ≤ 0.
	s := v.addi(v.shl(t, 23), ki((127+64)<<23))
	return v.mul(v.mul(p, s), kf(scaleDown))
}

// quotient returns a/d for 1 ≤ d ≤ 2: VDIVPS on AVX2; on AVX-512 the
// 14-bit VRCP14PS estimate r, q = a·r, and one correction by the
// residual, q + (a − q·d)·r, which leaves about 2⁻²⁸ of relative error
// before the last rounding.
func quotient(v vm, a, d reg.VecVirtual) reg.VecVirtual {
	if !wide(v.s) {
		return v.div(a, d)
	}
	r := v.s.vec(v.c)
	v.c.VRCP14PS(d, r)
	q := v.mul(a, r)
	return v.madd(v.fnmadd(q, d, a), r, q)
}

// copySign returns r (whose sign bit is clear) with x's sign bit: on
// AVX-512 one VPTERNLOGD, the bitwise select sign ? x : r (0xd8 with r
// as its first operand, x the second, the sign mask the third).
func copySign(v vm, r, x reg.VecVirtual) reg.VecVirtual {
	if !wide(v.s) {
		return v.or(r, v.and(x, ki(0x80000000)))
	}
	op, _ := v.arg(ki(0x80000000))
	v.c.VPTERNLOGD_BCST(operand.U8(0xd8), op, x, r)
	return r
}

// tanhKernel is dst ≈ tanh(x) within 3 ULP.
func tanhKernel(tab *ctab) kernel {
	return unaryKernel(tab, "Tanh", []string{
		"sets dst[i] to tanh(x[i]) within 3 ULP for every i < len(x),",
		"with fused multiply-adds, and the fallback's special values and",
		"saturation thresholds but not its bits. dst must be as long as x",
		"(unchecked) and either be x or not overlap it.",
	}, func(v vm, one reg.VecVirtual) func(reg.VecVirtual) reg.VecVirtual {
		lo := v.reg(kf(tanhExpLo))
		return func(x reg.VecVirtual) reg.VecVirtual {
			a := v.and(x, ki(0x7fffffff))

			// Small a: a + a³·P(a²), the fallback's polynomial by
			// Horner's rule in FMAs.
			t := v.mul(a, a)
			p := v.reg(kf(tanh5))
			for _, c := range []float32{tanh4, tanh3, tanh2, tanh1} {
				p = v.madd(p, t, kf(c))
			}
			small := v.madd(v.mul(a, t), p, a)

			// Large a: 1 − 2e/(1 + e), e = e^−2a ≤ 0.29, so that
			// the result is at least 0.55 and the subtraction
			// loses nothing.
			e := expNegFast(v, v.maxKeepNaN(v.mul(a, kf(-2)), lo))
			large := v.sub(one, quotient(v, v.add(e, e), v.add(e, kf(1))))

			r := v.above(a, ki(math.Float32bits(tanhSmall)-1)).pick(large, small)
			return copySign(v, r, x)
		}
	})
}

// sigmoidKernel is dst ≈ σ(x) within 3 ULP.
func sigmoidKernel(tab *ctab) kernel {
	return unaryKernel(tab, "Sigmoid", []string{
		"sets dst[i] to 1/(1 + e^−x[i]) within 3 ULP for every",
		"i < len(x), with fused multiply-adds, and the fallback's special values",
		"and saturation thresholds but not its bits. dst must be as long as x",
		"(unchecked) and either be x or not overlap it.",
	}, func(v vm, one reg.VecVirtual) func(reg.VecVirtual) reg.VecVirtual {
		lo := v.reg(kf(expLo))
		return func(x reg.VecVirtual) reg.VecVirtual {
			// s = σ(−|x|) = e/(1 + e), e = e^−|x| ≤ 1: the result
			// for x < 0, down through the denormals; 1 − s for
			// x ≥ 0, which rounds to 1 exactly where the exact σ
			// does.
			e := expNegFast(v, v.maxKeepNaN(v.or(x, ki(0x80000000)), lo))
			s := quotient(v, e, v.add(e, kf(1)))
			if wide(v.s) {
				// 1 − s in the lanes whose sign is clear, by
				// a merge-masked subtraction.
				k := v.c.K()
				op, _ := v.arg(ki(0x80000000))
				v.c.VPTESTNMD_BCST(op, x, k)
				v.c.VSUBPS(s, one, k, s)
				return s
			}
			return v.signSet(x).pick(s, v.sub(one, s))
		}
	})
}

func transcendentalFamily(c *build.Context) {
	tab := newCtab(c, "transconst")
	generateAll(c, expKernel(tab), tanhKernel(tab), sigmoidKernel(tab), expFastKernel(tab))
}
