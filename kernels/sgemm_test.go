package kernels

// NUMERICS.md, at the repository's root, lists the promises these tests
// check; change the two together.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/simdnn/simdnn/internal/harness"
)

// The GEMM tests follow the reference BLAS tester: m, n and k over
// harness.GemmDims, the four transpose pairs, alpha in gemmAlphas, beta in
// gemmBetas and the leading dimensions of harness.GemmLDs, every operand
// placed at an offset from a 64-byte boundary between canaries. After each
// call A and B, C's padding and every canary must be bit-identical to
// before, and C's m×n window must match the float64 reference within its
// gauge.

var (
	gemmAlphas = []float32{0, 1, -1, 0.7}
	gemmBetas  = []float32{0, 1, 1.3, -1}
)

// gemmCombos is the number of (alpha, beta, leading dimension) choices of
// the grid; gemmCombo decodes one.
const gemmCombos = 4 * 4 * 3

func gemmCombo(i int) (alpha, beta float32, ld int) {
	return gemmAlphas[i%4], gemmBetas[i/4%4], i / 16
}

// gemmOperand is one matrix argument placed between canaries
// (harness.Place) at an offset from a 64-byte boundary, with
// harness.GemmPad in the padding between its rows: a read of the padding
// spoils the result, a write anywhere outside the matrix's window changes
// bits that are checked, and one past either end hits a canary even where
// it stays within Go's size-class rounding of the array.
type gemmOperand struct {
	rows, cols, ld int
	p              harness.Placed // the matrix between canaries
	s              []float32      // p.S, the slice passed to Sgemm
	saved          []float32      // s before the call
}

// newGemmOperand lays out the dense rows×cols matrix src (nil: NaN) with
// leading dimension ld at offset off between canaries.
func newGemmOperand(src []float32, rows, cols, ld, off int) *gemmOperand {
	return new(gemmOperand).reset(src, rows, cols, ld, off)
}

// reset is newGemmOperand reusing o's arrays, so that the grid's hundreds
// of thousands of calls do not keep the garbage collector busy.
func (o *gemmOperand) reset(src []float32, rows, cols, ld, off int) *gemmOperand {
	n := harness.GemmLen(rows, cols, ld)
	o.rows, o.cols, o.ld = rows, cols, ld
	if cap(o.saved) < n {
		o.saved = make([]float32, n)
	}
	o.saved = o.saved[:n]
	harness.GemmLayout(o.saved, src, rows, cols, ld)
	o.p = o.p.Replace(o.saved, off)
	o.s = o.p.S
	return o
}

// at returns the original value of element (i, j).
func (o *gemmOperand) at(i, j int) float32 {
	return o.saved[i*o.ld+j]
}

// unchanged returns an error naming the first element of the matrix that
// is not bit-identical to before, skipping its window when window is set
// (C's window is checked against the reference), or the first canary
// around it that was overwritten.
func (o *gemmOperand) unchanged(name string, window bool) error {
	for i, v := range o.s {
		if math.Float32bits(v) == math.Float32bits(o.saved[i]) || window && harness.InWindow(i, o.cols, o.ld) {
			continue
		}
		return fmt.Errorf("%s: element %d (padding, ld %d) changed from %g to %g", name, i, o.ld, o.saved[i], v)
	}
	if at, bad := o.p.BadCanary(); bad {
		return fmt.Errorf("%s: wrote outside the matrix: the canary at index %d (len %d, offset %d) changed", name, at, len(o.s), o.p.Offset())
	}
	return nil
}

// gemmCall is one Sgemm call of a test, with its operands in place.
type gemmCall struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a, b, c        *gemmOperand
}

func (g *gemmCall) String() string {
	return fmt.Sprintf("Sgemm(transA=%v transB=%v m=%d n=%d k=%d alpha=%g lda=%d ldb=%d beta=%g ldc=%d)",
		g.transA, g.transB, g.m, g.n, g.k, g.alpha, g.a.ld, g.b.ld, g.beta, g.c.ld)
}

