//go:build !purego

package kernels

import "github.com/simdnn/simdnn/asm"

// The small-m kernels of the two levels (sgemm_small.go;
// gen/sgemm_small.go has their tiles).
var (
	avx512Small = smallKernels{masked: true, lanes: 16, tNR: 4, minN: 1, minKT: dotMinK,
		n: [][]smallNKernel{
			{{256, asm.SgemmSmallN1x256AVX512}, {128, asm.SgemmSmallN1x128AVX512}, {64, asm.SgemmSmallN1x64AVX512}, {32, asm.SgemmSmallN1x32AVX512}, {16, asm.SgemmSmallN1x16AVX512}},
			{{128, asm.SgemmSmallN2x128AVX512}, {64, asm.SgemmSmallN2x64AVX512}, {32, asm.SgemmSmallN2x32AVX512}, {16, asm.SgemmSmallN2x16AVX512}},
			{{128, asm.SgemmSmallN3x128AVX512}, {64, asm.SgemmSmallN3x64AVX512}, {32, asm.SgemmSmallN3x32AVX512}, {16, asm.SgemmSmallN3x16AVX512}},
			{{64, asm.SgemmSmallN4x64AVX512}, {32, asm.SgemmSmallN4x32AVX512}, {16, asm.SgemmSmallN4x16AVX512}},
			{{64, asm.SgemmSmallN5x64AVX512}, {32, asm.SgemmSmallN5x32AVX512}, {16, asm.SgemmSmallN5x16AVX512}},
			{{64, asm.SgemmSmallN6x64AVX512}, {32, asm.SgemmSmallN6x32AVX512}, {16, asm.SgemmSmallN6x16AVX512}},
			{{32, asm.SgemmSmallN7x32AVX512}, {16, asm.SgemmSmallN7x16AVX512}},
			{{32, asm.SgemmSmallN8x32AVX512}, {16, asm.SgemmSmallN8x16AVX512}},
		},
		tWide: []smallTKernel{{16, asm.SgemmSmallT1x16AVX512}, {8, asm.SgemmSmallT2x8AVX512}, {8, asm.SgemmSmallT3x8AVX512}},
		t:     []smallTKernel{{4, asm.SgemmSmallT1x4AVX512}, {4, asm.SgemmSmallT2x4AVX512}, {4, asm.SgemmSmallT3x4AVX512}, {4, asm.SgemmSmallT4x4AVX512}},
	}
	avx2Small = smallKernels{lanes: 8, tNR: 4, minN: 16, minKT: dotMinK,
		n: [][]smallNKernel{
			{{64, asm.SgemmSmallN1x64AVX2}, {32, asm.SgemmSmallN1x32AVX2}, {16, asm.SgemmSmallN1x16AVX2}, {8, asm.SgemmSmallN1x8AVX2}},
			{{32, asm.SgemmSmallN2x32AVX2}, {16, asm.SgemmSmallN2x16AVX2}, {8, asm.SgemmSmallN2x8AVX2}},
			{{32, asm.SgemmSmallN3x32AVX2}, {16, asm.SgemmSmallN3x16AVX2}, {8, asm.SgemmSmallN3x8AVX2}},
			{{16, asm.SgemmSmallN4x16AVX2}, {8, asm.SgemmSmallN4x8AVX2}},
			{{16, asm.SgemmSmallN5x16AVX2}, {8, asm.SgemmSmallN5x8AVX2}},
			{{16, asm.SgemmSmallN6x16AVX2}, {8, asm.SgemmSmallN6x8AVX2}},
		},
		tWide: []smallTKernel{{8, asm.SgemmSmallT1x8AVX2}},
		t:     []smallTKernel{{4, asm.SgemmSmallT1x4AVX2}, {4, asm.SgemmSmallT2x4AVX2}, {4, asm.SgemmSmallT3x4AVX2}},
	}
)
