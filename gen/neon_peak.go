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
