package kernels

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/simdnn/simdnn/internal/harness"
)

// TestOptimSplit checks that SGDMomentum, Adam and Axpy give the same bits
// split over goroutines as on one, on every implementation, for lengths
// around the split thresholds and stripe widths that do not divide them,
// and that optimStripes cuts as documented.
func TestOptimSplit(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	defer SetThreads(SetThreads(0))
	rng := rand.New(rand.NewPCG(41, 42))
	for _, n := range []int{2*minStripeElems - 1, 2 * minStripeElems, 3*minStripeElems + 5, 100003, 2*minAxpyStripe - 1, 2 * minAxpyStripe, 1<<18 + 7} {
		SetThreads(0)
		for _, least := range []int{minStripeElems, minAxpyStripe} {
			if stripes, width := optimStripes(n, least); n >= 2*least && (stripes < 2 || width%stripeAlign != 0 || (stripes-1)*width >= n || width < least) {
				t.Errorf("optimStripes(%d, %d) = %d stripes of %d", n, least, stripes, width)
			}
		}
		w, m, v, g := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range w {
			w[i], m[i] = harness.Uniform(rng, -1, 1), harness.Uniform(rng, -0.1, 0.1)
			v[i], g[i] = harness.Uniform(rng, 0, 0.01), harness.Uniform(rng, -1, 1)
		}
		forEachImpl(t, func(t *testing.T) {
			var got [2][5][]float32
			for i, threads := range []int{1, 0} {
				SetThreads(threads)
				ws, ms, vs := append([]float32(nil), w...), append([]float32(nil), m...), append([]float32(nil), v...)
				vs2, ws2 := append([]float32(nil), v...), append([]float32(nil), w...)
				ws3 := append([]float32(nil), w...)
				for step := 1; step <= 3; step++ {
					Adam(ws, ms, vs, g, 1e-3, 0.9, 0.999, 1e-8, step)
					SGDMomentum(ws2, vs2, g, 1e-2, 0.9)
					Axpy(ws3, -1e-2, g)
				}
				got[i] = [5][]float32{ws, ms, vs, ws2, ws3}
			}
			for k, name := range []string{"Adam w", "Adam m", "Adam v", "SGDMomentum w", "Axpy y"} {
				for j := range got[0][k] {
					if !harness.SameBits(got[0][k][j], got[1][k][j]) {
						t.Fatalf("n=%d: %s[%d] = %s on one goroutine, %s split", n, name, j, harness.F(got[0][k][j]), harness.F(got[1][k][j]))
					}
				}
			}
		})
	}
}

// TestOptimSplitAllocs checks that a split update allocates nothing of its
// own once warm, counting as TestSgemmParallelAllocs does (and for the
// same reason allowing the runtime's occasional wait-queue refills).
func TestOptimSplitAllocs(t *testing.T) {
	skipAllocCounts(t)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	defer SetThreads(SetThreads(0))
	const n = 1 << 17
	w, m, v, g := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	call := func() {
		Adam(w, m, v, g, 1e-3, 0.9, 0.999, 1e-8, 1)
		SGDMomentum(w, v, g, 1e-2, 0.9)
		Axpy(w, -1e-2, g)
	}
	if allocs := splitAllocs(call); allocs > splitRuns/2 {
		t.Errorf("%d allocations in %d split Adam, SGDMomentum and Axpy calls of %d elements on 4 goroutines", allocs, splitRuns, n)
	}
}
