//go:build !purego

package main

import (
	"github.com/simdnn/simdnn/asm"
	"github.com/simdnn/simdnn/kernels"
)

// fmaPeak measures the FMA throughput of one core at the vector width of
// the active implementation with the generated instrument (register-only
// FMAs, as many independent chains as the micro-kernel has accumulators),
// in GFLOP/s.
func fmaPeak() float64 {
	switch kernels.Impl() {
	case "avx512":
		return bestRate(asm.FMAPeakAVX512, 2*24*16)
	case "avx2":
		return bestRate(asm.FMAPeakAVX2, 2*12*8)
	}
	return 0
}

// sqrtDivPeak measures Adam's bound at the vector width of the active
// implementation with the generated instrument (one register-only
// VSQRTPS and one VDIVPS per vector), in elements/ns.
func sqrtDivPeak() float64 {
	switch kernels.Impl() {
	case "avx512":
		return bestRate(asm.SqrtDivPeakAVX512, 4*16)
	case "avx2":
		return bestRate(asm.SqrtDivPeakAVX2, 4*8)
	}
	return 0
}