func (g *gemmCall) run() {
	Sgemm(g.transA, g.transB, g.m, g.n, g.k, g.alpha, g.a.s, g.a.ld, g.b.s, g.b.ld, g.beta, g.c.s, g.c.ld)
}

// check compares C's window with the reference, and the rest of every
// operand and its canaries with their old contents, and returns the first
// mismatch.
func (g *gemmCall) check(ref *harness.GemmRef) error {
	return g.checkWith(func(i, j int) (float64, float64) {
		return ref.Want(i, j, g.alpha, g.beta, g.c.at(i, j))
	})
}

// checkWith is check with the reference result and gauge of element (i, j)
// given by want.
func (g *gemmCall) checkWith(want func(i, j int) (float64, float64)) error {
	for i := range g.m {
		for j := range g.n {
			got := g.c.s[i*g.c.ld+j]
			w, gauge := want(i, j)
			if !harness.GemmClose(got, w, gauge) {
				return fmt.Errorf("%v: C[%d,%d] = %g, want %g ± %g (C was %g)", g, i, j, got, w, gauge, g.c.at(i, j))
			}
		}
	}
	for _, e := range []error{g.a.unchanged("A", false), g.b.unchanged("B", false), g.c.unchanged("C", true)} {
		if e != nil {
			return fmt.Errorf("%v: %v", g, e)
		}
	}
	return nil
}

// reference returns harness.Sgemm of the call's arguments as they were
// before it, as a function for checkWith.
func (g *gemmCall) reference() func(i, j int) (float64, float64) {
	want, gauge := harness.Sgemm(g.transA, g.transB, g.m, g.n, g.k, g.alpha, g.a.saved, g.a.ld, g.b.saved, g.b.ld, g.beta, g.c.saved, g.c.ld)
	return func(i, j int) (float64, float64) { return want[i*g.n+j], gauge[i*g.n+j] }
}

// gemmShapes returns the stored shapes of A (m×k, or k×m when transA) and
// B (k×n, or n×k when transB).
func gemmShapes(transA, transB bool, m, n, k int) (ar, ac, br, bc int) {
	ar, ac, br, bc = m, k, k, n
	if transA {
		ar, ac = k, m
	}
	if transB {
		br, bc = n, k
	}
	return
}

// gemmKeepShort reports whether the -short grid keeps (m, n, k): every
// triple of the small dimensions (up to 17, around the register blocks),
// every thin one (two dimensions at most 3), and a fixed-seed sixteenth of
// the rest.
func gemmKeepShort(rng *rand.Rand, m, n, k int) bool {
	small := 0
	tiny := 0
	for _, d := range []int{m, n, k} {
		if d <= 17 {
			small++
		}
		if d <= 3 {
			tiny++
		}
	}
	return rng.IntN(16) == 0 || small == 3 || tiny >= 2
}

