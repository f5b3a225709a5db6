package main

import "time"

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
