package main

import (
	"fmt"

	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// Helpers of the row-wise kernels (softmax and the losses): a walk along
// one row, and the horizontal reductions that end a row's pass.

// label hands out label names unique within a file (write resets the
// count per file): avo labels are function-scoped, but one body may be
// emitted several times per function.
var labelCount int

func label(name string) string {
	labelCount++
	return fmt.Sprintf("%s%d", name, labelCount)
}

// span walks the n entries of one row at the pointers ps (copies are
// advanced, ps stay): whole vectors through body with a fullIO; then on
// AVX-512 the last n mod lanes through body with an opmaskIO, then mid; on
// AVX2 mid first, then the rest an element at a time through body with a
// scalarIO. So a pass that reduces the row reduces its vector accumulator
// in mid and, on AVX2, adds the last elements to the scalar it leaves.
func span(c *build.Context, s isa, n reg.Register, ps []reg.Register, body func(io vecIO, at []operand.Mem), mid func()) {
	cnt := c.GP64()
	c.MOVQ(n, cnt)
	ptrs := make([]reg.GPVirtual, len(ps))
	at := make([]operand.Mem, len(ps))
	for i, p := range ps {
		ptrs[i] = c.GP64()
		c.MOVQ(p, ptrs[i])
		at[i] = operand.Mem{Base: ptrs[i]}
	}
	step := func(elems int) {
		for _, p := range ptrs {
			c.ADDQ(operand.U32(4*elems), p)
		}
	}
	vec, tail, done := label("vec"), label("tail"), label("done")
	c.Label(vec)
	c.CMPQ(cnt, operand.U32(s.lanes))
	c.JB(operand.LabelRef(tail))
	body(fullIO{c, s}, at)
	step(s.lanes)
	c.SUBQ(operand.U32(s.lanes), cnt)
	c.JMP(operand.LabelRef(vec))

	c.Label(tail)
	if wide(s) {
		c.TESTQ(cnt, cnt)
		c.JZ(operand.LabelRef(done))
		body(opmaskIO{c, lowMask(c, cnt)}, at)
		c.Label(done)
		if mid != nil {
			mid()
		}
		return
	}
	if mid != nil {
		mid()
	}
	c.TESTQ(cnt, cnt)
	c.JZ(operand.LabelRef(done))
	one := label("one")
	c.Label(one)
	body(scalarIO{c}, at)
	step(1)
	c.DECQ(cnt)
	c.JNZ(operand.LabelRef(one))
	c.Label(done)
}

// hreduce combines the lanes of acc with op (VMAXPS, VADDPD, ...) so that
// lane 0 holds the result: on AVX-512 every lane does, by ZMM shuffles
// alone (VEX cannot name Z16–Z31, which avo may allocate); on AVX2 the
// upper lanes end as garbage. pd says the lanes are float64.
func hreduce(c *build.Context, s isa, acc reg.VecVirtual, op func(...operand.Op), pd bool) {
	t := s.vec(c)
	if wide(s) {
		c.VSHUFF64X2(operand.U8(0x4e), acc, acc, t) // swap the 256-bit halves
		op(t, acc, acc)
		c.VSHUFF64X2(operand.U8(0xb1), acc, acc, t) // swap the 128-bit lanes of each half
		op(t, acc, acc)
	} else {
		c.VEXTRACTF128(operand.U8(1), acc, t.AsX())
		op(t, acc, acc)
	}
	// Then within each 128 bits, which VPERMILPS/PD never cross.
	if pd {
		c.VPERMILPD(operand.U8(0x55), acc, t)
		op(t, acc, acc)
		return
	}
	c.VPERMILPS(operand.U8(0x4e), acc, t)
	op(t, acc, acc)
	c.VPERMILPS(operand.U8(0xb1), acc, t)
	op(t, acc, acc)
}

// toPD returns the low or the upper half of v's float32 lanes converted
// to float64, in a register of v's width.
func toPD(c *build.Context, s isa, v reg.VecVirtual, upper bool) reg.VecVirtual {
	d := s.vec(c)
	switch {
	case wide(s) && upper:
		c.VEXTRACTF64X4(operand.U8(1), v, d.AsY())
		c.VCVTPS2PD(d.AsY(), d)
	case wide(s):
		c.VCVTPS2PD(v.AsY(), d)
	case upper:
		c.VEXTRACTF128(operand.U8(1), v, d.AsX())
		c.VCVTPS2PD(d.AsX(), d)
	default:
		c.VCVTPS2PD(v.AsX(), d)
	}
	return d
}

// widen converts the float32 lanes of v to float64 and adds them into the
// accumulators lo (the low half of v's lanes) and hi (the high half).
func widen(c *build.Context, s isa, v, lo, hi reg.VecVirtual) {
	c.VADDPD(toPD(c, s, v, false), lo, lo)
	c.VADDPD(toPD(c, s, v, true), hi, hi)
}

// sumPD returns the end of a pass that sums into the float64 accumulators
// lo and hi: their sum, in lane 0 of lo.
func sumPD(c *build.Context, s isa, lo, hi reg.VecVirtual) func() {
	return func() {
		c.VADDPD(hi, lo, lo)
		hreduce(c, s, lo, c.VADDPD, true)
	}
}
