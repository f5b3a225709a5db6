package kernels

// NUMERICS.md, at the repository's root, lists the promises these tests
// check; change the two together.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"github.com/simdnn/simdnn/internal/harness"
)

// sumSquaresTol is SumSquares' documented bound for n elements whose
// exact sum of squares is s, 2⁻¹⁸·s + n·(2⁻⁶³·s + 2⁻¹⁵⁰), plus the
// float64 reference's own error, n·2⁻⁵³·s.
func sumSquaresTol(n int, s float64) float64 {
	fn := float64(n)
	return 0x1p-18*s + fn*(0x1p-63*s+0x1p-150) + fn*0x1p-53*s
}

// checkSumSquares checks got, SumSquares(x), against the float64
// reference, and the bound the doc comment derives from it for every
// element: x[i]² ≤ got·(1 + 2⁻¹⁶) + len(x)·2⁻¹⁴⁹.
func checkSumSquares(e *harness.Errs, what string, x []float32, got float64) {
	e.T.Helper()
	want := harness.SumSquares(x)
	if tol := sumSquaresTol(len(x), want); !(math.Abs(got-want) <= tol) {
		e.Errorf("%s: SumSquares = %g, want %g within %g: %.3g relative", what, got, want, tol, (got-want)/want)
		return
	}
	var largest float64
	for _, v := range x {
		largest = max(largest, float64(v)*float64(v))
	}
	if largest > got*(1+0x1p-16)+float64(len(x))*0x1p-149 {
		e.Errorf("%s: SumSquares = %g is below the largest square, %g", what, got, largest)
	}
}

// sumSquaresValues are the values the sweeps draw: ordinary ones; ones
// spread over 2⁻⁸⁰ to 2⁴⁰ in magnitude, so that some squares fall below
// the float32 range and a few dominate each block; and tiny ones, whose
// squares and sums are all denormal, where the bound is absolute.
var sumSquaresValues = []struct {
	name string
	draw func(r *rand.Rand) float32
}{
	{"uniform in [-2, 2)", func(r *rand.Rand) float32 { return harness.Uniform(r, -2, 2) }},
	{"2^-80 to 2^40", func(r *rand.Rand) float32 { return float32(math.Ldexp(r.NormFloat64(), r.IntN(120)-80)) }},
	{"about 2^-70", func(r *rand.Rand) float32 { return float32(math.Ldexp(r.NormFloat64(), -70)) }},
}

// sumSquaresVec returns n values of kind 0 of sumSquaresValues.
func sumSquaresVec(r *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = sumSquaresValues[0].draw(r)
	}
	return x
}

// TestSumSquares checks SumSquares on every implementation against the
// float64 reference, over every length to 300 (every tail of every
// vector width and group), around the blocks, and long slices (the
// longest split over goroutines where GOMAXPROCS allows), each at every
// start offset up to 4099 elements.
func TestSumSquares(t *testing.T) {
	var ls []int
	for n := range 301 {
		ls = append(ls, n)
	}
	ls = append(ls, sumSquaresBlock-1, sumSquaresBlock, sumSquaresBlock+1, 2*sumSquaresBlock+129, 4099, 1<<16+3, 1<<20+5)
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(51, 52))
		errs := &harness.Errs{T: t}
		for _, n := range ls {
			for _, kind := range sumSquaresValues {
				x := make([]float32, n)
				for i := range x {
					x[i] = kind.draw(r)
				}
				trials := harness.Offsets
				if n > 4099 {
					trials = 1
				}
				for trial := range trials {
					p := harness.Place(x, harness.TrialOffset(trial, 0))
					checkSumSquares(errs, fmt.Sprintf("n=%d, %s, offset %d", n, kind.name, p.Offset()), x, SumSquares(p.S))
				}
			}
		}
		for _, x := range [][]float32{nil, {}} {
			if got := SumSquares(x); math.Float64bits(got) != 0 {
				t.Errorf("SumSquares(%#v) = %g, want +0", x, got)
			}
		}
	})
}

// TestSumSquaresGuard runs SumSquares on every implementation with the
// slice flush against a guard page, after it and before it, at the guard
// lengths and around the blocks.
func TestSumSquaresGuard(t *testing.T) {
	if !harness.GuardSupported {
		t.Skip("no guard pages on this system")
	}
	ls := append(harness.GuardLengths(), sumSquaresBlock-1, sumSquaresBlock+1, 2*sumSquaresBlock+17)
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(53, 54))
		errs := &harness.Errs{T: t}
		for _, n := range ls {
			for _, before := range []bool{false, true} {
				x := harness.GuardAfter(t, n)
				if before {
					x = harness.GuardBefore(t, n)
				}
				copy(x, sumSquaresVec(r, n))
				what := fmt.Sprintf("n=%d against a guard page (before: %v)", n, before)
				var got float64
				harness.NoFault(t, what, func() { got = SumSquares(x) })
				checkSumSquares(errs, what, x, got)
			}
		}
	})
}

