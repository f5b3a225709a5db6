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
	// Each has a 4-row twin for a last panel of 4 rows or fewer
	// (microKernel.short).
	avx2Gemm = microKernel{mr: 6, nr: 16, fn: asm.SgemmKernelAVX2,
		short: &microKernel{mr: 4, nr: 16, fn: asm.SgemmKernel4of6AVX2}}
	// AVX-512's edge panels of up to 16 columns (16 of the 784 of an
	// MNIST layer's input) go to the AVX2 kernel, which reads the same
	// packed panels with ldb = 64 and takes half the time of a 64-column
	// tile for them.
	avx512Gemm = microKernel{mr: 6, nr: 64, fn: asm.SgemmKernelAVX512, edge: &avx2Gemm,
		short: &microKernel{mr: 4, nr: 64, fn: asm.SgemmKernel4of6AVX512}}
	avx2Rows   = rowKernel{mr: 6, nr: 16, fn: asm.SgemmRows6x16AVX2}
	avx512Rows = rowKernel{mr: 16, nr: 16, masked: asm.SgemmRows16x16AVX512}
	// The transposed algorithm's row kernel (swappedGemm): the packed
	// kernel's tile, and narrower ones for a last panel of 32 or 16
	// columns (all of a batch of 32 or 16).
	avx512RowsWide = rowKernel{mr: 6, nr: 64, fn: asm.SgemmRows6x64AVX512,
		edge: &rowKernel{mr: 6, nr: 32, fn: asm.SgemmRows6x32AVX512, edge: &avx2Rows}}
	// The AVX2 packs serve AVX-512 too: ZMM versions measured no faster,
	// the packs being bound by the caches.
	avx2Packers = packers{a6: asm.PackA6AVX2, a6t: asm.PackA6TAVX2, bt16: asm.PackBT16AVX2, bt8: asm.PackBT8AVX2, bn16: asm.PackBN16AVX2, bn64: asm.PackBN64AVX2, bnCols: asm.PackBNColsAVX2}
)

// cpuTuning is the tuning for this CPU (tuning.go): "intel" on Intel's
// CPUs, "amd" on every other.
func cpuTuning() string {
	if cpuid.CPU.VendorID == cpuid.Intel {
		return "intel"
	}
	return "amd"
}

// simdImpls returns the SIMD implementations this CPU can run, best first,
// a level's tables for each tuning one after another.
// cpuid also checks that the OS saves the vector registers (XCR0), so a
// feature bit alone never selects code that would fault.
func simdImpls() []*impl {
	var impls []*impl
	if cpuid.CPU.Supports(asm.AVX2...) {
		avx2 := generic
		avx2.name = "avx2"
		avx2.relu = asm.ReLUAVX2
		avx2.reluGrad = asm.ReLUGradAVX2
		avx2.leakyReLU = asm.LeakyReLUAVX2
		avx2.leakyReLUGrad = asm.LeakyReLUGradAVX2
		avx2.tanhGrad = asm.TanhGradAVX2
		avx2.sigmoidGrad = asm.SigmoidGradAVX2
		avx2.exp = asm.ExpAVX2
		avx2.tanh = asm.TanhAVX2
		avx2.sigmoid = asm.SigmoidAVX2
		avx2.clamp = asm.ClampAVX2
		withRows(&avx2, rowsAVX2)
		avx2.scale = asm.ScaleAVX2
		avx2.axpy = asm.AxpyAVX2
		avx2.sumSquares = asm.SumSquaresAVX2
		avx2.biasAdd = biasAddWith(asm.BiasAddAVX2, asm.AddAVX2)
		avx2.biasGrad = biasGradWith(asm.BiasGradAVX2, asm.AddAVX2)
		avx2.sgd = sgdAVX2
		avx2.adam = adamAVX2
		avx2.setGemm(newGemmPaths(avx2Gemm, avx2Rows, avx2Packers).
			withSwapped(avx2Rows, avx2Packers, epiloguePasses{avx2.biasAdd, avx2.relu, avx2.leakyReLU}).
			withDot(dotKernel{mr: 2, nr: 10, fn: asm.SgemmDot2x10AVX2, kStep: 8}, avx2Packers).
			withSmall(avx2Small))
		if cpuid.CPU.Supports(asm.AVX512...) {
			avx512 := avx2
			avx512.name = "avx512"
			avx512.relu = asm.ReLUAVX512
			avx512.reluGrad = asm.ReLUGradAVX512
			avx512.leakyReLU = asm.LeakyReLUAVX512
			avx512.leakyReLUGrad = asm.LeakyReLUGradAVX512
			avx512.tanhGrad = asm.TanhGradAVX512
			avx512.sigmoidGrad = asm.SigmoidGradAVX512
			avx512.exp = asm.ExpAVX512
			avx512.tanh = asm.TanhAVX512
			avx512.sigmoid = asm.SigmoidAVX512
			avx512.clamp = asm.ClampAVX512
			withRows(&avx512, rowsAVX512)
			avx512.scale = asm.ScaleAVX512
			avx512.axpy = asm.AxpyAVX512
			avx512.sumSquares = asm.SumSquaresAVX512
			avx512.biasAdd = biasAddWith(biasAddColumnsAVX512, asm.AddAVX512)
			avx512.biasGrad = biasGradWith(asm.BiasGradAVX512, asm.AddAVX512)
			avx512.sgd = sgdAVX512
			avx512.adam = adamAVX512
			avx512.setGemm(newGemmPaths(avx512Gemm, avx512Rows, avx2Packers).
				withSwapped(avx512RowsWide, avx2Packers, epiloguePasses{avx512.biasAdd, avx512.relu, avx512.leakyReLU}).
				withDot(dotKernel{mr: 2, nr: 10, fn: asm.SgemmDot2x10AVX512, masked: true, kStep: 1}, avx2Packers).
				withSmall(avx512Small))
			impls = append(impls, tuned(avx512, map[string]func(*impl){
				"amd": func(im *impl) {
					im.exp = asm.ExpFMAAddsAVX512
					im.tuningNote = "Tanh and Sigmoid divide by VDIVPS; Exp runs three additions as FMAs"
				},
				"intel": func(im *impl) {
					im.tanh = asm.TanhRecipAVX512
					im.tuningNote = "Tanh divides by a corrected reciprocal (VRCP14PS), Sigmoid by VDIVPS; Exp keeps its additions as additions"
				},
			})...)
		}
		impls = append(impls, &avx2)
	}
	return impls
}