// TestSgemmGrid runs the grid. Every (m, n, k) triple is called with all
// four transpose pairs and, for each, perCase (8, or 4 under -short) of the
// gemmCombos (alpha, beta, leading dimension) combinations, rotating so
// that over the grid each transpose pair meets every combination. -short keeps a subset of the
// triples (gemmKeepShort). Where beta = 0, C's window holds NaN, which
// must not survive; where alpha = 0, A's and B's windows hold NaN, which
// must not be read.
func TestSgemmGrid(t *testing.T) {
	perCase := 8
	if testing.Short() {
		perCase = 4
	}
	forEachGemmImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		keep := rand.New(rand.NewPCG(3, 4))
		calls, failures := 0, 0
		triple := 0
		var opA, opB, opC gemmOperand
		for _, m := range harness.GemmDims {
			for _, n := range harness.GemmDims {
				for _, k := range harness.GemmDims {
					if testing.Short() && !gemmKeepShort(keep, m, n, k) {
						continue
					}
					for tr := range 4 {
						transA, transB := tr&1 != 0, tr&2 != 0
						ar, ac, br, bc := gemmShapes(transA, transB, m, n, k)
						a := harness.GemmDense(rng, ar, ac)
						b := harness.GemmDense(rng, br, bc)
						c := harness.GemmDense(rng, m, n)
						ref := harness.NewGemmRef(transA, transB, m, n, k, a, ac, b, bc)
						for s := range perCase {
							i := (triple*perCase + s + tr*gemmCombos/4) % gemmCombos
							if s == 0 {
								// Every case once with beta = 0
								// over a C of NaN, and alpha ≠ 0:
								// every edge tile of every path
								// must assign, not accumulate.
								i -= i / 4 % 4 * 4
								if gemmAlphas[i%4] == 0 {
									i += 3
								}
							}
							alpha, beta, ldi := gemmCombo(i)
							srcA, srcB, srcC := a, b, c
							if alpha == 0 {
								srcA, srcB = nil, nil
							}
							if beta == 0 {
								srcC = nil
							}
							g := &gemmCall{
								transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta,
								a: opA.reset(srcA, ar, ac, harness.GemmLDs(ac)[ldi], calls%harness.Offsets),
								b: opB.reset(srcB, br, bc, harness.GemmLDs(bc)[(ldi+calls)%3], (calls+3)%harness.Offsets),
								c: opC.reset(srcC, m, n, harness.GemmLDs(n)[(ldi+calls/3)%3], (calls+5)%harness.Offsets),
							}
							g.run()
							calls++
							if err := g.check(ref); err != nil {
								t.Error(err)
								if failures++; failures == 10 {
									t.Fatal("too many failures")
								}
							}
						}
					}
					triple++
				}
			}
		}
		t.Logf("%d calls over %d (m, n, k) triples", calls, triple)
	})
}

// gemmShape is one product of the tests beyond the grid.
type gemmShape struct {
	m, n, k        int
	transA, transB bool
}

// TestSgemmBlocks checks sizes past the grid's, which cross the cache
// blocks any implementation is likely to use in every dimension: fixed
// shapes chosen for that, then random ones (seeded, so a failure
// reproduces).
func TestSgemmBlocks(t *testing.T) {
	// One shape per transpose pair, then a narrow one (the SIMD levels'
	// row kernels) with several k blocks, then one taller than the
	// largest mc the block rule gives (1020).
	shapes := []gemmShape{
		{520, 37, 600, false, false}, {33, 2100, 300, true, false},
		{300, 300, 1030, false, true}, {257, 260, 513, true, true},
		{301, 10, 1100, false, false}, {1030, 70, 280, true, false},
	}
	random := 6
	if testing.Short() {
		shapes = []gemmShape{shapes[0], shapes[1], shapes[4]}
		random = 2
	}
	// Random shapes of up to 40 MFLOP, each dimension from 1 to 1300 on
	// a log scale, so that thin and wide products are as likely as square.
	pick := rand.New(rand.NewPCG(11, 12))
	dim := func() int { return int(math.Exp(pick.Float64() * math.Log(1300))) }
	for fixed := len(shapes); len(shapes) < fixed+random; {
		sh := gemmShape{dim(), dim(), dim(), pick.IntN(2) == 1, pick.IntN(2) == 1}
		// In float64: 1300³ overflows a 32-bit int.
		if f := float64(sh.m) * float64(sh.n) * float64(sh.k); f >= 1e6 && f <= 20e6 {
			shapes = append(shapes, sh)
		}
	}
	t.Logf("shapes (m, n, k, transA, transB): %v", shapes)
	forEachGemmImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(5, 6))
		for _, sh := range shapes {
			m, n, k, transA, transB := sh.m, sh.n, sh.k, sh.transA, sh.transB
			ar, ac, br, bc := gemmShapes(transA, transB, m, n, k)
			a := harness.GemmDense(rng, ar, ac)
			b := harness.GemmDense(rng, br, bc)
			c := harness.GemmDense(rng, m, n)
			ref := harness.NewGemmRef(transA, transB, m, n, k, a, ac, b, bc)
			for _, ab := range [][2]float32{{1, 0}, {0.7, 1.3}} {
				g := &gemmCall{
					transA: transA, transB: transB, m: m, n: n, k: k, alpha: ab[0], beta: ab[1],
					a: newGemmOperand(a, ar, ac, ac+1, 1),
					b: newGemmOperand(b, br, bc, bc+3, 2),
					c: newGemmOperand(c, m, n, n+5, 3),
				}
				g.run()
				if err := g.check(ref); err != nil {
					t.Error(err)
				}
			}
		}
	})
}