// TestSumSquaresNonFinite puts a NaN, +Inf or −Inf at each position in
// turn, on every implementation, and checks that the result is NaN for
// the NaN and +Inf for the infinities: at every position of every length
// to 300 and of two lengths across blocks, and at the block and stripe
// edges of a call split over goroutines; and that a NaN with an
// infinity anywhere else gives NaN.
func TestSumSquaresNonFinite(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	defer SetThreads(SetThreads(0))
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	long := 2*minSumSquaresStripe + 5
	stripes, width := sumSquaresStripes(long)
	if stripes < 2 {
		t.Fatalf("sumSquaresStripes(%d) makes %d stripe: the test needs a split", long, stripes)
	}
	edges := []int{0, 1, sumSquaresBlock - 1, sumSquaresBlock, width - 1, width, long - sumSquaresBlock, long - 1}
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(55, 56))
		at := func(x []float32, i int) {
			t.Helper()
			old := x[i]
			for _, bad := range []float32{nan, inf, -inf} {
				x[i] = bad
				got := SumSquares(x)
				if isNaN(bad) && !math.IsNaN(got) || !isNaN(bad) && !math.IsInf(got, 1) {
					t.Fatalf("n=%d, x[%d] = %g: SumSquares = %g", len(x), i, bad, got)
				}
			}
			x[i] = old
		}
		for n := 1; n <= 300; n++ {
			x := sumSquaresVec(r, n)
			for i := range x {
				at(x, i)
			}
		}
		for _, n := range []int{sumSquaresBlock + 1, 2*sumSquaresBlock + 100} {
			x := sumSquaresVec(r, n)
			for i := range x {
				at(x, i)
			}
		}
		x := sumSquaresVec(r, long)
		for _, i := range edges {
			at(x, i)
		}
		for _, pair := range [][2]float32{{nan, inf}, {inf, nan}, {-inf, nan}} {
			x[0], x[long-1] = pair[0], pair[1]
			if got := SumSquares(x); !math.IsNaN(got) {
				t.Fatalf("n=%d, x[0] = %g, x[%d] = %g: SumSquares = %g, want NaN", long, pair[0], long-1, pair[1], got)
			}
		}
	})
}

// TestSumSquaresOverflow checks the overflow the doc comment states, on
// every implementation: a block whose float32 sum passes FLT_MAX makes
// the result +Inf, while blocks that each stay below it add up to a
// finite float64 beyond it.
func TestSumSquaresOverflow(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		errs := &harness.Errs{T: t}
		over := [][]float32{{1.9e19}, make([]float32, sumSquaresBlock)}
		for i := range over[1] {
			over[1][i] = 5.8e17
		}
		for _, x := range over {
			if got := SumSquares(x); !math.IsInf(got, 1) {
				t.Errorf("n=%d of %g: SumSquares = %g, want +Inf", len(x), x[0], got)
			}
		}
		// 1.5e19² = 2.25e38 < FLT_MAX in each of three blocks.
		x := make([]float32, 3*sumSquaresBlock)
		for b := range 3 {
			x[b*sumSquaresBlock+b] = 1.5e19
		}
		got := SumSquares(x)
		if math.IsInf(got, 0) || got <= math.MaxFloat32 {
			t.Errorf("three blocks of 1.5e19²: SumSquares = %g, want a finite 6.75e38", got)
		}
		checkSumSquares(errs, "three blocks of 1.5e19²", x, got)
	})
}

