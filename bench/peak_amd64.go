//go:build !purego

package main

import (
	"time"

	"github.com/simdnn/simdnn/asm"
	"github.com/simdnn/simdnn/kernels"
)

// fmaPeak measures the FMA throughput of one core at the vector width of
// the active implementation with the generated instrument (register-only
// FMAs, as many independent chains as the micro-kernel has accumulators):
// the best of five 20 ms runs, in GFLOP/s. It times the runs itself
// because it is called from inside a benchmark, where testing.Benchmark
// cannot run.
func fmaPeak() float64 {
	var run func(int)
	var flopsPerIter float64
	switch kernels.Impl() {
	case "avx512":
		run, flopsPerIter = asm.FMAPeakAVX512, 2*24*16
	case "avx2":
		run, flopsPerIter = asm.FMAPeakAVX2, 2*12*8
	default:
		return 0
	}
	const iters = 1000
	best := 0.0
	for range 5 {
		calls, start := 0, time.Now()
		for time.Since(start) < 20*time.Millisecond {
			run(iters)
			calls++
		}
		best = max(best, float64(calls)*iters*flopsPerIter/float64(time.Since(start).Nanoseconds()))
	}
	return best
}