// gemmExactDims are the sizes of the NaN tests, which check exact results.
var gemmExactDims = []int{1, 2, 7, 16, 17, 33}

// TestSgemmBetaZeroNaN checks that beta = 0 assigns: a C whose window is
// all NaN comes out as alpha·op(A)·op(B) everywhere, for alpha ≠ 0 and for
// alpha = 0 (all zeros).
func TestSgemmBetaZeroNaN(t *testing.T) {
	forEachGemmImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(7, 8))
		for _, m := range gemmExactDims {
			for _, n := range gemmExactDims {
				for _, k := range []int{1, 9, 33} {
					for tr := range 4 {
						transA, transB := tr&1 != 0, tr&2 != 0
						ar, ac, br, bc := gemmShapes(transA, transB, m, n, k)
						a := harness.GemmDense(rng, ar, ac)
						b := harness.GemmDense(rng, br, bc)
						ref := harness.NewGemmRef(transA, transB, m, n, k, a, ac, b, bc)
						for _, alpha := range []float32{0.7, 0} {
							g := &gemmCall{
								transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: 0,
								a: newGemmOperand(a, ar, ac, ac, 0),
								b: newGemmOperand(b, br, bc, bc, 0),
								c: newGemmOperand(nil, m, n, n+1, 1),
							}
							g.run()
							if err := g.check(ref); err != nil {
								t.Fatal(err)
							}
						}
					}
				}
			}
		}
	})
}

// TestSgemmAlphaZeroNaN checks that alpha = 0, and k = 0, read neither A
// nor B, which are all NaN, and give exactly beta·C: each element beta·c
// rounded once (c itself when beta = 1, +0 when beta = 0).
func TestSgemmAlphaZeroNaN(t *testing.T) {
	forEachGemmImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(9, 10))
		for _, m := range gemmExactDims {
			for _, n := range gemmExactDims {
				for _, k := range []int{0, 5} {
					for tr := range 4 {
						transA, transB := tr&1 != 0, tr&2 != 0
						ar, ac, br, bc := gemmShapes(transA, transB, m, n, k)
						c := harness.GemmDense(rng, m, n)
						for _, beta := range gemmBetas {
							for _, alpha := range []float32{0, 1, -0.7} {
								if k != 0 && alpha != 0 {
									continue
								}
								g := &gemmCall{
									transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta,
									a: newGemmOperand(nil, ar, ac, ac+1, 2),
									b: newGemmOperand(nil, br, bc, bc+1, 3),
									c: newGemmOperand(c, m, n, n+7, 5),
								}
								// A and B are NaN wherever they have
								// elements, padding included; with
								// k = 0 they are empty, and the
								// canaries around them are NaNs too.
								for _, o := range []*gemmOperand{g.a, g.b} {
									for i := range o.s {
										o.s[i] = float32(math.NaN())
									}
									copy(o.saved, o.s)
								}
								g.run()
								for i := range m {
									for j := range n {
										got, cv := g.c.s[i*g.c.ld+j], g.c.at(i, j)
										want := beta * cv
										if beta == 0 {
											want = 0
										}
										if math.Float32bits(got) != math.Float32bits(want) {
											t.Fatalf("%v: C[%d,%d] = %g (%#x), want exactly %g (%#x) = beta·%g",
												g, i, j, got, math.Float32bits(got), want, math.Float32bits(want), cv)
										}
									}
								}
								for _, e := range []error{g.a.unchanged("A", false), g.b.unchanged("B", false), g.c.unchanged("C", true)} {
									if e != nil {
										t.Fatalf("%v: %v", g, e)
									}
								}
							}
						}
					}
				}
			}
		}
	})
}

