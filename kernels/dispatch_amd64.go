//go:build !purego

package kernels

import (
	"github.com/klauspost/cpuid/v2"

	"github.com/simdnn/simdnn/asm"
)

// archLevels orders this architecture's implementations, lowest first.
var archLevels = []string{"generic", "avx2", "avx512"}

// The micro-kernels of the two levels.
var (
	avx2Gemm   = microKernel{mr: 6, nr: 16, fn: asm.SgemmKernelAVX2}
	avx512Gemm = microKernel{mr: 6, nr: 64, fn: asm.SgemmKernelAVX512}
)

// simdImpls returns the SIMD implementations this CPU can run, best first.
// cpuid also checks that the OS saves the vector registers (XCR0), so a
// feature bit alone never selects code that would fault.
func simdImpls() []*impl {
	var impls []*impl
	if cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3) {
		avx2 := generic
		avx2.name = "avx2"
		avx2.relu = asm.ReLUAVX2
		avx2.axpy = asm.AxpyAVX2
		avx2.sgemm = parallelSgemm(newBlockedGemm(avx2Gemm).sgemm, avx2Gemm.mr, avx2Gemm.nr)
		if cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX512VL, cpuid.AVX512BW, cpuid.AVX512DQ) {
			avx512 := avx2
			avx512.name = "avx512"
			avx512.relu = asm.ReLUAVX512
			avx512.axpy = asm.AxpyAVX512
			avx512.sgemm = parallelSgemm(newBlockedGemm(avx512Gemm).sgemm, avx512Gemm.mr, avx512Gemm.nr)
			impls = append(impls, &avx512)
		}
		impls = append(impls, &avx2)
	}
	return impls
}
