//go:build !purego

package kernels

import (
	"github.com/klauspost/cpuid/v2"

	"github.com/simdnn/simdnn/asm"
)

// archLevels orders this architecture's implementations, lowest first.
var archLevels = []string{"generic", "neon"}

// neonGemm is the 8×12 micro-kernel (see gen/sgemm_neon.go for its register
// plan). The packing stays in Go (no packers), at about a value per ns.
// Products of at most 16 rows take the small-m kernels (neonSmall, in
// sgemm_small_arm64.go), which pack nothing; every other product takes
// the packed path: the 12-column tile wastes 2 of 12 columns on the
// classifier's 10-column output, where AVX-512's 64-column tile would
// waste 54 of 64 and amd64 therefore has row kernels (asm/NEON.md on what
// arm64 still lacks).
var neonGemm = microKernel{mr: 8, nr: 12, fn: asm.SgemmKernelNEON}

// neonPaths is NEON's Sgemm: the small-m path for the products
// smallTakes gives it, the packed algorithm for the others.
func neonPaths() *gemmPaths { return newPackedPaths(neonGemm, packers{}).withSmall(neonSmall) }

// cpuTuning is the tuning for this CPU (tuning.go): none, NEON having one
// table.
func cpuTuning() string { return "" }

// simdImpls returns the SIMD implementations this CPU can run, best first.
//
// ASIMD (NEON) is mandatory in every ARMv8-A application profile, and Go's
// arm64 port assumes it, so the check below cannot fail on a machine Go
// runs on; it is kept so that the choice is made the same way as on amd64,
// and cpuid reads it from the OS (HWCAP on Linux), which qemu-aarch64 user
// emulation reports for every CPU model, cortex-a53 included.
func simdImpls() []*impl {
	if !cpuid.CPU.Supports(asm.NEON...) {
		return nil
	}
	neon := generic
	neon.name = "neon"
	neon.relu = asm.ReLUNEON
	neon.reluGrad = asm.ReLUGradNEON
	neon.leakyReLU = asm.LeakyReLUNEON
	neon.leakyReLUGrad = asm.LeakyReLUGradNEON
	neon.exp = asm.ExpNEON
	neon.tanh = asm.TanhNEON
	neon.sigmoid = asm.SigmoidNEON
	neon.clamp = asm.ClampNEON
	withRows(&neon, rowsNEON)
	neon.tanhGrad = asm.TanhGradNEON
	neon.sigmoidGrad = asm.SigmoidGradNEON
	neon.scale = asm.ScaleNEON
	neon.axpy = asm.AxpyNEON
	neon.sumSquares = asm.SumSquaresNEON
	neon.biasAdd = asm.BiasAddNEON
	neon.biasGrad = biasGradNEON
	neon.sgd = sgdNEON
	neon.adam = adamNEON
	neon.setGemm(neonPaths())
	return []*impl{&neon}
}

// biasGradNEON is BiasGrad with asm.BiasGradNEON, which needs a row to
// start the sums from: with none, the sums are zeros.
func biasGradNEON(db, dy []float32, ldy, m, n int) {
	if m == 0 {
		clear(db[:n])
		return
	}
	asm.BiasGradNEON(db, dy, ldy, m, n)
}