// TestSgemmInfNaN checks that Inf and NaN in A and B propagate as the
// arithmetic says (the elements of C they reach become what the float64
// reference gives, ±Inf or NaN, and the others are unaffected), and that
// they do not leak into a later call through buffers an implementation
// reuses: each case is followed by one whose A is all Inf and B all NaN
// (C all NaN), then by a finite one with an odd k and a narrower n, whose
// padding of packed panels is where stale values would hide.
func TestSgemmInfNaN(t *testing.T) {
	shapes := [][3]int{{7, 13, 9}, {16, 25, 34}, {3, 12, 2}, {33, 5, 17}, {40, 40, 300}}
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	forEachGemmImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(15, 16))
		for _, sh := range shapes {
			for tr := range 4 {
				transA, transB := tr&1 != 0, tr&2 != 0
				var calls []*gemmCall
				var refs []*harness.GemmRef
				add := func(m, n, k int, special func(a, b []float32)) {
					ar, ac, br, bc := gemmShapes(transA, transB, m, n, k)
					a := harness.GemmDense(rng, ar, ac)
					b := harness.GemmDense(rng, br, bc)
					special(a, b)
					refs = append(refs, harness.NewGemmRef(transA, transB, m, n, k, a, ac, b, bc))
					calls = append(calls, &gemmCall{
						transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1, beta: 0.5,
						a: newGemmOperand(a, ar, ac, ac+1, 1),
						b: newGemmOperand(b, br, bc, bc+2, 2),
						c: newGemmOperand(harness.GemmDense(rng, m, n), m, n, n, 3),
					})
				}
				m, n, k := sh[0], sh[1], sh[2]
				add(m, n, k, func(a, b []float32) {
					a[rng.IntN(len(a))] = inf
					a[rng.IntN(len(a))] = -inf
					b[rng.IntN(len(b))] = nan
					b[rng.IntN(len(b))] = -inf
				})
				add(m, n, k, func(a, b []float32) {
					for i := range a {
						a[i] = inf
					}
					for i := range b {
						b[i] = nan
					}
				})
				add(m, max(1, n-3), k-1+k%2, func(a, b []float32) {})
				for i, g := range calls {
					g.run()
					if err := g.check(refs[i]); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	})
}

// TestSgemmGuard places A, B and C in turn in a slice that ends at a
// guard page, then in one that starts at one, so that a read or write past
// either end faults, over shapes around the register blocks, all
// transposes and the tight and loose leading dimensions, and a product
// large enough to be split over goroutines (where a fault is not turned
// into a panic, but kills the test binary).
func TestSgemmGuard(t *testing.T) {
	if !harness.GuardSupported {
		t.Skip("no guard pages on this system")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(runtime.GOMAXPROCS(0), 3)))
	// {9, 10, 128} and {5, 7, 96} take the SIMD levels' dot kernels (n ≤ 10,
	// k ≥ 64); {150, 70, 400} (8.4 MFLOP) is split.
	shapes := [][3]int{{1, 1, 1}, {5, 13, 7}, {17, 12, 33}, {33, 25, 3}, {64, 65, 257}, {9, 10, 128}, {5, 7, 96}, {150, 70, 400}}
	if threadsFor(150, 70, 400, 6, 16) < 2 {
		t.Fatal("150×70×400 is no longer split: choose a larger shape")
	}
	forEachGemmImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(11, 12))
		for _, sh := range shapes {
			m, n, k := sh[0], sh[1], sh[2]
			for tr := range 4 {
				transA, transB := tr&1 != 0, tr&2 != 0
				ar, ac, br, bc := gemmShapes(transA, transB, m, n, k)
				a := harness.GemmDense(rng, ar, ac)
				b := harness.GemmDense(rng, br, bc)
				c := harness.GemmDense(rng, m, n)
				// ldi 3: B's rows 1024 apart, which readsB leaves to
				// packing (op(B) = B only; not for the split shape,
				// whose B would take 1.6 MB to copy each time).
				for _, ldi := range []int{0, 2, 3} {
					if ldi == 3 && (transB || bc > 1024 || k > 300) {
						continue
					}
					ldb := 1024
					if ldi < 3 {
						ldb = harness.GemmLDs(bc)[ldi]
					}
					ldAC := min(ldi, 2) // A and C take the loosest with ldi 3
					call := func() *gemmCall {
						return &gemmCall{
							transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.7, beta: 1.3,
							a: newGemmOperand(a, ar, ac, harness.GemmLDs(ac)[ldAC], 0),
							b: newGemmOperand(b, br, bc, ldb, 0),
							c: newGemmOperand(c, m, n, harness.GemmLDs(n)[ldAC], 0),
						}
					}
					want := call().reference()
					for which := range 3 {
						for _, after := range []bool{true, false} {
							g := call()
							o := []*gemmOperand{g.a, g.b, g.c}[which]
							guard := harness.GuardBefore
							if after {
								guard = harness.GuardAfter
							}
							// The guarded slice is the matrix alone: no
							// offset, no canaries.
							s := guard(t, len(o.s))
							copy(s, o.s)
							o.s, o.p = s, harness.Placed{}
							o.saved = append([]float32(nil), s...)
							what := fmt.Sprintf("%v with %s guarded (after=%v)", g, "ABC"[which:which+1], after)
							harness.NoFault(t, what, g.run)
							if err := g.checkWith(want); err != nil {
								t.Fatalf("%s: %v", what, err)
							}
						}
					}
				}
			}
		}
	})
}

