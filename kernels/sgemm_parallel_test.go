package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/simdnn/simdnn/internal/harness"
)

// gemmSplitShapes are products large enough to be split into stripes,
// one per transpose pair, each with edge tiles, so that stripes end inside
// a tile's worth of C: 64×784×256 splits by columns and 301×170×300 and
// 785×256×64 by rows with every tile, 67×803×257 either way depending on
// the tile and the number of stripes (splitCols); then a narrow product
// that the SIMD levels give to their row kernels. -short skips the first
// two.
var gemmSplitShapes = []gemmShape{
	{67, 803, 257, false, false}, {301, 170, 300, true, false},
	{64, 784, 256, false, true}, {785, 256, 64, true, true},
	{1001, 10, 900, false, false},
}

// TestSgemmDeterministic checks that Sgemm and SgemmBiasAct give
// bit-identical results on one goroutine and split over 2 and 7 (more
// goroutines than this machine may have cores, so that stripes run
// interleaved), and with SetThreads bounding the split, and that the
// result is within the reference's gauge.
func TestSgemmDeterministic(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	defer SetThreads(SetThreads(0))
	forEachGemmImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(31, 32))
		for i, sh := range gemmSplitShapes {
			if testing.Short() && i < 2 {
				continue
			}
			m, n, k, transA, transB := sh.m, sh.n, sh.k, sh.transA, sh.transB
			ar, ac, br, bc := gemmShapes(transA, transB, m, n, k)
			a := harness.GemmDense(rng, ar, ac)
			b := harness.GemmDense(rng, br, bc)
			c0 := harness.GemmDense(rng, m, n)
			bias := harness.GemmDense(rng, 1, n)
			ref := harness.NewGemmRef(transA, transB, m, n, k, a, ac, b, bc)
			for _, act := range []Activation{ActIdentity, ActLeakyReLU(0.1)} {
				run := func(procs, threads int) []float32 {
					runtime.GOMAXPROCS(procs)
					SetThreads(threads)
					// Stripes must stay within C: canaries around it.
					cp := harness.Place(c0, procs%harness.Offsets)
					c := cp.S
					if act == ActIdentity {
						Sgemm(transA, transB, m, n, k, 0.7, a, ac, b, bc, 1.3, c, n)
					} else {
						SgemmBiasAct(transA, transB, m, n, k, 0.7, a, ac, b, bc, 1.3, c, n, bias, act)
					}
					if at, bad := cp.BadCanary(); bad {
						t.Fatalf("%d×%d×%d act=%v, GOMAXPROCS=%d SetThreads(%d): wrote outside C, at index %d", m, n, k, act, procs, threads, at)
					}
					return c
				}
				want := run(1, 0)
				if act == ActIdentity {
					for x, v := range want {
						w, gauge := ref.Want(x/n, x%n, 0.7, 1.3, c0[x])
						if !harness.GemmClose(v, w, gauge) {
							t.Fatalf("%d×%d×%d: C[%d,%d] = %g, want %g ± %g", m, n, k, x/n, x%n, v, w, gauge)
						}
					}
				}
				for _, pt := range [][2]int{{2, 0}, {7, 0}, {7, 3}, {7, 1}, {2, 9}} {
					got := run(pt[0], pt[1])
					for x, v := range got {
						if math.Float32bits(v) != math.Float32bits(want[x]) {
							t.Fatalf("%d×%d×%d transA=%v transB=%v act=%v, GOMAXPROCS=%d SetThreads(%d): C[%d,%d] = %g, on one goroutine %g",
								m, n, k, transA, transB, act, pt[0], pt[1], x/n, x%n, v, want[x])
						}
					}
				}
			}
		}
	})
}

func TestSetThreads(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	old := SetThreads(0)
	defer SetThreads(old)
	if got := SetThreads(5); got != 3 {
		t.Errorf("SetThreads with the default in force returned %d, want GOMAXPROCS = 3", got)
	}
	if got := SetThreads(-1); got != 5 {
		t.Errorf("SetThreads returned %d, want the previous bound 5", got)
	}
	if got := SetThreads(0); got != 3 {
		t.Errorf("SetThreads(-1) left %d in force, want the default (GOMAXPROCS = 3)", got)
	}
	// A bound too large for the counter is no bound, not the default.
	SetThreads(math.MaxInt)
	if got := SetThreads(0); got != math.MaxInt32 {
		t.Errorf("SetThreads(math.MaxInt) left %d in force, want math.MaxInt32", got)
	}
}

// TestThreadsFor checks the split decisions: small products stay on the
// caller, large ones take what GOMAXPROCS and SetThreads allow and no
// more stripes than the tiles they have.
func TestThreadsFor(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	defer SetThreads(SetThreads(0))
	for _, tc := range []struct {
		m, n, k, limit, want int
	}{
		{256, 10, 128, 0, 1},     // the output layer of a classifier: 0.65 MFLOP
		{64, 64, 64, 0, 1},       // 0.5 MFLOP
		{1024, 1024, 1024, 0, 8}, // all of GOMAXPROCS
		{1024, 1024, 1024, 3, 3}, // SetThreads
		{1024, 1024, 1024, 1, 1},
		{12, 20, 100000, 0, 2}, // 48 MFLOP, but only two tiles of 6 rows and two of 16 columns
		{64, 256, 784, 0, 6},   // 25.7 MFLOP: six stripes of 4 MFLOP
	} {
		SetThreads(tc.limit)
		got := threadsFor(tc.m, tc.n, tc.k, 6, 16)
		if got != tc.want {
			t.Errorf("threadsFor(%d, %d, %d) with SetThreads(%d), GOMAXPROCS 8 = %d, want %d", tc.m, tc.n, tc.k, tc.limit, got, tc.want)
		}
	}
}

