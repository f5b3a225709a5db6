package main

import (
	"math"

	. "github.com/simdnn/simdnn/gen/arm64"
)

var tanhNEON = transNEON{
	name: "Tanh",
	doc: []string{
		"sets dst[i] to tanh(x[i]) within 3 ULP for every i < len(x),",
		"with fused multiply-adds: the AVX2 kernel's steps and bits, and the",
		"fallback's special values and saturation thresholds but not its bits.",
	},
	temps: 6,
	setup: func(c *consts) transBody {
		sat, magic := c.f32(tanhSat, "tanhSat"), c.f32(roundMagic, "roundMagic")
		l2e2 := c.f32(2*log2e, "2·log2e")
		ln2Half := c.f32(math.Ln2/2, "ln2/2")
		p6, p5, p4 := c.f32(32*exp6, "32·exp6"), c.f32(16*exp5, "16·exp5"), c.f32(8*exp4, "8·exp4")
		p3, p2 := c.f32(4*exp3, "4·exp3"), c.f32(2*exp2, "2·exp2")
		bias := c.u32(128<<23, "128<<23")
		half, minus1 := c.f32(0.5, "0.5"), c.f32(-1, "-1")
		one, two := c.f32(1, "1"), c.f32(2, "2")
		small := c.f32(tanhSmall, "tanhSmall")
		sign := c.u32(0x80000000, "the sign bit")
		return func(l lanes) tmp {
			x, a, ac, t, n, h := l.t(0), l.t(1), l.t(2), l.t(3), l.t(4), l.t(5)
			l.fabs(a, x)
			l.fmin(ac, a, sat)
			// n = round(2a·log2e), h = a − n·ln2/2 in one rounding
			// (see tanh.go).
			l.madd(t, ac, l2e2, magic)
			l.fsub(n, t, magic)
			l.nmadd(h, n, ln2Half, ac)
			// half = (e^2h − 1)/2 = h + h·(h·P(h)) (see tanh.go).
			p, q := ac, n
			l.madd(p, p6, h, p5)
			l.madd(q, p, h, p4)
			l.madd(p, q, h, p3)
			l.madd(q, p, h, p2)
			l.fmul(p, q, h)
			l.fmla(h, p, h)
			// s = 2ⁿ⁺¹ (0 ≤ n ≤ 27) from t's low bits; m = e^2a − 1 =
			// s·half + (s/2 − 1), s/2 − 1 exact.
			s, m := t, ac
			l.shl(s, t, 23)
			l.addi(s, s, bias)
			l.madd(m, half, s, minus1)
			l.fmla(m, h, s)
			d := n
			l.fadd(d, m, two)
			// large: a ≥ tanhSmall, where the result is 1 − 2/d; below
			// it m/d. NaN takes the second way, giving NaN as the
			// first would.
			large := h
			l.fcmge(large, a, small)
			l.bit(m, two, large)
			l.fdiv(m, m, d)
			l.fsub(d, one, m)
			l.bit(m, d, large)
			// x's sign on |tanh|, so the result is odd bit for bit.
			l.bif(x, m, sign)
			return x
		}
	},
}
var tanhGradNEON = outputGradNEON("TanhGrad", []string{
	"sets dx[i] = dy[i]·(1 − y[i]²) for every i < len(y),",
	"1 − y² rounded once (fused multiply-subtract), then the product.",
}, func(f *Func, one, y, dy, t V) {
	f.VORR(one.B16(), one.B16(), t.B16())
	f.VFMLS(y.S4(), y.S4(), t.S4())
	f.FMUL(y.S4(), dy.S4(), t.S4())
})

func tanhNEONFamily(file *File) {
	tanhNEON.generate(file)
	tanhGradNEON.generate(file)
}
