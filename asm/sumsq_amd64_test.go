//go:build !purego

package asm

import "github.com/klauspost/cpuid/v2"

var sumsqKernels = []sumsqKernel{
	{"avx2", cpuid.CPU.Supports(AVX2...), SumSquaresAVX2},
	{"avx512", cpuid.CPU.Supports(AVX512...), SumSquaresAVX512},
}
