//go:build !purego

package asm

import "github.com/klauspost/cpuid/v2"

var neonok = cpuid.CPU.Supports(NEON...)

// smallNKernels and smallTKernels are every generated small-m kernel.
var smallNKernels = []smallNCase{
	{"SgemmSmallN1x64NEON", neonok, 1, 64, 4, SgemmSmallN1x64NEON},
	{"SgemmSmallN1x4NEON", neonok, 1, 4, 4, SgemmSmallN1x4NEON},
	{"SgemmSmallN1x8NEON", neonok, 1, 8, 4, SgemmSmallN1x8NEON},
	{"SgemmSmallN1x16NEON", neonok, 1, 16, 4, SgemmSmallN1x16NEON},
	{"SgemmSmallN1x32NEON", neonok, 1, 32, 4, SgemmSmallN1x32NEON},
	{"SgemmSmallN2x32NEON", neonok, 2, 32, 4, SgemmSmallN2x32NEON},
	{"SgemmSmallN2x4NEON", neonok, 2, 4, 4, SgemmSmallN2x4NEON},
	{"SgemmSmallN2x8NEON", neonok, 2, 8, 4, SgemmSmallN2x8NEON},
	{"SgemmSmallN2x16NEON", neonok, 2, 16, 4, SgemmSmallN2x16NEON},
	{"SgemmSmallN3x32NEON", neonok, 3, 32, 4, SgemmSmallN3x32NEON},
	{"SgemmSmallN3x4NEON", neonok, 3, 4, 4, SgemmSmallN3x4NEON},
	{"SgemmSmallN3x8NEON", neonok, 3, 8, 4, SgemmSmallN3x8NEON},
	{"SgemmSmallN3x16NEON", neonok, 3, 16, 4, SgemmSmallN3x16NEON},
	{"SgemmSmallN4x16NEON", neonok, 4, 16, 4, SgemmSmallN4x16NEON},
	{"SgemmSmallN4x4NEON", neonok, 4, 4, 4, SgemmSmallN4x4NEON},
	{"SgemmSmallN4x8NEON", neonok, 4, 8, 4, SgemmSmallN4x8NEON},
	{"SgemmSmallN5x16NEON", neonok, 5, 16, 4, SgemmSmallN5x16NEON},
	{"SgemmSmallN5x4NEON", neonok, 5, 4, 4, SgemmSmallN5x4NEON},
	{"SgemmSmallN5x8NEON", neonok, 5, 8, 4, SgemmSmallN5x8NEON},
	{"SgemmSmallN6x16NEON", neonok, 6, 16, 4, SgemmSmallN6x16NEON},
	{"SgemmSmallN6x4NEON", neonok, 6, 4, 4, SgemmSmallN6x4NEON},
	{"SgemmSmallN6x8NEON", neonok, 6, 8, 4, SgemmSmallN6x8NEON},
	{"SgemmSmallN7x12NEON", neonok, 7, 12, 4, SgemmSmallN7x12NEON},
	{"SgemmSmallN7x4NEON", neonok, 7, 4, 4, SgemmSmallN7x4NEON},
	{"SgemmSmallN7x8NEON", neonok, 7, 8, 4, SgemmSmallN7x8NEON},
	{"SgemmSmallN8x8NEON", neonok, 8, 8, 4, SgemmSmallN8x8NEON},
	{"SgemmSmallN8x4NEON", neonok, 8, 4, 4, SgemmSmallN8x4NEON},
}

var smallTKernels = []smallTCase{
	{"SgemmSmallT1x16NEON", neonok, 1, 16, 4, SgemmSmallT1x16NEON},
	{"SgemmSmallT2x8NEON", neonok, 2, 8, 4, SgemmSmallT2x8NEON},
	{"SgemmSmallT3x8NEON", neonok, 3, 8, 4, SgemmSmallT3x8NEON},
	{"SgemmSmallT1x4NEON", neonok, 1, 4, 4, SgemmSmallT1x4NEON},
	{"SgemmSmallT2x4NEON", neonok, 2, 4, 4, SgemmSmallT2x4NEON},
	{"SgemmSmallT3x4NEON", neonok, 3, 4, 4, SgemmSmallT3x4NEON},
	{"SgemmSmallT4x4NEON", neonok, 4, 4, 4, SgemmSmallT4x4NEON},
}
