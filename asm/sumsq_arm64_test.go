//go:build !purego

package asm

var sumsqKernels = []sumsqKernel{{"neon", neonok, SumSquaresNEON}}
