//go:build !purego

package kernels

import (
	"github.com/klauspost/cpuid/v2"

	"github.com/simdnn/simdnn/asm"
)

// archLevels orders this architecture's implementations, lowest first.
var archLevels = []string{"generic", "avx2", "avx512"}

// The micro-kernels and row kernels of the two levels.
var (
	avx2Gemm   = microKernel{mr: 6, nr: 16, fn: asm.SgemmKernelAVX2}
	avx512Gemm = microKernel{mr: 6, nr: 64, fn: asm.SgemmKernelAVX512}
	avx2Rows   = rowKernel{mr: 6, nr: 16, fn: asm.SgemmRows6x16AVX2}
	avx512Rows = rowKernel{mr: 16, nr: 16, masked: asm.SgemmRows16x16AVX512}
	// The AVX2 packs serve AVX-512 too: ZMM versions measured no faster,
	// the packs being bound by the caches.
	avx2Packers = packers{a6: asm.PackA6AVX2, a6t: asm.PackA6TAVX2, bt16: asm.PackBT16AVX2, bt8: asm.PackBT8AVX2, bn16: asm.PackBN16AVX2}
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
		avx2.sgemm = parallelSgemm(newGemmPaths(avx2Gemm, avx2Rows, avx2Packers).pick)
		if cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX512VL, cpuid.AVX512BW, cpuid.AVX512DQ) {
			avx512 := avx2
			avx512.name = "avx512"
			avx512.relu = asm.ReLUAVX512
			avx512.axpy = asm.AxpyAVX512
			avx512.sgemm = parallelSgemm(newGemmPaths(avx512Gemm, avx512Rows, avx2Packers).pick)
			impls = append(impls, &avx512)
		}
		impls = append(impls, &avx2)
	}
	return impls
}