// TestSumSquaresSplit checks that SumSquares gives the same bits on 1, 2,
// 3 and 8 goroutines (4 at most, GOMAXPROCS), on every implementation,
// for lengths around the split threshold and stripes that are not whole
// blocks before sumSquaresStripes rounds them, and that the stripes are
// cut on whole blocks. The values' scale changes every few hundred
// elements, over 2⁻⁶⁰ to 2⁴⁰, so that the blocks' sums span more than
// float64's 53 bits and their total depends on the order in which they
// are added.
func TestSumSquaresSplit(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	defer SetThreads(SetThreads(0))
	r := rand.New(rand.NewPCG(57, 58))
	var xs [][]float32
	for _, n := range []int{2*minSumSquaresStripe - 1, 2 * minSumSquaresStripe, 3*minSumSquaresStripe + 5, 1<<18 + sumSquaresBlock - 1, 1<<20 + 5} {
		x := make([]float32, n)
		scale := 1.0
		for i := range x {
			if r.IntN(500) == 0 {
				scale = math.Ldexp(1, r.IntN(100)-60)
			}
			x[i] = float32(scale * r.NormFloat64())
		}
		xs = append(xs, x)
	}
	forEachImpl(t, func(t *testing.T) {
		for _, x := range xs {
			n := len(x)
			var want float64
			for i, threads := range []int{1, 2, 3, 8} {
				SetThreads(threads)
				stripes, width := sumSquaresStripes(n)
				if threads > 1 && n >= 2*minSumSquaresStripe && (stripes < 2 || width%sumSquaresBlock != 0 || (stripes-1)*width >= n) {
					t.Errorf("threads=%d: sumSquaresStripes(%d) = %d stripes of %d", threads, n, stripes, width)
				}
				got := SumSquares(x)
				if i == 0 {
					want = got
					continue
				}
				if math.Float64bits(got) != math.Float64bits(want) {
					t.Fatalf("n=%d: SumSquares = %v on %d goroutines, %v on one", n, got, threads, want)
				}
			}
		}
	})
}

// TestSumSquaresSplitGuard runs the split SumSquares with the slice flush
// against a guard page, after it and before it, at a length whose last
// stripe is short, and checks the bits against the unsplit call. The
// stripes run on goroutines of their own, where a fault is not turned
// into a panic: touching a guard page there kills the test binary, which
// fails the test as surely.
func TestSumSquaresSplitGuard(t *testing.T) {
	if !harness.GuardSupported {
		t.Skip("no guard pages on this system")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	defer SetThreads(SetThreads(0))
	const n = 2*minSumSquaresStripe + 5
	x := sumSquaresVec(rand.New(rand.NewPCG(59, 60)), n)
	forEachImpl(t, func(t *testing.T) {
		SetThreads(1)
		want := SumSquares(x)
		SetThreads(0)
		for _, before := range []bool{false, true} {
			g := harness.GuardAfter(t, n)
			if before {
				g = harness.GuardBefore(t, n)
			}
			copy(g, x)
			what := fmt.Sprintf("SumSquares split over 4 goroutines, n=%d, against a guard page (before: %v)", n, before)
			var got float64
			harness.NoFault(t, what, func() { got = SumSquares(g) })
			if math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("%s: %v, unsplit %v", what, got, want)
			}
		}
	})
}

// TestSumSquaresConcurrent runs split SumSquares calls from several
// goroutines at once, which share the pool and the free list of block
// sums, and checks each against the same call made alone.
func TestSumSquaresConcurrent(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	const goroutines, calls = 4, 20
	r := rand.New(rand.NewPCG(61, 62))
	xs := make([][]float32, goroutines)
	want := make([]float64, goroutines)
	for g := range xs {
		xs[g] = sumSquaresVec(r, 2*minSumSquaresStripe+g*sumSquaresBlock+g)
		want[g] = SumSquares(xs[g])
	}
	got := make([][]float64, goroutines)
	var wg sync.WaitGroup
	for g := range xs {
		wg.Go(func() {
			for range calls {
				got[g] = append(got[g], SumSquares(xs[g]))
			}
		})
	}
	wg.Wait()
	for g := range got {
		for _, s := range got[g] {
			if math.Float64bits(s) != math.Float64bits(want[g]) {
				t.Fatalf("goroutine %d: SumSquares = %v concurrently, %v alone", g, s, want[g])
			}
		}
	}
}

// TestSumSquaresAllocs checks that SumSquares allocates nothing once
// warm, split or not (counting split calls as TestOptimSplitAllocs does).
func TestSumSquaresAllocs(t *testing.T) {
	skipAllocCounts(t)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	defer SetThreads(SetThreads(0))
	short, long := make([]float32, 4096), make([]float32, 1<<18)
	if allocs := testing.AllocsPerRun(100, func() { SumSquares(short) }); allocs != 0 {
		t.Errorf("%v allocations per SumSquares of %d elements", allocs, len(short))
	}
	if allocs := splitAllocs(func() { SumSquares(long) }); allocs > splitRuns/2 {
		t.Errorf("%d allocations in %d split SumSquares calls of %d elements on 4 goroutines", allocs, splitRuns, len(long))
	}
}
