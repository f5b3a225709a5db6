package main

import (
	"math"

	"github.com/mmcloughlin/avo/attr"
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// The transcendental and row kernels need a dozen or more constants each,
// more than AVX2's 16 registers hold beside the temporaries. They live in
// a read-only table instead and are used as memory operands: AVX2 reads a
// 32-byte copy of eight lanes, AVX-512 broadcasts one lane ({1to16}), so
// every entry is stored eight times. Those loads are cheap next to the FP
// work these kernels do. The operands an instruction cannot take from
// memory (its first source) go into registers: on AVX-512 the kernel holds
// them there from before its loop (vm.hold), on AVX2 each use broadcasts
// one from the table.

// ctab is the constant table of one generated file. Entries are added the
// first time they are used; the table must be the file's only global, as
// avo appends data to the most recently declared one.
type ctab struct {
	c     *build.Context
	base  operand.Mem
	index map[uint32]int // bits → byte offset
	size  int
}

// newCtab declares the file's constant table, a static symbol name<>.
func newCtab(c *build.Context, name string) *ctab {
	base := c.StaticGlobal(name)
	c.DataAttributes(attr.RODATA | attr.NOPTR)
	return &ctab{c: c, base: base, index: map[uint32]int{}}
}

// at returns the table entry of the 32-bit pattern bits.
func (t *ctab) at(bits uint32) operand.Mem {
	off, ok := t.index[bits]
	if !ok {
		off = t.size
		for i := range 8 {
			t.c.AddDatum(off+4*i, operand.U32(bits))
		}
		t.index[bits] = off
		t.size += 32
	}
	return t.base.Offset(off)
}

// kf and ki name a constant for the lane operations: a float32 value, or
// a 32-bit integer pattern.
type (
	kf float32
	ki uint32
)

// vm emits lane-wise operations for one instruction set. A source written
// as kf or ki comes from the constant table.
type vm struct {
	c *build.Context
	s isa
	t *ctab
	q quotient // how div divides on AVX-512

	// held maps a constant's bits to the register hold loaded it into
	// (AVX-512 only); newVM makes it, so that copies of a vm share it.
	held map[uint32]reg.VecVirtual
}

// newVM is a vm for instruction set s and table tab, dividing as q.
func newVM(c *build.Context, s isa, tab *ctab, q quotient) vm {
	return vm{c: c, s: s, t: tab, q: q, held: map[uint32]reg.VecVirtual{}}
}

// hold loads the constants ks into registers before a loop, on AVX-512,
// for reg to copy inside it. A broadcast from memory to all sixteen lanes
// costs what a 64-byte load does, and an FP pipe's slot besides (on a Zen 4
// broadcasts ran at one a cycle, and every three took a cycle from the
// FMAs beside them), where an operand broadcast by the instruction that
// uses it ({1to16}) costs a 4-byte load: so the constants the kernels
// need whole, as first sources, are broadcast once. With them held, and
// subMul's constant broadcast by its FMA, the AVX-512 kernels ran faster
// on a Zen 4 with the same bits: Sigmoid by 5–11%, Tanh by 8% and
// ExpFast (Softmax's) by 28%. AVX2, whose 16 registers the temporaries
// fill, broadcasts at each use still: a broadcast to 8 lanes measured
// free beside the FMAs.
func (v vm) hold(ks ...any) {
	if !wide(v.s) {
		return
	}
	for _, k := range ks {
		v.held[bits(k)] = v.reg(k)
	}
}

// bits is the 32-bit pattern of the constant k.
func bits(k any) uint32 {
	switch k := k.(type) {
	case kf:
		return math.Float32bits(float32(k))
	case ki:
		return uint32(k)
	}
	panic("vm: not a constant")
}

// quotient is how a kernel divides on AVX-512. The two give the same
// result but for one quotient in a few thousand, which reciprocal rounds
// the other way (an error of at most 0.57 ULP instead of 0.5), and their
// speed depends on the CPU's divider: package kernels picks one per CPU
// for Tanh (kernels/tuning.go). AVX2 always divides.
type quotient int

const (
	// divide is VDIVPS, correctly rounded.
	divide quotient = iota
	// reciprocal is a/b as q = a·r corrected once, q + (a − q·b)·r,
	// from r = VRCP14PS(b) (relative error below 2⁻¹⁴): the error before
	// the last rounding is below 2⁻²⁸, in four instructions that
	// pipeline where VDIVPS does not.
	reciprocal
)

// arg resolves a second-source operand: registers and memory stay, a
// constant becomes its table entry, broadcast on AVX-512.
func (v vm) arg(a any) (op operand.Op, bcst bool) {
	switch a := a.(type) {
	case kf, ki:
		return v.t.at(bits(a)), wide(v.s)
	case operand.Op:
		return a, false
	}
	panic("vm: bad operand")
}

// op3 emits ins (or its broadcast form) with sources a (register) and b
// (anything arg takes) into a new register: Intel's ins dst, a, b.
func (v vm) op3(ins, bcst func(...operand.Op), a reg.VecVirtual, b any) reg.VecVirtual {
	d := v.s.vec(v.c)
	op, bc := v.arg(b)
	if bc {
		bcst(op, a, d)
	} else {
		ins(op, a, d)
	}
	return d
}

func (v vm) add(a reg.VecVirtual, b any) reg.VecVirtual {
	return v.op3(v.c.VADDPS, v.c.VADDPS_BCST, a, b)
}
func (v vm) sub(a reg.VecVirtual, b any) reg.VecVirtual {
	return v.op3(v.c.VSUBPS, v.c.VSUBPS_BCST, a, b)
}
func (v vm) mul(a reg.VecVirtual, b any) reg.VecVirtual {
	return v.op3(v.c.VMULPS, v.c.VMULPS_BCST, a, b)
}
func (v vm) div(a reg.VecVirtual, b any) reg.VecVirtual {
	if v.q == reciprocal && wide(v.s) {
		d := b.(reg.VecVirtual)
		r := v.s.vec(v.c)
		v.c.VRCP14PS(d, r)
		q := v.mul(a, r)
		return v.madd(v.fnmadd(q, d, a), r, q)
	}
	return v.op3(v.c.VDIVPS, v.c.VDIVPS_BCST, a, b)
}

// addi and subi are lane-wise 32-bit integer a + b and a − b.
func (v vm) addi(a reg.VecVirtual, b any) reg.VecVirtual {
	return v.op3(v.c.VPADDD, v.c.VPADDD_BCST, a, b)
}
func (v vm) subi(a reg.VecVirtual, b any) reg.VecVirtual {
	return v.op3(v.c.VPSUBD, v.c.VPSUBD_BCST, a, b)
}

// and, or and andNot are bitwise; andNot(a, b) is a &^ b. EVEX VANDPS
// needs AVX512DQ, so AVX-512 uses the integer forms of AVX-512F.
func (v vm) and(a reg.VecVirtual, b any) reg.VecVirtual {
	if wide(v.s) {
		return v.op3(v.c.VPANDD, v.c.VPANDD_BCST, a, b)
	}
	return v.op3(func(o ...operand.Op) { v.c.VPAND(o[0], o[1], o[2]) }, nil, a, b)
}

func (v vm) or(a reg.VecVirtual, b any) reg.VecVirtual {
	if wide(v.s) {
		return v.op3(v.c.VPORD, v.c.VPORD_BCST, a, b)
	}
	return v.op3(func(o ...operand.Op) { v.c.VPOR(o[0], o[1], o[2]) }, nil, a, b)
}

// andNot is a &^ b; Intel's PANDN complements its first source.
func (v vm) andNot(a, b reg.VecVirtual) reg.VecVirtual {
	d := v.s.vec(v.c)
	if wide(v.s) {
		v.c.VPANDND(a, b, d)
	} else {
		v.c.VPANDN(a, b, d)
	}
	return d
}

// sra and shl shift every lane by a constant count, arithmetic right or
// left.
func (v vm) sra(a reg.VecVirtual, n uint8) reg.VecVirtual {
	d := v.s.vec(v.c)
	v.c.VPSRAD(operand.U8(n), a, d)
	return d
}

func (v vm) shl(a reg.VecVirtual, n uint8) reg.VecVirtual {
	d := v.s.vec(v.c)
	v.c.VPSLLD(operand.U8(n), a, d)
	return d
}

// madd sets a = a·b + c with one rounding and returns a: a is consumed,
// c may be a constant. nmadd is c − a·b the same way.
func (v vm) madd(a, b reg.VecVirtual, c any) reg.VecVirtual {
	return v.fma213(v.c.VFMADD213PS, v.c.VFMADD213PS_BCST, a, b, c)
}

func (v vm) nmadd(a, b reg.VecVirtual, c any) reg.VecVirtual {
	return v.fma213(v.c.VFNMADD213PS, v.c.VFNMADD213PS_BCST, a, b, c)
}

// fma213 emits the 213 form of an FMA, which overwrites a, the factor
// that is not an operand of the broadcast.
func (v vm) fma213(ins, bcst func(...operand.Op), a, b reg.VecVirtual, c any) reg.VecVirtual {
	op, bc := v.arg(c)
	if bc {
		bcst(op, b, a)
	} else {
		ins(op, b, a)
	}
	return a
}

// fnmadd is c − a·b with one rounding, into a new register.
func (v vm) fnmadd(a, b, c reg.VecVirtual) reg.VecVirtual {
	d := v.s.vec(v.c)
	v.c.VMOVUPS(c, d)
	v.c.VFNMADD231PS(b, a, d)
	return d
}

// reg returns a new register holding the constant k in every lane, for
// the first source of an instruction, which cannot be memory: a copy of
// the register hold loaded, or a broadcast from the table.
func (v vm) reg(k any) reg.VecVirtual {
	d := v.s.vec(v.c)
	if h, ok := v.held[bits(k)]; ok {
		v.c.VMOVAPS(h, d)
		return d
	}
	op, _ := v.arg(k)
	v.c.VBROADCASTSS(op, d)
	return d
}

// subMul sets a = a − b·k with one rounding and returns a: a is consumed.
// On AVX-512 k is broadcast by the FMA itself (the 231 form), with no
// register for it.
func (v vm) subMul(a, b reg.VecVirtual, k any) reg.VecVirtual {
	if !wide(v.s) {
		return v.nmadd(v.reg(k), b, a)
	}
	op, _ := v.arg(k)
	v.c.VFNMADD231PS_BCST(op, b, a)
	return a
}

// minKeepNaN returns min(a, k) lane by lane with a's NaN kept: MINPS
// returns its second source when either is NaN, so k, a register, is the
// first. maxKeepNaN is the same for max.
func (v vm) minKeepNaN(a, k reg.VecVirtual) reg.VecVirtual {
	d := v.s.vec(v.c)
	v.c.VMINPS(a, k, d)
	return d
}

func (v vm) maxKeepNaN(a, k reg.VecVirtual) reg.VecVirtual {
	d := v.s.vec(v.c)
	v.c.VMAXPS(a, k, d)
	return d
}

// sel is a lane predicate that picks between two registers.
type sel struct {
	v    vm
	mask reg.Register // AVX2: a vector whose lanes' sign bits are the predicate; AVX-512: an opmask
}

// pick returns yes where the predicate holds and no elsewhere.
func (p sel) pick(yes, no reg.VecVirtual) reg.VecVirtual {
	d := p.v.s.vec(p.v.c)
	if wide(p.v.s) {
		p.v.c.VBLENDMPS(yes, no, p.mask, d)
	} else {
		p.v.c.VBLENDVPS(p.mask, yes, no, d)
	}
	return d
}

// signSet is the predicate "the sign bit of a is set", −0 and negative
// NaNs included.
func (v vm) signSet(a reg.VecVirtual) sel {
	if wide(v.s) {
		k := v.c.K()
		op, _ := v.arg(ki(0x80000000))
		v.c.VPTESTMD_BCST(op, a, k)
		return sel{v, k}
	}
	return sel{v, a}
}

// above is the predicate "a > b" on the lanes as signed 32-bit integers,
// which orders non-negative floats (NaNs above +Inf) like their values.
func (v vm) above(a reg.VecVirtual, b ki) sel {
	op, _ := v.arg(b)
	if wide(v.s) {
		k := v.c.K()
		v.c.VPCMPGTD_BCST(op, a, k)
		return sel{v, k}
	}
	m := v.s.vec(v.c)
	v.c.VPCMPGTD(op, a, m)
	return sel{v, m}
}

// square returns a·a where the predicate holds and +0 elsewhere, without
// multiplying the other lanes: on AVX-512 one zero-masked VMULPS, whose
// masked lanes are not computed; on AVX2 the AND of keep, then the
// multiply. So a lane the predicate rules out never costs a denormal
// product's slow path.
func (p sel) square(a reg.VecVirtual) reg.VecVirtual {
	if !wide(p.v.s) {
		a = p.keep(a)
		return p.v.mul(a, a)
	}
	d := p.v.s.vec(p.v.c)
	p.v.c.VMULPS_Z(a, a, p.mask, d)
	return d
}

// keep returns a where the predicate holds and +0 elsewhere: one masked
// move on AVX-512, one AND on AVX2, which needs whole-lane masks: it is
// for the predicates of above, not of signSet.
func (p sel) keep(a reg.VecVirtual) reg.VecVirtual {
	d := p.v.s.vec(p.v.c)
	if wide(p.v.s) {
		p.v.c.VMOVUPS_Z(a, p.mask, d)
	} else {
		p.v.c.VPAND(p.mask, a, d)
	}
	return d
}
