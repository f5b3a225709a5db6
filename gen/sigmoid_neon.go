package main

import (
	. "github.com/simdnn/simdnn/gen/arm64"
)

var sigmoidNEON = transNEON{
	name: "Sigmoid",
	doc: []string{
		"sets dst[i] to 1/(1 + e^−x[i]) within 3 ULP for every",
		"i < len(x), with fused multiply-adds: the AVX2 kernel's steps and bits,",
		"and the fallback's special values and saturation thresholds but not",
		"its bits.",
	},
	temps: 5,
	setup: func(c *consts) transBody {
		sign, lo := c.u32(0x80000000, "the sign bit"), c.f32(expLo, "expLo")
		l2e, magic := c.f32(log2e, "log2e"), c.f32(roundMagic, "roundMagic")
		lnHi, lnLo := c.f32(ln2Hi, "ln2Hi"), c.f32(ln2Lo, "ln2Lo")
		e6, e5, e4 := c.f32(exp6, "exp6"), c.f32(exp5, "exp5"), c.f32(exp4, "exp4")
		e3, e2 := c.f32(exp3, "exp3"), c.f32(exp2, "exp2")
		one := c.f32(1, "1")
		minNorm := c.f32(minNormal, "2⁻¹²⁶")
		bias := c.u32((127+64)<<23, "(127+64)<<23")
		down := c.f32(scaleDown, "2⁻⁶⁴")
		return func(l lanes) tmp {
			x, z, t, n, q := l.t(0), l.t(1), l.t(2), l.t(3), l.t(4)
			// e = e^z, z = −|x| clamped to expLo: e ≤ 1, and
			// s = σ(−|x|) = e/(1 + e) is the result for x < 0,
			// 1 − s for x ≥ 0.
			l.or(z, x, sign)
			l.fmax(z, z, lo)
			l.madd(t, z, l2e, magic)
			l.fsub(n, t, magic)
			r := z
			l.fmls(r, n, lnHi) // exact
			l.fmls(r, n, lnLo)
			l.madd(n, e6, r, e5)
			l.madd(q, n, r, e4)
			l.madd(n, q, r, e3)
			l.madd(q, n, r, e2)
			l.madd(n, r, r, minNorm) // r² never denormal (exp.go's fastMantissa)
			l.fmla(r, n, q)
			p := r
			l.fadd(p, p, one)
			// 2ⁿ⁺⁶⁴ from t's low bits (−159 ≤ n ≤ 0), then 2⁻⁶⁴,
			// which rounds a denormal result once.
			s := t
			l.shl(s, t, 23)
			l.addi(s, s, bias)
			e := p
			l.fmul(e, p, s)
			l.fmul(e, e, down)
			d := t
			l.fadd(d, e, one)
			l.fdiv(e, e, d)
			l.fsub(d, one, e)
			neg := n
			l.sshr(neg, x, 31)
			l.bit(d, e, neg)
			return d
		}
	},
}
var sigmoidGradNEON = outputGradNEON("SigmoidGrad", []string{
	"sets dx[i] = dy[i]·(y[i]·(1 − y[i])) for every i < len(y),",
	"each operation rounded once in that order, as fallback.SigmoidGrad",
	"computes it.",
}, func(f *Func, one, y, dy, t V) {
	f.FSUB(t.S4(), one.S4(), y.S4())
	f.FMUL(t.S4(), y.S4(), t.S4())
	f.FMUL(y.S4(), dy.S4(), t.S4())
})

func sigmoidNEONFamily(file *File) {
	sigmoidNEON.generate(file)
	sigmoidGradNEON.generate(file)
}
