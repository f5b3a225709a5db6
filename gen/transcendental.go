package main

import (
	"math"

	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// Tanh and Sigmoid trade the fallback's bits for speed: fused
// multiply-adds throughout, the fast exp's reduction and polynomial
// (expGen.emitFast; an expm1 from them for Tanh, which needs no second
// polynomial for small |x|), and one rounded quotient instead of the
// fallback's exact pair and its correction, in less than half the
// operations.
// Both keep the fallback's saturation thresholds, which are the correctly
// rounded function's: the last step is 1 − q with q small, so the result
// is 1 exactly where q ≤ 2⁻²⁵, as for the exact function, and q is
// accurate to about an ULP there, far less than the step from one float32
// input to the next changes it; Sigmoid's 0 far left is e's, rounded once
// into the denormals. The full sweep in package kernels measures 2.61 ULP
// for Tanh and 2.40 for Sigmoid, within the documented 3, and finds the
// thresholds unchanged. AVX-512 runs AVX2's operations (VSCALEFPS builds
// the same powers of two, rounding once where AVX2's two multiplies do),
// so it gives the same bits; asm.TestTanhSigmoidLevelsAgree checks that.

const (
	// tanhSmall is where Tanh switches from m/(m + 2) to 1 − 2/(m + 2):
	// tanh is 0.555 there, so the first is below 0.56 and the second
	// subtracts at most 0.445 from 1.
	tanhSmall = 0.625

	// tanhSat clamps |x|: e^18.2 is finite, and 2/(e^18.2 + 1) < 2⁻²⁵,
	// so tanh is 1 from |x| = 9.1 on as the clamp makes it for every
	// larger |x|, ±Inf included.
	tanhSat = 9.1

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

// The quotients are one VDIVPS, correctly rounded, on AVX-512 as on
// AVX2. VRCP14PS with one Newton correction (q = a·r, then
// q + (a − q·d)·r, about 2⁻²⁸ before the last rounding) was the AVX-512
// path before; on the development machine (Zen 5) VDIVPS measured 12%
// faster in Sigmoid and 11% in Tanh, in one run with three interleaved
// vectors. (On Intel's cores, whose 512-bit divide is slower, the
// reciprocal would likely win.)

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

// tanhKernel is dst ≈ tanh(x) within 3 ULP, from m = e^2a − 1 for
// a = |x|: tanh a = m/(m + 2) below tanhSmall, where it is under 0.56
// and m has no cancellation to fear, and 1 − 2/(m + 2) from there on,
// where the subtraction loses nothing. m is computed as an expm1, exact
// near 0: 2a = n·ln2 + 2h, and m = 2ⁿ·(e^2h − 1) + (2ⁿ − 1) by one FMA
// of exact 2ⁿ⁺¹ and 2ⁿ − 1 with (e^2h − 1)/2 = h + h²·P(h), the fast
// exp's polynomial with its coefficients scaled by powers of two.
func tanhKernel(tab *ctab) kernel {
	return unaryKernel(tab, "Tanh", []string{
		"sets dst[i] to tanh(x[i]) within 3 ULP for every i < len(x),",
		"with fused multiply-adds, and the fallback's special values and",
		"saturation thresholds but not its bits. dst must be as long as x",
		"(unchecked) and either be x or not overlap it.",
	}, func(v vm, one reg.VecVirtual) func(reg.VecVirtual) reg.VecVirtual {
		sat, two := v.reg(kf(tanhSat)), v.reg(kf(2))
		return func(x reg.VecVirtual) reg.VecVirtual {
			a := v.and(x, ki(0x7fffffff))
			ac := v.minKeepNaN(a, sat)
			// n = round(2a·log2e), h = a − n·ln2/2 (exact: ln2Hi/2
			// has 8 significant bits).
			t := v.madd(v.reg(kf(2*log2e)), ac, kf(roundMagic))
			n := v.sub(t, kf(roundMagic))
			h := v.nmadd(v.reg(kf(ln2Hi/2)), n, ac)
			h = v.nmadd(v.reg(kf(ln2Lo/2)), n, h)
			p := v.reg(kf(32 * exp6))
			for _, c := range []float32{16 * exp5, 8 * exp4, 4 * exp3, 2 * exp2} {
				p = v.madd(p, h, kf(c))
			}
			half := v.madd(v.mul(h, h), p, h) // (e^2h − 1)/2
			// s = 2ⁿ⁺¹, 0 ≤ n ≤ 27: VSCALEFPS, or exponent bits
			// from t's low bits on AVX2.
			var s reg.VecVirtual
			if wide(v.s) {
				s = v.scalef(two, n)
			} else {
				s = v.addi(v.shl(t, 23), ki(128<<23))
			}
			sm1 := v.madd(v.reg(kf(0.5)), s, kf(-1)) // 2ⁿ − 1, exact
			m := v.madd(half, s, sm1)
			d := v.add(m, kf(2))

			large := v.above(a, ki(math.Float32bits(tanhSmall)-1))
			q := v.div(large.pick(two, m), d)
			return copySign(v, oneMinusWhere(v, large, one, q), x)
		}
	})
}

// oneMinusWhere returns 1 − q where the predicate p holds and q elsewhere:
// on AVX-512 one merge-masked subtraction.
func oneMinusWhere(v vm, p sel, one, q reg.VecVirtual) reg.VecVirtual {
	if !wide(v.s) {
		return p.pick(v.sub(one, q), q)
	}
	v.c.VSUBPS(q, one, p.mask, q)
	return q
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
			s := v.div(e, v.add(e, kf(1)))
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
