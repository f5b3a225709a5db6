//go:build !purego

package asm

import "github.com/klauspost/cpuid/v2"

var (
	avx2ok   = cpuid.CPU.Supports(AVX2...)
	avx512ok = cpuid.CPU.Supports(AVX512...)
)

// smallNKernels and smallTKernels are every generated small-m kernel.
var smallNKernels = []smallNCase{
	{"SgemmSmallN1x64AVX2", avx2ok, 1, 64, 8, SgemmSmallN1x64AVX2},
	{"SgemmSmallN1x8AVX2", avx2ok, 1, 8, 8, SgemmSmallN1x8AVX2},
	{"SgemmSmallN1x16AVX2", avx2ok, 1, 16, 8, SgemmSmallN1x16AVX2},
	{"SgemmSmallN1x32AVX2", avx2ok, 1, 32, 8, SgemmSmallN1x32AVX2},
	{"SgemmSmallN2x32AVX2", avx2ok, 2, 32, 8, SgemmSmallN2x32AVX2},
	{"SgemmSmallN2x8AVX2", avx2ok, 2, 8, 8, SgemmSmallN2x8AVX2},
	{"SgemmSmallN2x16AVX2", avx2ok, 2, 16, 8, SgemmSmallN2x16AVX2},
	{"SgemmSmallN3x32AVX2", avx2ok, 3, 32, 8, SgemmSmallN3x32AVX2},
	{"SgemmSmallN3x8AVX2", avx2ok, 3, 8, 8, SgemmSmallN3x8AVX2},
	{"SgemmSmallN3x16AVX2", avx2ok, 3, 16, 8, SgemmSmallN3x16AVX2},
	{"SgemmSmallN4x16AVX2", avx2ok, 4, 16, 8, SgemmSmallN4x16AVX2},
	{"SgemmSmallN4x8AVX2", avx2ok, 4, 8, 8, SgemmSmallN4x8AVX2},
	{"SgemmSmallN5x16AVX2", avx2ok, 5, 16, 8, SgemmSmallN5x16AVX2},
	{"SgemmSmallN5x8AVX2", avx2ok, 5, 8, 8, SgemmSmallN5x8AVX2},
	{"SgemmSmallN6x16AVX2", avx2ok, 6, 16, 8, SgemmSmallN6x16AVX2},
	{"SgemmSmallN6x8AVX2", avx2ok, 6, 8, 8, SgemmSmallN6x8AVX2},
	{"SgemmSmallN1x256AVX512", avx512ok, 1, 256, 16, SgemmSmallN1x256AVX512},
	{"SgemmSmallN1x16AVX512", avx512ok, 1, 16, 16, SgemmSmallN1x16AVX512},
	{"SgemmSmallN1x32AVX512", avx512ok, 1, 32, 16, SgemmSmallN1x32AVX512},
	{"SgemmSmallN1x64AVX512", avx512ok, 1, 64, 16, SgemmSmallN1x64AVX512},
	{"SgemmSmallN1x128AVX512", avx512ok, 1, 128, 16, SgemmSmallN1x128AVX512},
	{"SgemmSmallN2x128AVX512", avx512ok, 2, 128, 16, SgemmSmallN2x128AVX512},
	{"SgemmSmallN2x16AVX512", avx512ok, 2, 16, 16, SgemmSmallN2x16AVX512},
	{"SgemmSmallN2x32AVX512", avx512ok, 2, 32, 16, SgemmSmallN2x32AVX512},
	{"SgemmSmallN2x64AVX512", avx512ok, 2, 64, 16, SgemmSmallN2x64AVX512},
	{"SgemmSmallN3x128AVX512", avx512ok, 3, 128, 16, SgemmSmallN3x128AVX512},
	{"SgemmSmallN3x16AVX512", avx512ok, 3, 16, 16, SgemmSmallN3x16AVX512},
	{"SgemmSmallN3x32AVX512", avx512ok, 3, 32, 16, SgemmSmallN3x32AVX512},
	{"SgemmSmallN3x64AVX512", avx512ok, 3, 64, 16, SgemmSmallN3x64AVX512},
	{"SgemmSmallN4x64AVX512", avx512ok, 4, 64, 16, SgemmSmallN4x64AVX512},
	{"SgemmSmallN4x16AVX512", avx512ok, 4, 16, 16, SgemmSmallN4x16AVX512},
	{"SgemmSmallN4x32AVX512", avx512ok, 4, 32, 16, SgemmSmallN4x32AVX512},
	{"SgemmSmallN5x64AVX512", avx512ok, 5, 64, 16, SgemmSmallN5x64AVX512},
	{"SgemmSmallN5x16AVX512", avx512ok, 5, 16, 16, SgemmSmallN5x16AVX512},
	{"SgemmSmallN5x32AVX512", avx512ok, 5, 32, 16, SgemmSmallN5x32AVX512},
	{"SgemmSmallN6x64AVX512", avx512ok, 6, 64, 16, SgemmSmallN6x64AVX512},
	{"SgemmSmallN6x16AVX512", avx512ok, 6, 16, 16, SgemmSmallN6x16AVX512},
	{"SgemmSmallN6x32AVX512", avx512ok, 6, 32, 16, SgemmSmallN6x32AVX512},
	{"SgemmSmallN7x32AVX512", avx512ok, 7, 32, 16, SgemmSmallN7x32AVX512},
	{"SgemmSmallN7x16AVX512", avx512ok, 7, 16, 16, SgemmSmallN7x16AVX512},
	{"SgemmSmallN8x32AVX512", avx512ok, 8, 32, 16, SgemmSmallN8x32AVX512},
	{"SgemmSmallN8x16AVX512", avx512ok, 8, 16, 16, SgemmSmallN8x16AVX512},
}

var smallTKernels = []smallTCase{
	{"SgemmSmallT1x8AVX2", avx2ok, 1, 8, 8, SgemmSmallT1x8AVX2},
	{"SgemmSmallT1x4AVX2", avx2ok, 1, 4, 8, SgemmSmallT1x4AVX2},
	{"SgemmSmallT2x4AVX2", avx2ok, 2, 4, 8, SgemmSmallT2x4AVX2},
	{"SgemmSmallT3x4AVX2", avx2ok, 3, 4, 8, SgemmSmallT3x4AVX2},
	{"SgemmSmallT1x16AVX512", avx512ok, 1, 16, 16, SgemmSmallT1x16AVX512},
	{"SgemmSmallT2x8AVX512", avx512ok, 2, 8, 16, SgemmSmallT2x8AVX512},
	{"SgemmSmallT3x8AVX512", avx512ok, 3, 8, 16, SgemmSmallT3x8AVX512},
	{"SgemmSmallT1x4AVX512", avx512ok, 1, 4, 16, SgemmSmallT1x4AVX512},
	{"SgemmSmallT2x4AVX512", avx512ok, 2, 4, 16, SgemmSmallT2x4AVX512},
	{"SgemmSmallT3x4AVX512", avx512ok, 3, 4, 16, SgemmSmallT3x4AVX512},
	{"SgemmSmallT4x4AVX512", avx512ok, 4, 4, 16, SgemmSmallT4x4AVX512},
}
