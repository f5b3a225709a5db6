//go:build !purego

package main

import (
	"time"

	"github.com/simdnn/simdnn/asm"
	"github.com/simdnn/simdnn/kernels"
)

// fmaPeak measures the FMA throughput of one core on four-lane vectors
// with the generated instrument asm.FMAPeakNEON (register-only FMLAs, as
// many independent chains as the NEON micro-kernel has accumulators): the
// best of five 20 ms runs, in GFLOP/s, as on amd64. It returns 0 when the
// active implementation is not neon (SIMDNN_KERNELS=generic), whose
// results are not held against the vector units.
func fmaPeak() float64 {
	if kernels.Impl() != "neon" {
		return 0
	}
	const iters, flopsPerIter = 1000, 2 * 24 * 4
	best := 0.0
	for range 5 {
		calls, start := 0, time.Now()
		for time.Since(start) < 20*time.Millisecond {
			asm.FMAPeakNEON(iters)
			calls++
		}
		best = max(best, float64(calls)*iters*flopsPerIter/float64(time.Since(start).Nanoseconds()))
	}
	return best
}
