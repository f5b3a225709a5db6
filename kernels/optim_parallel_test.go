package kernels

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/simdnn/simdnn/internal/harness"
)

// TestOptimSplit checks that SGD, Adam and Axpy give the same bits split
// over goroutines as on one, on every implementation, for lengths around
// the split thresholds and stripe widths that do not divide them, every
// form of SGD and Adam at one of them, and that optimStripes cuts as
// documented.
func TestOptimSplit(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	defer SetThreads(SetThreads(0))
	rng := rand.New(rand.NewPCG(41, 42))
	const formsAt = 3*minStripeElems + 5
	for _, n := range []int{2*minStripeElems - 1, 2 * minStripeElems, formsAt, 100003, 2*minAxpyStripe - 1, 2 * minAxpyStripe, 1<<18 + 7} {
		SetThreads(0)
		for _, least := range []int{minStripeElems, minAxpyStripe} {
			if stripes, width := optimStripes(n, least); n >= 2*least && (stripes < 2 || width%stripeAlign != 0 || (stripes-1)*width >= n || width < least) {
				t.Errorf("optimStripes(%d, %d) = %d stripes of %d", n, least, stripes, width)
			}
		}
		src := make([][]float32, 5) // w, m, v, vmax, g
		for k := range src {
			src[k] = make([]float32, n)
		}
		for i := range n {
			src[0][i], src[1][i] = harness.Uniform(rng, -1, 1), harness.Uniform(rng, -0.1, 0.1)
			src[2][i], src[3][i] = harness.Uniform(rng, 0, 0.01), harness.Uniform(rng, 0, 0.01)
			src[4][i] = harness.Uniform(rng, -1, 1)
		}
		sgds := []SGDOptions{{LR: 1e-2, Momentum: 0.9}}
		adams := []AdamOptions{{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}}
		if n == formsAt {
			sgds, adams = sgdForms(1e-2), adamForms(1e-3, 0)
		}
		forEachImpl(t, func(t *testing.T) {
			// updates returns the state after three steps of every
			// update on threads goroutines, named.
			updates := func(threads int) (names []string, got [][]float32) {
				SetThreads(threads)
				fresh := func(k int) []float32 { return append([]float32(nil), src[k]...) }
				for _, o := range sgds {
					w, v := fresh(0), fresh(1)
					for range 3 {
						SGD(w, v, src[4], o)
					}
					names, got = append(names, sgdName(o)+" w", sgdName(o)+" v"), append(got, w, v)
				}
				for _, o := range adams {
					w, m, v, vmax := fresh(0), fresh(1), fresh(2), fresh(3)
					for step := 1; step <= 3; step++ {
						o.Step = step
						Adam(w, m, v, vmax, src[4], o)
					}
					names, got = append(names, adamName(o)+" w", adamName(o)+" m", adamName(o)+" v", adamName(o)+" vmax"), append(got, w, m, v, vmax)
				}
				y := fresh(0)
				for range 3 {
					Axpy(y, -1e-2, src[4])
				}
				return append(names, "Axpy y"), append(got, y)
			}
			names, one := updates(1)
			_, split := updates(0)
			for k, name := range names {
				for j := range one[k] {
					if !harness.SameBits(one[k][j], split[k][j]) {
						t.Fatalf("n=%d: %s[%d] = %s on one goroutine, %s split", n, name, j, harness.F(one[k][j]), harness.F(split[k][j]))
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
	w, m, v, vmax, g := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	call := func() {
		Adam(w, m, v, vmax, g, AdamOptions{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-2, AMSGrad: true, Step: 1})
		SGD(w, v, g, SGDOptions{LR: 1e-2, Momentum: 0.9, Nesterov: true})
		Axpy(w, -1e-2, g)
	}
	if allocs := splitAllocs(call); allocs > splitRuns/2 {
		t.Errorf("%d allocations in %d split Adam, SGD and Axpy calls of %d elements on 4 goroutines", allocs, splitRuns, n)
	}
}

// TestOptimSplitGuard runs the split SGD, Adam and Axpy with each
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
	src := make([][]float32, 5) // w, m, v, vmax, g; or w, v, g; or y, x
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
		{"Adam", []string{"w", "m", "v", "g"}, func(o [][]float32) { Adam(o[0], o[1], o[2], nil, o[3], adamDefaults) }},
		{"AdamW AMSGrad", []string{"w", "m", "v", "vmax", "g"}, func(o [][]float32) {
			Adam(o[0], o[1], o[2], o[3], o[4], AdamOptions{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-2, Decoupled: true, AMSGrad: true, Step: 3})
		}},
		{"SGD momentum", []string{"w", "v", "g"}, func(o [][]float32) { SGD(o[0], o[1], o[2], SGDOptions{LR: 1e-2, Momentum: 0.9}) }},
		{"SGD Nesterov", []string{"w", "v", "g"}, func(o [][]float32) {
			SGD(o[0], o[1], o[2], SGDOptions{LR: 1e-2, Momentum: 0.9, Nesterov: true, WeightDecay: 1e-2})
		}},
		{"SGD", []string{"w", "g"}, func(o [][]float32) { SGD(o[0], nil, o[1], SGDOptions{LR: 1e-2, WeightDecay: 1e-2}) }},
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
