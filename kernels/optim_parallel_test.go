package kernels

import (
	"fmt"
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

// TestOptimSplitGuard runs the split SGDMomentum, Adam and Axpy with each
// operand in turn flush against a guard page, after it and before it, at
// a length whose last stripe is short, and checks the bits against the
// unsplit call. The stripes run on goroutines of their own, where a fault
// is not turned into a panic: touching a guard page there kills the test
// binary, which fails the test as surely.
func TestOptimSplitGuard(t *testing.T) {
	if !harness.GuardSupported {
		t.Skip("no guard pages on this system")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	defer SetThreads(SetThreads(0))
	// Long enough for Axpy's wider stripes too.
	const n = 2*minAxpyStripe + 5
	for _, least := range []int{minStripeElems, minAxpyStripe} {
		if stripes, _ := optimStripes(n, least); stripes < 2 {
			t.Fatalf("optimStripes(%d, %d) makes %d stripe: the test needs a split", n, least, stripes)
		}
	}
	rng := rand.New(rand.NewPCG(43, 44))
	src := make([][]float32, 4) // w, m, v, g
	for k := range src {
		src[k] = make([]float32, n)
		for i := range src[k] {
			src[k][i] = harness.Uniform(rng, 0, 0.5)
		}
	}
	type update struct {
		name     string
		operands []string
		call     func(o [][]float32)
	}
	updates := []update{
		{"Adam", []string{"w", "m", "v", "g"}, func(o [][]float32) { Adam(o[0], o[1], o[2], o[3], 1e-3, 0.9, 0.999, 1e-8, 3) }},
		{"SGDMomentum", []string{"w", "v", "g"}, func(o [][]float32) { SGDMomentum(o[0], o[1], o[2], 1e-2, 0.9) }},
		{"Axpy", []string{"y", "x"}, func(o [][]float32) { Axpy(o[0], -1e-2, o[1]) }},
	}
	forEachImpl(t, func(t *testing.T) {
		for _, u := range updates {
			fresh := func() [][]float32 {
				o := make([][]float32, len(u.operands))
				for k := range o {
					o[k] = append([]float32(nil), src[k]...)
				}
				return o
			}
			SetThreads(1)
			want := fresh()
			u.call(want)
			SetThreads(0)
			for k, name := range u.operands {
				for _, before := range []bool{false, true} {
					o := fresh()
					g := harness.GuardAfter(t, n)
					if before {
						g = harness.GuardBefore(t, n)
					}
					copy(g, o[k])
					o[k] = g
					what := fmt.Sprintf("%s split over 4 goroutines, n=%d, %s against a guard page (before: %v)", u.name, n, name, before)
					harness.NoFault(t, what, func() { u.call(o) })
					for j := range o {
						for i := range o[j] {
							if !harness.SameBits(o[j][i], want[j][i]) {
								t.Fatalf("%s: %s[%d] = %s, unsplit %s", what, u.operands[j], i, harness.F(o[j][i]), harness.F(want[j][i]))
							}
						}
					}
				}
			}
		}
	})
}
