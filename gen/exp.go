package main

import (
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// The vector exp is fallback.expSplit run on every lane, operation for
// operation and rounding for rounding. It fuses a multiply into an add
// only where that cannot change a rounding: where the product is exact
// (x − n·ln2Hi, and ExpFMAAdds' FMAs by 1), so that the FMA rounds as
// the addition it replaces, and in AVX2's scaling by an exact power of
// two (see emit): so the generated Exp gives fallback.Exp's bits (NaN payloads aside), and the
// error bound swept for that holds for it unchanged. (Tanh and Sigmoid
// use the fused emitFast's steps instead; see tanh.go.) The constants are
// fallback/exp.go's, the same decimal literals rounded to float32 the same
// way; the asm tests compare with the fallback bit for bit, so a copy
// that drifts is caught.
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
	// fmaAdds makes three of emit's additions FMAs (addOnFMA).
	fmaAdds bool
}

// addOnFMA returns a + b, or a − b where sub is set, rounded once, as
// v.add and v.sub do; but where e.fmaAdds is set, as the FMA a·1 ± b,
// whose product is exact and whose result therefore has the same bits.
// The FMA runs on the multiply pipes: on AMD's Zen 4 (and, by its
// design, Zen 5), whose adds and multiplies go to separate pairs of
// pipes, Exp's unfused steps have twelve additions for nine multiplies,
// and moving three (the Fast2Sum's 1 + rh, 1 − s and its last + u) made
// the AVX-512 Exp 8% faster on a Zen 4 at 4K and 64K elements (the
// fastest of 22 subsets of its additions tried, each of which gave the
// same bits; Zen 5 splits its pipes the same way, but was not measured). AVX2's
// Exp, bound by its chain's latency with two vectors in flight, ran
// slower with any of them moved (an FMA's latency is 4 cycles to an
// add's 3), and Intel's cores run 512-bit adds and FMAs on the same
// ports, so only AVX-512 has the variant, and package kernels runs it on
// AMD's CPUs alone.
func (e expGen) addOnFMA(a reg.VecVirtual, b any, sub bool) reg.VecVirtual {
	v := e.v
	if !e.fmaAdds || !wide(v.s) {
		if sub {
			return v.sub(a, b)
		}
		return v.add(a, b)
	}
	d := v.s.vec(v.c)
	v.c.VMOVAPS(a, d)
	op, bc := v.arg(b)
	switch {
	case sub && bc:
		v.c.VFMSUB213PS_BCST(op, e.one, d)
	case sub:
		v.c.VFMSUB213PS(op, e.one, d)
	case bc:
		v.c.VFMADD213PS_BCST(op, e.one, d)
	default:
		v.c.VFMADD213PS(op, e.one, d)
	}
	return d
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

// emit returns e^x rounded to float32, as fallback.expSplit's hi (its lo,
// the tail, is for the fallback's Tanh and Sigmoid; the vector ones use
// emitFast instead). x is not changed.
func (e expGen) emit(x reg.VecVirtual) reg.VecVirtual {
	v := e.v
	// Clamp with x's NaN kept, as the fallback's two ifs do.
	hiK, loK := e.clamps()
	x = v.maxKeepNaN(v.minKeepNaN(x, hiK), loK)
	// The fallback zeroes r where |r| < 2⁻³⁰ (rq), so that r² is 0 there
	// and r·r never a denormal, whose slow path would cost a hundred
	// cycles on many CPUs (Zen 4's included). Only r² needs it: r·exp3 +
	// exp2 and r·exp5 + exp4 round to the constant alone for such r, as
	// for 0, since |r·exp3| < 2⁻³² is below half an ULP of exp2 (2⁻²⁶)
	// and |r·exp5| < 2⁻³⁶ below half an ULP of exp4 (2⁻²⁹). And the
	// predicate is taken from x, early, not from r at the end of the
	// reduction: |x| < 2⁻³⁰ makes n = 0 and r = x, so r² is zeroed there
	// as in the fallback. Where n ≠ 0 instead, r is 0 or at least 2⁻³⁶
	// (|x| > 0.34 and ln2Hi are multiples of 2⁻²⁵, rl of 2⁻³⁶), so r² is
	// normal, and where it is below 2⁻⁶⁰ and the fallback zeroes it,
	// its terms round away all the same: r²·exp6 + qb to qb, qb·r² + qa
	// to qa, and r²·q − rl to −rl (|rl| ≥ 2⁻¹³).
	notTiny := v.above(v.and(x, ki(0x7fffffff)), ki(expTinyR-1))
	// n = x·log2e rounded to float32, then to an integer (to nearest
	// even) by VRNDSCALEPS or VROUNDPS: the fallback's add and subtract
	// of roundMagic round the same way, one operation longer on the
	// dependency chain. AVX2's pow2 takes t = n + roundMagic (exact),
	// made beside the chain.
	var t reg.VecVirtual
	n, xl := v.s.vec(v.c), v.mul(x, kf(log2e))
	if wide(v.s) {
		v.c.VRNDSCALEPS(operand.U8(0), xl, n)
	} else {
		v.c.VROUNDPS(operand.U8(0), xl, n)
		t = v.add(n, kf(roundMagic))
	}
	// rh = x − n·ln2Hi in one FMA: n·ln2Hi is exact (|n| ≤ 159 has 8
	// significant bits, ln2Hi 9), so it rounds as the fallback's
	// multiply and subtract, one multiply shorter on the chain.
	rl := v.mul(n, kf(ln2Lo))
	rh := v.subMul(x, n, kf(ln2Hi))
	r := v.sub(rh, rl)
	r2 := notTiny.square(r)
	qa := v.add(v.mul(r, kf(exp3)), kf(exp2))
	qb := v.add(v.mul(r, kf(exp5)), kf(exp4))
	qb = v.add(v.mul(r2, kf(exp6)), qb)
	q := v.add(v.mul(qb, r2), qa)
	u := v.sub(v.mul(r2, q), rl)
	// 1 + rh + u with 1 + rh kept exact (Fast2Sum), p the rounded sum.
	s := e.addOnFMA(e.one, rh, false)
	cc := e.addOnFMA(v.add(e.addOnFMA(e.one, s, true), rh), u, false)

	if wide(v.s) {
		// VSCALEFPS rounds p·2ⁿ once, as the two factors do: the
		// same bits, denormals, overflow and n < −150 included.
		return v.scalef(v.add(s, cc), n)
	}
	// (s + cc)·s1 is normal (s + cc is within [0.7, 1.42], s1 within
	// [2⁻⁸⁰, 2⁶⁴]), so rounding the sum and then scaling it exactly
	// gives the bits of cc·s1 + s·s1 rounded once: one FMA whose addend
	// is made beside the chain, one operation shorter than the add and
	// multiply it replaces.
	s1, s2 := pow2(v, t)
	return v.mul(v.madd(cc, s1, v.mul(s, s1)), s2)
}

// scalef returns p·2^⌊n⌋ rounded once (AVX-512 only).
func (v vm) scalef(p, n reg.VecVirtual) reg.VecVirtual {
	d := v.s.vec(v.c)
	v.c.VSCALEFPS(n, p, d)
	return d
}

// pow2 returns 2ⁿ, n held as an integer in the low mantissa bits of t
// (t = n + roundMagic), as fallback.expSplit builds it: two factors
// s1·s2 = 2^⌊n/2⌋·2^⌈n/2⌉ from exponent bits, so that n from −150 to 128
// needs no special case, and s2 = 0 where n < −150, so that the product
// is 0 without a denormal multiply.
func pow2(v vm, t reg.VecVirtual) (s1, s2 reg.VecVirtual) {
	k := v.subi(t, ki(0x4B400000))
	k1 := v.sra(k, 1)
	k2 := v.subi(k, k1)
	s1 = v.shl(v.addi(k1, ki(127)), 23)
	s2 = v.shl(v.addi(k2, ki(127)), 23)
	return s1, v.andNot(s2, v.sra(v.addi(k, ki(150)), 31))
}

// emitFast returns e^x with fused multiply-adds: Cody and Waite's
// reduction x = n·ln2 + r in two FMAs, the same minimax polynomial by
// Horner's rule in FMAs, 1 + (r + r²·q) rounded twice, and 2ⁿ applied
// by VSCALEFPS on AVX-512 (one rounding, denormals included) or as in
// pow2 on AVX2. It drops expSplit's exact 1 + r and its tail, and is
// within 2 ULP instead of 0.79 (the asm tests bound it), in half the
// operations: for Softmax, whose bound allows it, not for Exp, whose
// does not. Clamps and NaN are as in emit; it is 1 at 0, 0 at −Inf and
// below the underflow threshold, +Inf at +Inf and above overflow.
func (e expGen) emitFast(x reg.VecVirtual) reg.VecVirtual {
	v := e.v
	hiK, loK := e.clamps()
	t, n, p := fastMantissa(v, v.maxKeepNaN(v.minKeepNaN(x, hiK), loK))
	if wide(v.s) {
		return v.scalef(p, n)
	}
	s1, s2 := pow2(v, t)
	return v.mul(v.mul(p, s1), s2)
}

// fastMantissa is emitFast's work before the scaling by 2ⁿ, for x already
// clamped, which it consumes: t = round(x·log2e) + roundMagic,
// n = t − roundMagic, and p ≈ eʳ with r = x − n·ln2, so that e^x = p·2ⁿ.
// The kernels that call it hold fastConsts.
//
// r² is r·r + 2⁻¹²⁶ in one FMA: never a denormal, whose slow path would
// cost more than the whole loop where |x| < 2⁻⁶³ (Sigmoid at 2.3 times
// its time on AVX2, Zen 4). The bias changes p nowhere it matters: where
// |r| < 2⁻²⁵, p = (r + r²·q) + 1 rounds to 1 whatever r² is, and
// elsewhere 2⁻¹²⁶ is below 2⁻⁷⁶ of r·r and moves its rounding only at an
// exact tie, by one of its ULPs, which r + r²·q rounds away but in a
// tie of its own. The kernels' sweeps measure the result.
func fastMantissa(v vm, x reg.VecVirtual) (t, n, p reg.VecVirtual) {
	t = v.madd(v.reg(kf(log2e)), x, kf(roundMagic)) // round(x·log2e) + roundMagic
	n = v.sub(t, kf(roundMagic))
	r := v.subMul(x, n, kf(ln2Hi)) // exact
	r = v.subMul(r, n, kf(ln2Lo))
	q := v.reg(kf(exp6))
	for _, c := range []float32{exp5, exp4, exp3, exp2} {
		q = v.madd(q, r, kf(c))
	}
	r2 := v.reg(kf(minNormal))
	v.c.VFMADD231PS(r, r, r2)
	return t, n, v.add(v.madd(r2, q, r), kf(1))
}

// fastConsts are the constants fastMantissa takes whole (vm.reg), for
// its callers' kernels to hold.
var fastConsts = []any{kf(log2e), kf(exp6), kf(minNormal)}

// unaryKernel is a kernel dst = f(x) whose body is emitted by f from the
// loaded vector x, with vm for table tab and 1.0 in the register one.
func unaryKernel(tab *ctab, q quotient, name string, doc []string, f func(v vm, one reg.VecVirtual) func(x reg.VecVirtual) reg.VecVirtual) kernel {
	return kernel{
		name:   name,
		doc:    doc,
		sig:    "func(dst, x []float32)",
		slices: []string{"dst", "x"},
		length: "x",
		// The body is one long dependency chain per vector. With
		// the instructions of consecutive vectors alternated, as many
		// as the registers hold, Tanh, Sigmoid and Exp measured
		// 19–26% faster on AVX-512 (three vectors) and 8–10% on
		// AVX2 (two) on Zen 5 than one vector per iteration. Four
		// fit AVX-512's 32 registers and measured 0–5% more than
		// three, not worth a count per kernel but for Tanh's
		// (tanhKernel). To measure again: change the counts below, go generate, and
		// compare go run ./bench -kernels '^(Exp|Tanh|Sigmoid)$' on
		// the builds.
		interleave: func(s isa) int {
			if wide(s) {
				return 3
			}
			return 2
		},
		setup: func(c *build.Context, s isa) body {
			v := newVM(c, s, tab, q)
			emit := f(v, broadcastOne(c, s))
			return func(io vecIO, at []operand.Mem) {
				io.store(emit(io.load(at[1])), at[0])
			}
		},
	}
}

// expKernel is dst = e^x, as fallback.Exp; with fmaAdds, ExpFMAAdds,
// three of whose additions are FMAs (expGen.addOnFMA).
func expKernel(tab *ctab, fmaAdds bool) kernel {
	name, doc := "Exp", []string{
		"sets dst[i] = e^x[i] for every i < len(x): fallback.Exp's",
		"algorithm with its roundings, so its results bit for bit but for NaN",
		"payloads. dst must be as long as x (unchecked) and either be x or not",
		"overlap it.",
	}
	if fmaAdds {
		name = "ExpFMAAdds"
		doc = append(doc, "Three of its additions are FMAs with a factor of 1, which give the",
			"same bits and run on the multiply pipes: for CPUs whose adds and",
			"multiplies have separate pipes.")
	}
	return unaryKernel(tab, divide, name, doc, func(v vm, one reg.VecVirtual) func(reg.VecVirtual) reg.VecVirtual {
		e := newExp(v, one)
		e.fmaAdds = fmaAdds
		return e.emit
	})
}

// expFastKernel is dst ≈ e^x through emitFast, for the row kernels.
func expFastKernel(tab *ctab) kernel {
	return unaryKernel(tab, divide, "ExpFast", []string{
		"sets dst[i] to e^x[i] within 2 ULP for every i < len(x), with",
		"fused multiply-adds in about half the operations of Exp, and without",
		"Exp's guarantees of monotonicity and of fallback.Exp's bits: for",
		"Softmax, whose accuracy bound is far wider. Special values are as",
		"Exp's: NaN gives NaN, e^−Inf = 0, e^+Inf = +Inf, e^0 = 1. dst must be",
		"as long as x (unchecked) and either be x or not overlap it.",
	}, func(v vm, one reg.VecVirtual) func(reg.VecVirtual) reg.VecVirtual {
		v.hold(fastConsts...)
		return newExp(v, one).emitFast
	})
}

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

	// minNormal is 2⁻¹²⁶, the least normal float32: fastMantissa adds it
	// to r·r so that the square is never a denormal.
	minNormal = 0x1p-126
)

// expNegFast returns e^z for z ≤ 0 (or NaN) already clamped to
// [expLo, 0], which it consumes, as emitFast computes it but without the clamps: Cody–Waite
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

func expFamily(c *build.Context) {
	tab := newCtab(c, "expconst")
	generateAll(c, expKernel(tab, false), expFastKernel(tab))
	expKernel(tab, true).generate(c, avx512)
}
