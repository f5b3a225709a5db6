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
// into the denormals. The full sweep (go test -v
// ./kernels/internal/sweep/...) measures 2.61 ULP for Tanh and 2.40 for
// Sigmoid, within the documented 3, and finds the fallback's thresholds.
// AVX-512 runs AVX2's operations (VSCALEFPS builds the same powers of
// two, rounding once where AVX2's two multiplies do), so it gives the
// same bits; asm.TestTanhSigmoidLevelsAgree checks that.

// The quotients are one VDIVPS, correctly rounded, on AVX2 and in the
// AVX-512 kernels; the AVX-512 TanhRecip computes them as a reciprocal
// and one correction instead (quotient in vmath.go), which pipelines:
// package kernels chooses between the two per CPU. It gives the same
// bits as Tanh but for about one input in 1,600, whose result moves by
// one ULP (asm.TestRecipQuotients); the sweep bounds it as it does the
// others.

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
func tanhKernel(tab *ctab, q quotient) kernel {
	k := unaryKernel(tab, q, "Tanh"+q.suffix(), append([]string{
		"sets dst[i] to tanh(x[i]) within 3 ULP for every i < len(x),",
		"with fused multiply-adds, and the fallback's special values and",
		"saturation thresholds but not its bits. dst must be as long as x",
		"(unchecked) and either be x or not overlap it.",
	}, q.doc()...), func(v vm, one reg.VecVirtual) func(reg.VecVirtual) reg.VecVirtual {
		sat, two := v.reg(kf(tanhSat)), v.reg(kf(2))
		v.hold(kf(2*log2e), kf(32*exp6), kf(0.5))
		return func(x reg.VecVirtual) reg.VecVirtual {
			a := v.and(x, ki(0x7fffffff))
			ac := v.minKeepNaN(a, sat)
			// n = round(2a·log2e), h = a − n·ln2/2 in one FMA, with
			// ln2/2 rounded to float32. Unlike Exp's and Sigmoid's
			// (n up to ±150), Tanh's reduction needs no second
			// constant: float32(ln2/2) is 9.5·10⁻¹⁰ (0.03 of its
			// ULP) above ln2/2, so h is off by n times that, and
			// moves tanh by at most about 0.06 ULP, where n first
			// reaches 1 (a = 0.17); for larger n, tanh's sensitivity
			// to m falls as 2⁻ⁿ. The sweep measures the same maximum
			// (2.61 ULP) with one constant as with two, and the FMA
			// spared is 3–5% of the loop's time on Zen 4.
			t := v.madd(v.reg(kf(2*log2e)), ac, kf(roundMagic))
			n := v.sub(t, kf(roundMagic))
			h := v.subMul(ac, n, kf(math.Ln2/2))
			p := v.reg(kf(32 * exp6))
			for _, c := range []float32{16 * exp5, 8 * exp4, 4 * exp3, 2 * exp2} {
				p = v.madd(p, h, kf(c))
			}
			// (e^2h − 1)/2 = h + h·(h·P(h)), the product in
			// brackets rounded: one rounding of the correction
			// term, as h + h²·P(h) with h² rounded would have, but
			// no denormal product where |a| < 2⁻⁶³, whose slow path
			// took Tanh of such inputs to 0.57 of its speed on
			// AVX2 and 0.79 on AVX-512 (Zen 4).
			half := v.madd(v.mul(p, h), h, h)
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
	// AVX-512's 32 registers hold four of Tanh's vectors in flight, one
	// more than unaryKernel's three: on Zen 4 that measured 1–2% faster
	// with VDIVPS and 4% with the reciprocal. AVX2 keeps unaryKernel's.
	streams := k.interleave
	k.interleave = func(s isa) int {
		if wide(s) {
			return 4
		}
		return streams(s)
	}
	return k
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

// The gradients from a saved output (TanhGrad, SigmoidGrad) and those
// of ReLU and leaky ReLU round after each operation, in the
// fallback's order, with no fused multiply-add. Their contracts in package
// kernels promise no particular rounding, and a fused 1 − y·y would be
// more accurate near |y| = 1; but these loops are bound by memory, not by
// arithmetic, so fusing buys no speed, while unfused every level gives the
// pure-Go kernel's bits and a training run does not change with the
// machine it runs on. Each product also takes its operands in the order
// Go's compiler gives the fallback's (the parenthesised factor first), so
// that even the NaN returned for two NaN operands, Intel's first source,
// is the one the fallback returns as Go 1.26 compiles it; the tests do not
// rely on that.

// tanhGrad is dx = dy·(1 − y·y), as fallback.TanhGrad.
var tanhGrad = kernel{
	name: "TanhGrad",
	doc: []string{
		"sets dx[i] = dy[i]·(1 − y[i]·y[i]) for every i < len(y),",
		"rounding after each operation in that order, without fused multiply-adds:",
		"exactly fallback.TanhGrad compiled without fusion (NaN payloads aside),",
		"within the accuracy kernels.TanhGrad documents. dx and dy must be as long",
		"as y (unchecked); dx may be y or dy, otherwise overlap neither.",
	},
	sig:    "func(dx, y, dy []float32)",
	slices: []string{"dx", "y", "dy"},
	length: "y",
	setup: func(c *build.Context, s isa) body {
		one := broadcastOne(c, s)
		return func(io vecIO, at []operand.Mem) {
			dx, y, dy := at[0], at[1], at[2]
			v, u := io.load(y), s.vec(c)
			c.VMULPS(v, v, v)          // y·y
			c.VSUBPS(v, one, u)        // 1 − y·y
			c.VMULPS(io.src(dy), u, u) // (1 − y·y)·dy
			io.store(u, dx)
		}
	},
}

// suffix is the end of the name of a kernel that divides as q, and doc
// the lines its doc comment adds.
func (q quotient) suffix() string {
	if q == reciprocal {
		return "Recip"
	}
	return ""
}

func (q quotient) doc() []string {
	if q == reciprocal {
		return []string{"Its quotients are a reciprocal (VRCP14PS) corrected once, not VDIVPS."}
	}
	return nil
}

func tanhFamily(c *build.Context) {
	tab := newCtab(c, "tanhconst")
	generateAll(c, tanhKernel(tab, divide), tanhGrad)
	tanhKernel(tab, reciprocal).generate(c, avx512)
}
