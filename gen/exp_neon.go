package main

import (
	. "github.com/simdnn/simdnn/gen/arm64"
)

// The NEON Exp, Tanh and Sigmoid run the steps of the AVX2 kernels
// (exp.go, tanh.go, sigmoid.go) lane for lane, with the same constants:
//
//   - Exp is fallback.expSplit's hi with its roundings, every product
//     and sum rounded on its own (FMUL, then FADD) but for the exact
//     x − n·ln2Hi (one FMLS, as on AVX2), so that it gives fallback.Exp's
//     bits. Go does not fuse the fallback on arm64 either: each product
//     that feeds a sum there is wrapped in a float32 conversion, which
//     forbids the fusion.
//   - Tanh and Sigmoid use fused multiply-adds where the AVX2 kernels
//     do (VFMADD and VFNMADD become FMLA and FMLS on a copy of the
//     addend, which rounds the same) and FDIV where they use VDIVPS, so
//     they give the AVX2 kernels' bits, and the full sweep's figures for
//     those (2.61 and 2.40 ULP) and their saturation thresholds hold
//     for them.
//
// FMIN and FMAX return NaN when either operand is NaN, so the clamps
// keep a NaN input as the AVX2 operand order does.

// transStreamsNEON is the number of vectors in flight per iteration.
const transStreamsNEON = 2

// transNEON is one of the unary kernels dst = f(x) of this family: setup
// loads its constants and returns the body; temps is the number of
// temporaries the body uses.
type transNEON struct {
	name  string
	doc   []string
	temps int
	setup func(c *consts) transBody
}

func (k transNEON) generate(file *File) {
	name := k.name + "NEON"
	doc := append(k.doc, "dst must be as long as x (unchecked) and either be x or not overlap it.")
	f := file.Func(name, neonDoc(name, doc...), neonArgs("dst", "x")...)
	n, x, dst := R(0), R(1), R(2)
	f.Len("x", n)
	f.Base("x", x)
	f.Base("dst", dst)
	c := newConsts(f)
	body := k.setup(c)
	unaryLoopNEON(f, "", n, x, dst, transStreamsNEON, k.temps, c, body)
	f.RET()
}

var expNEON = transNEON{
	name: "Exp",
	doc: []string{
		"sets dst[i] = e^x[i] for every i < len(x): fallback.Exp's",
		"algorithm with its roundings (no fused multiply-add but where the",
		"product is exact), so its results bit for bit but for NaN payloads.",
	},
	temps: 7,
	setup: func(c *consts) transBody {
		hi, lo := c.f32(expHi, "expHi"), c.f32(expLo, "expLo")
		l2e, magic := c.f32(log2e, "log2e"), c.f32(roundMagic, "roundMagic")
		lnHi, lnLo := c.f32(ln2Hi, "ln2Hi"), c.f32(ln2Lo, "ln2Lo")
		tiny := c.u32(expTinyR, "2⁻³⁰")
		e2, e3, e4 := c.f32(exp2, "exp2"), c.f32(exp3, "exp3"), c.f32(exp4, "exp4")
		e5, e6 := c.f32(exp5, "exp5"), c.f32(exp6, "exp6")
		one := c.f32(1, "1")
		bias := c.u32(0x4B400000, "roundMagic's bits")
		k127, k150 := c.u32(127, "127"), c.u32(150, "150")
		return func(l lanes) tmp {
			x, t, n, rh, rl, r, u := l.t(0), l.t(1), l.t(2), l.t(3), l.t(4), l.t(5), l.t(6)
			l.fmin(x, x, hi)
			l.fmax(x, x, lo)
			// t = x·log2e + roundMagic, rounded twice: n = round(x·log2e)
			// in its low mantissa bits.
			l.fmul(t, x, l2e)
			l.fadd(t, t, magic)
			l.fsub(n, t, magic)
			l.nmadd(rh, n, lnHi, x) // exact, fused or not
			l.fmul(rl, n, lnLo)
			l.fsub(r, rh, rl)
			// rq = r, or 0 where |r| < 2⁻³⁰ (and where r is NaN,
			// whose NaN reaches p through rh anyway).
			m := x
			l.facge(m, r, tiny)
			l.and(r, r, m)
			r2, qa, qb := x, n, u
			l.fmul(r2, r, r)
			l.fmul(qa, r, e3)
			l.fadd(qa, qa, e2)
			l.fmul(qb, r, e5)
			l.fadd(qb, qb, e4)
			l.fmul(r, r2, e6)
			l.fadd(qb, r, qb)
			l.fmul(qb, qb, r2)
			l.fadd(qb, qb, qa) // q
			l.fmul(u, r2, qb)
			l.fsub(u, u, rl)
			// p = 1 + rh + u with 1 + rh kept exact (Fast2Sum).
			s, cc := x, n
			l.fadd(s, one, rh)
			l.fsub(cc, one, s)
			l.fadd(cc, cc, rh)
			l.fadd(cc, cc, u)
			// 2ⁿ as 2^⌊n/2⌋·2^⌈n/2⌉ from exponent bits, the second 0
			// where n < −150, and p = s + cc multiplied by each in
			// turn, the first as cc·s1 + s·s1 in one FMLA (as on AVX2;
			// see exp.go's emit).
			k, s1, s2 := r, rh, rl
			l.subi(k, t, bias)
			l.sshr(s1, k, 1)
			l.subi(s2, k, s1)
			l.addi(s1, s1, k127)
			l.shl(s1, s1, 23)
			l.addi(s2, s2, k127)
			l.shl(s2, s2, 23)
			l.addi(k, k, k150)
			l.sshr(k, k, 31)
			l.bic(s2, s2, k)
			p := s
			l.fmul(p, s, s1)
			l.fmla(p, cc, s1)
			l.fmul(p, p, s2)
			return p
		}
	},
}

func expNEONFamily(file *File) { expNEON.generate(file) }
