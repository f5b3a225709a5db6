package main

import (
	"time"

	"github.com/simdnn/simdnn/internal/instruments"
)

// bestRate runs an instrument that does perIter units of work per
// iteration for five runs of about 20 ms and returns the best rate, in
// units per nanosecond. It times the runs itself because it is called
// from inside a benchmark, where testing.Benchmark cannot run.
func bestRate(run func(iters int), perIter float64) float64 {
	const iters = 1000
	best := 0.0
	for range 5 {
		calls, start := 0, time.Now()
		for time.Since(start) < 20*time.Millisecond {
			run(iters)
			calls++
		}
		best = max(best, float64(calls)*iters*perIter/float64(time.Since(start).Nanoseconds()))
	}
	return best
}

// fmaPeak measures the FMA throughput of one core at the vector width of
// the active implementation (register-only FMAs, as many independent
// chains as the micro-kernel has accumulators), in GFLOP/s; 0 for the
// generic implementation, which is not held against the vector units.
func fmaPeak() float64 {
	s := instruments.Active()
	if s.FMAPeak == nil {
		return 0
	}
	return bestRate(s.FMAPeak, s.FMAFlops)
}

// sqrtDivPeak measures Adam's bound at the vector width of the active
// implementation (one register-only square root and one division per
// vector), in elements/ns; 0 for the generic implementation.
func sqrtDivPeak() float64 {
	s := instruments.Active()
	if s.SqrtDivPeak == nil {
		return 0
	}
	return bestRate(s.SqrtDivPeak, s.SqrtDivElems)
}