// skipAllocCounts skips the test if the binary was built with -race,
// under which sync.Pool drops items at random, or with -asan, under which
// the runtime allocates where it otherwise does not (measured: 26
// allocations per run of TestChecksAllocateNothing's calls): allocation
// counts then mean nothing.
func skipAllocCounts(t *testing.T) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return
	}
	for _, s := range bi.Settings {
		if (s.Key == "-race" || s.Key == "-asan") && s.Value == "true" {
			t.Skipf("allocation counts mean nothing in a %s build", s.Key)
		}
	}
}

// TestSgemmAllocs checks that a mid-size call allocates nothing once warm:
// packing buffers are reused, not allocated per call. A, B and C are
// 100×100 with leading dimension 100, large enough for every shape here.
func TestSgemmAllocs(t *testing.T) {
	skipAllocCounts(t)
	const m, n, k = 100, 100, 100
	rng := rand.New(rand.NewPCG(13, 14))
	a := harness.GemmMatrix(rng, m, k, k)
	b := harness.GemmMatrix(rng, n, k, k)
	c := harness.GemmMatrix(rng, m, n, n)
	forEachGemmImpl(t, func(t *testing.T) {
		for tr := range 4 {
			transA, transB := tr&1 != 0, tr&2 != 0
			call := func() { Sgemm(transA, transB, m, n, k, 0.5, a, k, b, k, 0.5, c, n) }
			call() // warm up
			if allocs := testing.AllocsPerRun(20, call); allocs != 0 {
				t.Errorf("Sgemm(transA=%v transB=%v, %d×%d×%d) allocates %v times per call", transA, transB, m, n, k, allocs)
			}
		}
		// SgemmBiasAct on the SIMD levels' other paths too (all below
		// the split threshold): the row kernels, the dot kernels (10
		// columns), the transposed algorithm (nn's X·Wᵀ) and the
		// packed one, with an epilogue in registers and one after.
		for _, sh := range []gemmShape{{20, 40, 50, false, false}, {64, 10, 100, false, false}, {64, 100, 100, false, true}, {100, 100, 100, true, false}} {
			bias := make([]float32, sh.n)
			for _, act := range []Activation{ActReLU, ActTanh} {
				call := func() {
					SgemmBiasAct(sh.transA, sh.transB, sh.m, sh.n, sh.k, 1, a, k, b, k, 0, c, n, bias, act)
				}
				call()
				if allocs := testing.AllocsPerRun(20, call); allocs != 0 {
					t.Errorf("SgemmBiasAct(%+v, act=%v) allocates %v times per call", sh, act, allocs)
				}
			}
		}
	})
}