// TestSgemmParallelAllocs checks that a call split over goroutines
// allocates nothing of its own once warm. testing.AllocsPerRun runs with
// GOMAXPROCS 1, which keeps every call on one goroutine (TestSgemmAllocs
// covers that), so this counts the heap allocations itself. It cannot
// demand exactly zero: when the caller and the workers park and wake, the
// runtime takes wait-queue entries (sudogs) from per-P caches, and a
// goroutine that parks on one P and wakes on another moves entries
// between the caches, which now and then refill from the heap (measured:
// 0–9 in 100 calls natively, 12 under qemu's emulation, where goroutines
// are descheduled more often). An allocation of simdnn's own would come
// with every call or every stripe: 100 calls allow at most 50, in the
// best of up to three counts (splitAllocs).
func TestSgemmParallelAllocs(t *testing.T) {
	skipAllocCounts(t)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	defer SetThreads(SetThreads(0))
	const m, n, k = 200, 200, 200 // 16 MFLOP: 4 stripes
	rng := rand.New(rand.NewPCG(33, 34))
	a := harness.GemmMatrix(rng, m, k, k)
	b := harness.GemmMatrix(rng, k, n, n)
	c := harness.GemmMatrix(rng, m, n, n)
	bias := harness.GemmDense(rng, 1, n)
	forEachGemmImpl(t, func(t *testing.T) {
		call := func() { SgemmBiasAct(false, false, m, n, k, 1, a, k, b, n, 0, c, n, bias, ActReLU) }
		if allocs := splitAllocs(call); allocs > splitRuns/2 {
			t.Errorf("%d allocations in %d calls of a %d×%d×%d product on 4 goroutines", allocs, splitRuns, m, n, k)
		}
	})
}

// splitRuns is the number of calls splitAllocs counts over.
const splitRuns = 100

// splitAllocs returns the heap allocations of splitRuns calls of call,
// after 50 that start the workers and fill the pools. It counts them
// itself because testing.AllocsPerRun runs with GOMAXPROCS 1, where no
// call is split. The runtime's refills come and go with the scheduling,
// while an allocation of simdnn's own would come with every call: so it
// counts up to three times and returns the smallest count, stopping at
// the first within splitRuns/2. (Under qemu's arm64 emulation on a
// loaded host one count reached 53.)
func splitAllocs(call func()) uint64 {
	for range 50 {
		call()
	}
	best := uint64(math.MaxUint64)
	for range 3 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range splitRuns {
			call()
		}
		runtime.ReadMemStats(&after)
		best = min(best, after.Mallocs-before.Mallocs)
		if best <= splitRuns/2 {
			break
		}
	}
	return best
}

// BenchmarkSgemmThreads measures the 1024³ product on one goroutine and
// on all of GOMAXPROCS, for the scaling figure (run with -cpu 2).
func BenchmarkSgemmThreads(b *testing.B) {
	const n = 1024
	rng := rand.New(rand.NewPCG(35, 36))
	x := harness.GemmDense(rng, n, n)
	y := harness.GemmDense(rng, n, n)
	z := make([]float32, n*n)
	defer SetThreads(SetThreads(0))
	for _, threads := range []int{1, 0} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			SetThreads(threads)
			Sgemm(false, false, n, n, n, 1, x, n, y, n, 0, z, n)
			for b.Loop() {
				Sgemm(false, false, n, n, n, 1, x, n, y, n, 0, z, n)
			}
			b.ReportMetric(2*n*n*n*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "GFLOP/s")
		})
	}
}

// TestSplitCols checks the choices splitCols's doc comment explains, for
// the AVX-512 tile (6×64) on two goroutines.
func TestSplitCols(t *testing.T) {
	for _, c := range []struct {
		what         string
		transB       bool
		m, n, k, ldb int
		cols         bool
	}{
		// 13 column tiles split 7 to 6, 43 row tiles 22 to 21, and
		// both stripes read B in place.
		{"dW = dYᵀ·X of 784→256 at batch 256", false, 256, 784, 256, 784, false},
		// By rows, each stripe would pack all of Bᵀ (784×256).
		{"dX = dY·Wᵀ of 784→256 at batch 64", true, 64, 784, 256, 256, true},
		{"one row tile", false, 6, 1000, 500, 1000, true},
		{"one column tile", false, 1000, 10, 500, 10, false},
	} {
		if got := splitCols(c.transB, c.m, c.n, c.k, c.ldb, 6, 64, 2); got != c.cols {
			t.Errorf("%s (%d×%d×%d): splitCols = %v, want %v", c.what, c.m, c.k, c.n, got, c.cols)
		}
	}
}
