package main

import (
	"fmt"

	. "github.com/simdnn/simdnn/gen/arm64"
)

// sumSquaresNEON emits SumSquaresNEON, the arm64 twin of SumSquaresAVX2
// and SumSquaresAVX512 (gen/sumsq.go), in four-lane vectors. Registers:
//
//	V0–V7    the accumulators of the block
//	V8       the float64 total, V9 the block's sum widened to it
//	V16–V23  the loaded vectors: eight a group, two VLD1.P of four
//
// Eight accumulators cover a 4-cycle FMLA latency on two pipes.
func sumSquaresNEON(file *File) {
	const accs, lanes = 8, 4
	name := "SumSquaresNEON"
	f := file.Func(name, neonDoc(name,
		"returns the sum in float64, in block order, of the",
		"float32 sums of squares of the blocks of x: x[0:block], x[block:2·block],",
		"..., the last holding what is left. When sums is not empty it also",
		"sets sums[i] to block i's sum, and must hold one per block (unchecked).",
		"block ≥ 1. Within a block the squares are fused into",
		fmt.Sprintf("%d accumulators of %d lanes, %d values at a time, the block's last", accs, lanes, accs*lanes),
		"whole vectors and then its last elements (through lane 0) into the",
		"first, whose lanes are then added in a fixed tree. A NaN in a block",
		"makes its sum NaN, else a ±Inf +Inf; a sum past the float32 range is",
		"+Inf."),
		Arg{Name: "x", Kind: Slice}, Arg{Name: "block", Kind: Int}, Arg{Name: "sums", Kind: Slice})
	f.Returns(Float64)
	p, n, block, out, store, m := R(0), R(1), R(2), R(3), R(4), R(5)
	total, widened := V(8), V(9)
	f.Base("x", p)
	f.Len("x", n)
	f.Int("block", block)
	f.Base("sums", out)
	f.Len("sums", store)
	neonZero(f, total)

	// m counts down the elements of the block.
	f.Label("block")
	f.CBZ(n, "done")
	f.MOVD(n, m)
	f.CMPR(block, m)
	f.BLT("short")
	f.MOVD(block, m)
	f.Label("short")
	f.SUBR(m, n, n)
	for i := range accs {
		neonZero(f, V(i))
	}

	f.Label("group")
	f.CMP(accs*lanes, m)
	f.BLT("single")
	for half := range 2 {
		f.VLD1P(p, V(16+4*half).S4(), V(17+4*half).S4(), V(18+4*half).S4(), V(19+4*half).S4())
	}
	for i := range accs {
		f.VFMLA(V(16+i).S4(), V(16+i).S4(), V(i).S4())
	}
	f.SUB(accs*lanes, m, m)
	f.B("group")

	f.Label("single")
	f.CMP(lanes, m)
	f.BLT("tail")
	f.VLD1P(p, V(16).S4())
	f.VFMLA(V(16).S4(), V(16).S4(), V(0).S4())
	f.SUB(lanes, m, m)
	f.B("single")

	// One element at a time into lane 0, lanes 1–3 of the register
	// cleared so that they add zeros.
	f.Label("tail")
	f.CBZ(m, "reduce")
	f.VLD1Lane(p, V(16).S(0))
	f.FMOVSReg(V(16).F(), V(16).F())
	f.VFMLA(V(16).S4(), V(16).S4(), V(0).S4())
	f.SUB(1, m, m)
	f.B("tail")

	f.Label("reduce")
	for step := 1; step < accs; step *= 2 {
		for i := 0; i+step < accs; i += 2 * step {
			f.FADD(V(i).S4(), V(i).S4(), V(i+step).S4())
		}
	}
	f.FADDP(V(0).S4(), V(0).S4(), V(0).S4())
	f.FADDP(V(0).S4(), V(0).S4(), V(0).S4())
	f.CBZ(store, "add")
	f.VST1Lane(V(0).S(0), out)
	f.Label("add")
	f.FCVTSD(V(0).F(), widened.F())
	f.FADDD(widened.F(), total.F(), total.F())
	f.B("block")

	f.Label("done")
	f.ReturnFloat64(total)
	f.RET()
}

func sumsqNEONFamily(file *File) { sumSquaresNEON(file) }
