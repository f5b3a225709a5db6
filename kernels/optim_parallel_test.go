package kernels

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/simdnn/simdnn/internal/harness"
)

// TestOptimSplit checks that SGDMomentum and Adam give the same bits split
// over goroutines as on one, on every implementation, for lengths around
// the split threshold and stripe widths that do not divide them, and that
// optimStripes cuts as documented.
func TestOptimSplit(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	defer SetThreads(SetThreads(0))
	rng := rand.New(rand.NewPCG(41, 42))
	for _, n := range []int{2*minStripeElems - 1, 2 * minStripeElems, 3*minStripeElems + 5, 100003, 1 << 18} {
		SetThreads(0)
		if stripes, width := optimStripes(n); n >= 2*minStripeElems && (stripes < 2 || width%stripeAlign != 0 || (stripes-1)*width >= n) {
			t.Errorf("optimStripes(%d) = %d stripes of %d", n, stripes, width)
		}
		w, m, v, g := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range w {
			w[i], m[i] = harness.Uniform(rng, -1, 1), harness.Uniform(rng, -0.1, 0.1)
			v[i], g[i] = harness.Uniform(rng, 0, 0.01), harness.Uniform(rng, -1, 1)
		}
		forEachImpl(t, func(t *testing.T) {
			var got [2][4][]float32
			for i, threads := range []int{1, 0} {
				SetThreads(threads)
				ws, ms, vs := append([]float32(nil), w...), append([]float32(nil), m...), append([]float32(nil), v...)
				vs2, ws2 := append([]float32(nil), v...), append([]float32(nil), w...)
				for step := 1; step <= 3; step++ {
					Adam(ws, ms, vs, g, 1e-3, 0.9, 0.999, 1e-8, step)
					SGDMomentum(ws2, vs2, g, 1e-2, 0.9)
				}
				got[i] = [4][]float32{ws, ms, vs, ws2}
			}
			for k, name := range []string{"Adam w", "Adam m", "Adam v", "SGDMomentum w"} {
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
	}
	if allocs := splitAllocs(call); allocs > splitRuns/2 {
		t.Errorf("%d allocations in %d split Adam and SGDMomentum calls of %d elements on 4 goroutines", allocs, splitRuns, n)
	}
}