// columnsBelow is the row length below which the bias kernels walk C a
// block of columns at a time (the generated BiasAdd and BiasGrad, which
// keep the block's bias or sums in registers and make no call per row),
// and from which they call Add on each row instead. Measured on a Zen 5
// with ld = n: columns win 2–8× for n ≤ 256 (4.9 vs 2.0 elem/ns at
// n = 10, m = 64, AVX2 BiasGrad), are about even at 512, and lose 3–8× at 1024,
// where every row of a column block falls into the same L1 set.
const columnsBelow = 512

// biasAddColumnsAVX512 is the AVX-512 column-block BiasAdd, but for rows
// shorter than one vector, where the AVX2 kernel's scalar tail is far
// faster than a masked store per row: at n = 10, m = 64 the AVX-512 kernel
// measured 1.5 elements/ns, the generic loop 2.4, the AVX2 kernel 11.9
// (at n = 16 and 100 the AVX-512 kernel is the fastest).
func biasAddColumnsAVX512(c []float32, ldc, m, n int, bias []float32) {
	if n < 16 {
		asm.BiasAddAVX2(c, ldc, m, n, bias)
		return
	}
	asm.BiasAddAVX512(c, ldc, m, n, bias)
}

// biasAddWith returns BiasAdd made of the generated column-block kernel
// cols for short rows and of add (y += x) on each row for long ones; both
// give the exactly rounded c + bias.
func biasAddWith(cols func(c []float32, ldc, m, n int, bias []float32), add func(y, x []float32)) func(c []float32, ldc, m, n int, bias []float32) {
	return func(c []float32, ldc, m, n int, bias []float32) {
		if n < columnsBelow {
			cols(c, ldc, m, n, bias)
			return
		}
		bias = bias[:n]
		for i := range m {
			add(c[i*ldc:i*ldc+n], bias)
		}
	}
}

// biasGradWith returns BiasGrad made of cols for short rows and, for long
// ones, of clearing db and adding each row of dY into it with add. Both sum
// every column in row order from +0, as the fallback does, so all three
// agree bit for bit.
func biasGradWith(cols func(db, dy []float32, ldy, m, n int), add func(y, x []float32)) func(db, dy []float32, ldy, m, n int) {
	return func(db, dy []float32, ldy, m, n int) {
		if n < columnsBelow {
			cols(db, dy, ldy, m, n)
			return
		}
		db = db[:n]
		clear(db)
		for i := range m {
			add(db, dy[i*ldy:i*ldy+n])
		}
	}
}
