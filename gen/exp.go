package main

import (
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// The vector exp is fallback.expSplit run on every lane, operation for
// operation and rounding for rounding, with no fused multiply-add: so the
// generated Exp, Tanh, Sigmoid and the row kernels built on it give the
// pure-Go kernels' bits (NaN payloads aside), and the error bounds swept
// for those hold for these unchanged. The constants are fallback/exp.go's,
// the same decimal literals rounded to float32 the same way; the asm tests
// compare with the fallback bit for bit, so a copy that drifts is caught.
const (
	expHi      = 88.8
	expLo      = -110
	expTinyR   = 0x30800000
	log2e      = 1.44269504088896341
	ln2Hi      = 0.693359375
	ln2Lo      = -2.12194440e-4
	roundMagic = 0x1.8p23
	exp2       = 0.49999994
	exp3       = 0.166665211
	exp4       = 0.041668389
	exp5       = 0.00836874545
	exp6       = 0.00138145406
)

// expGen emits e^x into registers. The clamps' constants must be first
// sources, so registers: on AVX-512 they are loaded once, before the loop;
// on AVX2, whose 16 registers the callers' accumulators and the
// polynomial's temporaries fill, they are broadcast from the table at each
// use (loads, which do not compete with the FP work).
type expGen struct {
	v           vm
	one, hi, lo reg.VecVirtual
}

// newExp loads the registers expGen needs; one is shared with its caller.
func newExp(v vm, one reg.VecVirtual) expGen {
	e := expGen{v: v, one: one}
	if wide(v.s) {
		e.hi, e.lo = v.reg(kf(expHi)), v.reg(kf(expLo))
	}
	return e
}

// clamps returns the registers holding expHi and expLo.
func (e expGen) clamps() (hi, lo reg.VecVirtual) {
	if e.hi != nil {
		return e.hi, e.lo
	}
	return e.v.reg(kf(expHi)), e.v.reg(kf(expLo))
}

// emit returns e^x rounded to float32 and, when tail is set, most of what
// that rounding dropped, as fallback.expSplit's hi and lo (lo is nil
// otherwise). x is not changed.
func (e expGen) emit(x reg.VecVirtual, tail bool) (hi, lo reg.VecVirtual) {
	v := e.v
	// Clamp with x's NaN kept, as the fallback's two ifs do.
	hiK, loK := e.clamps()
	x = v.maxKeepNaN(v.minKeepNaN(x, hiK), loK)
	t := v.add(v.mul(x, kf(log2e)), kf(roundMagic))
	n := v.sub(t, kf(roundMagic))
	rh := v.sub(x, v.mul(n, kf(ln2Hi)))
	rl := v.mul(n, kf(ln2Lo))
	r := v.sub(rh, rl)
	// rq is r, or 0 where |r| < 2⁻³⁰ (r·r would underflow).
	rq := v.above(v.and(r, ki(0x7fffffff)), ki(expTinyR-1)).keep(r)
	r2 := v.mul(rq, rq)
	qa := v.add(v.mul(rq, kf(exp3)), kf(exp2))
	qb := v.add(v.mul(rq, kf(exp5)), kf(exp4))
	qb = v.add(v.mul(r2, kf(exp6)), qb)
	q := v.add(v.mul(qb, r2), qa)
	u := v.sub(v.mul(r2, q), rl)
	// 1 + rh + u with 1 + rh kept exact (Fast2Sum), p the rounded sum.
	s := v.add(e.one, rh)
	cc := v.add(v.add(v.sub(e.one, s), rh), u)
	p := v.add(s, cc)

	// 2ⁿ as the two factors s1·s2 built from exponent bits; s2 = 0 where
	// n < −150, so that the product is 0 without a denormal multiply.
	k := v.subi(t, ki(0x4B400000))
	k1 := v.sra(k, 1)
	k2 := v.subi(k, k1)
	s1 := v.shl(v.addi(k1, ki(127)), 23)
	s2 := v.shl(v.addi(k2, ki(127)), 23)
	s2 = v.andNot(s2, v.sra(v.addi(k, ki(150)), 31))

	hi = v.mul(v.mul(p, s1), s2)
	if tail {
		pl := v.sub(cc, v.sub(p, s))
		lo = v.mul(v.mul(pl, s1), s2)
	}
	return hi, lo
}

// unaryKernel is a kernel dst = f(x) whose body is emitted by f from the
// loaded vector x, with vm for table tab and 1.0 in the register one.
func unaryKernel(tab *ctab, name string, doc []string, f func(v vm, one reg.VecVirtual) func(x reg.VecVirtual) reg.VecVirtual) kernel {
	return kernel{
		name:   name,
		doc:    doc,
		sig:    "func(dst, x []float32)",
		slices: []string{"dst", "x"},
		length: "x",
		// The body is long and its lanes independent: out-of-order
		// execution overlaps consecutive vectors without unrolling,
		// and AVX2's 16 registers could not hold two copies.
		unroll: 1,
		setup: func(c *build.Context, s isa) body {
			v := vm{c, s, tab}
			emit := f(v, broadcastOne(c, s))
			return func(io vecIO, at []operand.Mem) {
				io.store(emit(io.load(at[1])), at[0])
			}
		},
	}
}

// expKernel is dst = e^x, as fallback.Exp.
func expKernel(tab *ctab) kernel {
	return unaryKernel(tab, "Exp", []string{
		"sets dst[i] = e^x[i] for every i < len(x): fallback.Exp's",
		"algorithm with its roundings, so its results bit for bit but for NaN",
		"payloads. dst must be as long as x (unchecked) and either be x or not",
		"overlap it.",
	}, func(v vm, one reg.VecVirtual) func(reg.VecVirtual) reg.VecVirtual {
		e := newExp(v, one)
		return func(x reg.VecVirtual) reg.VecVirtual {
			hi, _ := e.emit(x, false)
			return hi
		}
	})
}
