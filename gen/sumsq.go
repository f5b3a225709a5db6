package main

import (
	"fmt"

	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// sumsqAccs is how many vector accumulators SumSquares* keeps: each
// loaded vector costs one FMA into the next accumulator, and an FMA waits
// 4 cycles for the one before it on the same accumulator, so two loads a
// cycle need 8 independent chains to be bound by the loads.
const sumsqAccs = 8

// sumSquares emits SumSquares<suffix>(x []float32, block int, sums
// []float32) float64, the kernel of kernels.SumSquares: x cut into
// blocks of block elements (the last may be shorter), each block's
// squares summed in float32 and those sums added in float64 in block
// order. Within a block the squares are fused into sumsqAccs
// accumulators a group of vectors at a time, then the block's last
// vectors into the first accumulator, then its tail (masked on AVX-512;
// on AVX2 an element at a time after the lanes are added up, since a
// scalar VEX instruction clears the upper lanes it writes), and the
// lanes are added in a fixed tree: the order depends on the block's
// length alone. All blocks run in one call, so that the reduction that
// ends a block overlaps the loads of the next: on blocks of 1024 and 4096
// values in L1 (AVX-512, Zen 4, medians of five runs), a call per block
// ran at 84% of a streaming read's speed, one call for all blocks at
// 94%; from L2 on, both at a read's speed.
func sumSquares(c *build.Context, s isa) {
	name := "SumSquares" + s.suffix
	group := sumsqAccs * s.lanes
	rest := fmt.Sprintf("whole vectors and its last len mod %d elements (under an opmask)", s.lanes)
	after := "into the first; then the accumulators and their lanes are added in a"
	end := "fixed tree."
	if !wide(s) {
		rest = "whole vectors into the first; then the accumulators and their lanes"
		after = fmt.Sprintf("are added in a fixed tree, and the block's last len mod %d elements", s.lanes)
		end = "one at a time into that sum."
	}
	declare(c, name, "func(x []float32, block int, sums []float32) float64",
		name+" returns the sum in float64, in block order, of the",
		"float32 sums of squares of the blocks of x: x[0:block], x[block:2·block],",
		"..., the last holding what is left. When sums is not empty it also",
		"sets sums[i] to block i's sum, and must hold one per block (unchecked).",
		"block ≥ 1. Within a block the squares are fused into",
		fmt.Sprintf("%d accumulators of %d lanes, %d values at a time, the block's last", sumsqAccs, s.lanes, group),
		rest,
		after,
		end,
		"A NaN in a block makes its sum NaN, else a ±Inf +Inf; a sum past the",
		"float32 range is +Inf.",
		s.requires,
	)
	p := c.Load(c.Param("x").Base(), c.GP64())
	n := c.Load(c.Param("x").Len(), c.GP64())
	block := c.Load(c.Param("block"), c.GP64())
	out := c.Load(c.Param("sums").Base(), c.GP64())
	store := c.Load(c.Param("sums").Len(), c.GP64())
	total := c.XMM()
	c.VXORPD(total, total, total)
	acc := make([]reg.VecVirtual, sumsqAccs)
	for i := range acc {
		acc[i] = s.vec(c)
	}
	square := func(io vecIO, disp int, a reg.VecVirtual) {
		v := io.load(operand.Mem{Base: p, Disp: disp})
		c.VFMADD231PS(v, v, a)
	}
	full := fullIO{c, s}

	// m counts down the elements of the block.
	c.Label("block")
	c.TESTQ(n, n)
	c.JZ(operand.LabelRef("done"))
	m := c.GP64()
	c.MOVQ(n, m)
	c.CMPQ(m, block)
	c.CMOVQHI(block, m)
	c.SUBQ(m, n)
	for _, a := range acc {
		zero(c, s, a)
	}
	c.CMPQ(m, operand.U32(group))
	c.JB(operand.LabelRef("single"))
	c.Label("group")
	for i, a := range acc {
		square(full, 4*s.lanes*i, a)
	}
	c.ADDQ(operand.U32(4*group), p)
	c.SUBQ(operand.U32(group), m)
	c.CMPQ(m, operand.U32(group))
	c.JAE(operand.LabelRef("group"))

	c.Label("single")
	c.CMPQ(m, operand.U32(s.lanes))
	c.JB(operand.LabelRef("tail"))
	square(full, 0, acc[0])
	c.ADDQ(operand.U32(4*s.lanes), p)
	c.SUBQ(operand.U32(s.lanes), m)
	c.JMP(operand.LabelRef("single"))

	c.Label("tail")
	if wide(s) {
		c.TESTQ(m, m)
		c.JZ(operand.LabelRef("reduce"))
		square(opmaskIO{c, lowMask(c, m)}, 0, acc[0])
		c.LEAQ(operand.Mem{Base: p, Index: m, Scale: 4}, p)
		c.Label("reduce")
		addTree(c, s, acc)
	} else {
		addTree(c, s, acc)
		c.TESTQ(m, m)
		c.JZ(operand.LabelRef("sum"))
		c.Label("scalar")
		v := scalarIO{c}.load(operand.Mem{Base: p})
		c.VFMADD231SS(v.AsX(), v.AsX(), acc[0].AsX())
		c.ADDQ(operand.U32(4), p)
		c.DECQ(m)
		c.JNZ(operand.LabelRef("scalar"))
	}
	c.Label("sum")
	c.TESTQ(store, store)
	c.JZ(operand.LabelRef("add"))
	c.VMOVSS(acc[0].AsX(), operand.Mem{Base: out})
	c.ADDQ(operand.U32(4), out)
	c.Label("add")
	c.VCVTSS2SD(acc[0].AsX(), acc[0].AsX(), acc[0].AsX())
	c.VADDSD(acc[0].AsX(), total, total)
	c.JMP(operand.LabelRef("block"))

	c.Label("done")
	// VMOVSD, not the legacy MOVSD of avo's Store, which could cost an
	// AVX–SSE transition before VZEROUPPER.
	ret, err := c.ReturnIndex(0).Resolve()
	if err != nil {
		panic(err)
	}
	c.VMOVSD(total, ret.Addr)
	c.VZEROUPPER()
	c.RET()
}

// addTree adds the accumulators pairwise into acc[0], then its lanes
// into lane 0.
func addTree(c *build.Context, s isa, acc []reg.VecVirtual) {
	for step := 1; step < len(acc); step *= 2 {
		for i := 0; i+step < len(acc); i += 2 * step {
			c.VADDPS(acc[i+step], acc[i], acc[i])
		}
	}
	hreduce(c, s, acc[0], c.VADDPS, false)
}

func sumsqFamily(c *build.Context) {
	for _, s := range isas {
		sumSquares(c, s)
	}
}
