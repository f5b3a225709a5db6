//go:build !purego

package kernels

import (
	"github.com/klauspost/cpuid/v2"

	"github.com/simdnn/simdnn/asm"
	"github.com/simdnn/simdnn/fallback"
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
		avx2.biasAdd = rowsBiasAdd(asm.AddAVX2)
		avx2.biasGrad = rowsBiasGrad(asm.AddAVX2)
		avx2.sgdMomentum = asm.SGDMomentumAVX2
		avx2.adam = adamWith(asm.AdamAVX2)
		avx2.sgemm = parallelSgemm(newGemmPaths(avx2Gemm, avx2Rows, avx2Packers).pick)
		if cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX512VL, cpuid.AVX512BW, cpuid.AVX512DQ) {
			avx512 := avx2
			avx512.name = "avx512"
			avx512.relu = asm.ReLUAVX512
			avx512.axpy = asm.AxpyAVX512
			avx512.biasAdd = rowsBiasAdd(asm.AddAVX512)
			avx512.biasGrad = rowsBiasGrad(asm.AddAVX512)
			avx512.sgdMomentum = asm.SGDMomentumAVX512
			avx512.adam = adamWith(asm.AdamAVX512)
			avx512.sgemm = parallelSgemm(newGemmPaths(avx512Gemm, avx512Rows, avx2Packers).pick)
			impls = append(impls, &avx512)
		}
		impls = append(impls, &avx2)
	}
	return impls
}

// rowsBiasAdd returns BiasAdd made of add (y += x) run on each row of C.
func rowsBiasAdd(add func(y, x []float32)) func(c []float32, ldc, m, n int, bias []float32) {
	return func(c []float32, ldc, m, n int, bias []float32) {
		bias = bias[:n]
		for i := range m {
			add(c[i*ldc:i*ldc+n], bias)
		}
	}
}

// rowsBiasGrad returns BiasGrad made of add (y += x): db is cleared, then
// every row of dY is added into it in turn, so each column is summed in
// row order, as the fallback sums it, with the same result.
func rowsBiasGrad(add func(y, x []float32)) func(db, dy []float32, ldy, m, n int) {
	return func(db, dy []float32, ldy, m, n int) {
		db = db[:n]
		clear(db)
		for i := range m {
			add(db, dy[i*ldy:i*ldy+n])
		}
	}
}

// adamKernel is the signature of the generated Adam kernels, which take
// the per-call scalars precomputed.
type adamKernel func(w, m, v, g []float32, beta1, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, invSqrtBC2, eps float32)

// adamWith returns Adam made of k, with the scalars computed once per call
// exactly as the fallback computes them, so the results agree bit for bit.
func adamWith(k adamKernel) func(w, m, v, g []float32, lr, beta1, beta2, eps float32, step int) {
	return func(w, m, v, g []float32, lr, beta1, beta2, eps float32, step int) {
		stepSize, invSqrtBC2 := fallback.AdamScalars(lr, beta1, beta2, step)
		k(w, m, v, g, beta1, 1-beta1, beta2, 1-beta2, stepSize, invSqrtBC2, eps)
	}
}
