package main

import (
	"fmt"

	. "github.com/simdnn/simdnn/gen/arm64"
)

// fmaPeakNEON emits FMAPeakNEON(n int), a measuring instrument and not a
// kernel, the arm64 twin of the amd64 FMAPeak*: n iterations of one FMLA
// on each of the micro-kernel's 24 accumulators, register-only and
// independent, so that a benchmark can measure the core's FMA throughput
// on four-lane vectors in the same run as Sgemm and report its fraction.
// 24 chains cover a 4-cycle FMLA latency on two pipes (8 needed,
// Cortex-A76/Neoverse-N1) and on four (16, Neoverse-V2).
func fmaPeakNEON(file *File) {
	const chains = neonMR * neonNR / 4
	name := "FMAPeakNEON"
	f := file.Func(name, neonDoc(name,
		"is a measuring instrument, not a kernel: it runs n",
		fmt.Sprintf("iterations of %d independent VFMLA on four-lane registers (as many as", chains),
		fmt.Sprintf("SgemmKernelNEON has accumulators) and touches no memory: %d float32", 2*chains*4),
		"flops per iteration, at the core's FMA peak for this vector width, to",
		"measure beside the micro-kernel in the same run. n ≥ 0."),
		Arg{Name: "n", Kind: Int})
	n, x, y := R(0), V(chains), V(chains+1)
	f.Int("n", n)
	neonZero(f, x)
	neonZero(f, y)
	for i := range chains {
		neonZero(f, V(i))
	}
	f.CBZ(n, "done")
	f.Label("loop")
	for i := range chains {
		f.VFMLA(y.S4(), x.S4(), V(i).S4())
	}
	f.SUBS(1, n, n)
	f.BNE("loop")
	f.Label("done")
	f.RET()
}

// sqrtDivPeakNEON emits SqrtDivPeakNEON(n int), the arm64 twin of the
// amd64 SqrtDivPeak*: n iterations of sqrtDivPairs independent pairs of
// an FSQRT and an FDIV on four-lane registers, register-only, so that a
// benchmark can quote Adam, which needs one of each per element, against
// the core's divider in the same run. The operand is 1.5, a normal value.
func sqrtDivPeakNEON(file *File) {
	name := "SqrtDivPeakNEON"
	f := file.Func(name, neonDoc(name,
		"is a measuring instrument, not a kernel: it runs n",
		fmt.Sprintf("iterations of %d independent pairs of an FSQRT and an FDIV on four-lane", sqrtDivPairs),
		"registers and touches no memory: the divider's throughput for Adam's",
		fmt.Sprintf("one square root and one division per element (%d elements per", sqrtDivPairs*4),
		"iteration), the bound of Adam's speed, to measure beside it in the",
		"same run. n ≥ 0."),
		Arg{Name: "n", Kind: Int})
	n, x := R(0), V(0)
	f.Int("n", n)
	f.MOVDConst(0x3fc00000, R(9)) // math.Float32bits(1.5)
	f.VDUPR(R(9), x.S4())
	f.CBZ(n, "done")
	f.Label("loop")
	for i := range sqrtDivPairs {
		f.FSQRT(V(1+2*i).S4(), x.S4())
		f.FDIV(V(2+2*i).S4(), x.S4(), x.S4())
	}
	f.SUBS(1, n, n)
	f.BNE("loop")
	f.Label("done")
	f.RET()
}

// instrumentsNEONFamily emits the measuring instruments.
func instrumentsNEONFamily(file *File) {
	fmaPeakNEON(file)
	sqrtDivPeakNEON(file)
	readNEON(file)
}

// readNEON emits ReadNEON(x []float32), the arm64 twin of the amd64
// Read*: it reads x sixteen values at a time into four independent
// accumulators, a streaming read for the benchmarks to quote a pass that
// must read all of its operands (a small batch's forward pass reads every
// weight) against.
func readNEON(file *File) {
	name := "ReadNEON"
	f := file.Func(name, neonDoc(name,
		"is a measuring instrument, not a kernel: it reads the first",
		"len(x) − len(x) mod 16 values of x, sixteen at a time (four vectors),",
		"adding them into four accumulators it then discards, and writes",
		"nothing: a streaming read, to measure beside the kernels that read",
		"as much in the same run."),
		Arg{Name: "x", Kind: Slice})
	p, n := R(0), R(1)
	f.Base("x", p)
	f.Len("x", n)
	f.LSR(4, n, n)
	for i := range 4 {
		neonZero(f, V(i))
	}
	f.CBZ(n, "done")
	f.Label("loop")
	f.VLD1P(p, V(4).S4(), V(5).S4(), V(6).S4(), V(7).S4())
	for i := range 4 {
		f.FADD(V(i).S4(), V(i).S4(), V(4+i).S4())
	}
	f.SUBS(1, n, n)
	f.BNE("loop")
	f.Label("done")
	f.RET()
}
