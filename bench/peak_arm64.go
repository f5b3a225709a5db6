//go:build !purego

package main

import (
	"github.com/simdnn/simdnn/asm"
	"github.com/simdnn/simdnn/kernels"
)

// fmaPeak measures the FMA throughput of one core on four-lane vectors
// with the generated instrument asm.FMAPeakNEON (register-only FMLAs, as
// many independent chains as the NEON micro-kernel has accumulators), in
// GFLOP/s, as on amd64. It returns 0 when the active implementation is
// not neon (SIMDNN_KERNELS=generic), whose results are not held against
// the vector units.
func fmaPeak() float64 {
	if kernels.Impl() != "neon" {
		return 0
	}
	return bestRate(asm.FMAPeakNEON, 2*24*4)
}

// sqrtDivPeak measures Adam's bound on four-lane vectors with
// asm.SqrtDivPeakNEON (one register-only FSQRT and one FDIV per vector),
// in elements/ns; 0 when the active implementation is not neon.
func sqrtDivPeak() float64 {
	if kernels.Impl() != "neon" {
		return 0
	}
	return bestRate(asm.SqrtDivPeakNEON, 4*4)
}
