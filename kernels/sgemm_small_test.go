package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/simdnn/simdnn/internal/harness"
)

// The small-m path (sgemm_small.go) is tested here over every m it takes
// and the edges of its tiles, on every implementation (the SIMD levels
// take it for m ≤ 16; the Go kernels below run its driver on every
// GOARCH), against the float64 reference, inside guard pages, for
// invariance under the split into row tiles and column stripes, and for
// allocations.

// goSmallKernels returns plain-Go kernels with the contracts of the
// small-m kernels, masked (the AVX-512 contracts: only the columns cols
// or lanes select are read and written) or not (AVX2's: whole tiles),
// for a vector of 2 lanes: N kernels of up to 3 rows 6, 4 and 2 columns
// wide, T kernels of 1 row × 6 rows of Bᵀ (wide) and of 1 and 2 rows × 3.
// Their tiles are small and odd so that the grid's sizes give every edge
// of the driver: row tiles of 1 to 3 rows, the last partial vector or
// group, products narrower than one.
func goSmallKernels(masked bool) smallKernels {
	k := smallKernels{masked: masked, lanes: 2, tNR: 3, minKT: dotMinK}
	for mr := 1; mr <= 3; mr++ {
		var ks []smallNKernel
		for _, nr := range []int{2, 4, 6}[:4-(mr+1)/2] {
			ks = append(ks, smallNKernel{nr, goSmallN(mr, nr, masked)})
		}
		k.n = append(k.n, ks)
	}
	k.tWide = []smallTKernel{{6, goSmallT(1, 6, masked)}}
	k.t = []smallTKernel{{3, goSmallT(1, 3, masked)}, {3, goSmallT(2, 3, masked)}}
	return k
}

func goSmallN(mr, nr int, masked bool) func(a []float32, lda int, b []float32, ldb int, c []float32, k, ldc, cols int, alpha float32, flags uint, bias []float32, slope float32) {
	return func(a []float32, lda int, b []float32, ldb int, c []float32, k, ldc, cols int, alpha float32, flags uint, bias []float32, slope float32) {
		if !masked {
			cols = nr
		} else if cols <= nr-2 || cols > nr {
			panic(fmt.Sprintf("goSmallN %d×%d: cols = %d", mr, nr, cols))
		}
		for i := range mr {
			for j := range cols {
				var s float32
				for p := range k {
					s += a[i*lda+p] * b[p*ldb+j]
				}
				goEpilogue(s, alpha, c, i*ldc+j, flags, bias, j, slope)
			}
		}
	}
}

func goSmallT(mr, nr int, masked bool) func(a []float32, lda int, bt []float32, ldbt int, c []float32, k, ldc int, lanes uint, alpha float32, flags uint, bias []float32, slope float32) {
	return func(a []float32, lda int, bt []float32, ldbt int, c []float32, k, ldc int, lanes uint, alpha float32, flags uint, bias []float32, slope float32) {
		if !masked {
			lanes = 1<<nr - 1
		} else if lanes == 0 || lanes >= 1<<nr {
			panic(fmt.Sprintf("goSmallT %d×%d: lanes = %#x", mr, nr, lanes))
		}
		for i := range mr {
			for j := range nr {
				if lanes&(1<<j) == 0 {
					continue
				}
				var s float32
				for p := range k {
					s += a[i*lda+p] * bt[j*ldbt+p]
				}
				goEpilogue(s, alpha, c, i*ldc+j, flags, bias, j, slope)
			}
		}
	}
}

// smallTestImpls are gemmTestImpls, the small-m driver around the
// masked Go kernels (gemmTestImpls' "paths-go" has the unmasked ones),
// and each level's small-m kernels given every product of at most
// smallMaxM rows (smallOnly), so that the edges pick leaves to other
// paths, which a stripe of a split product can still reach, are tested
// on the assembly too.
func smallTestImpls() []*impl {
	masked := generic
	masked.name = "small-go-masked"
	masked.sgemm = parallelSgemm(newGemmPaths(goMicroKernel(3, 5), goRowKernel(3, 5), packers{}).
		withSmall(goSmallKernels(true)).pick)
	impls := append(gemmTestImpls(), &masked)
	for _, l := range smallLevels() {
		only := generic
		only.name = l.name + "-small-only"
		only.sgemm = smallOnly(l.k)
		impls = append(impls, &only)
	}
	return impls
}

// smallLevel is one level's small-m kernels, for smallOnly.
type smallLevel struct {
	name string
	k    smallKernels
}

// smallOnly is an impl's sgemm that runs the small-m path around k for
// every product of at most smallMaxM rows with op(A) = A, and the
// generic one for the others.
func smallOnly(k smallKernels) gemmFunc {
	small := newSmallGemm(k).sgemm
	return parallelSgemm(func(transA, _ bool, m, _, _ int) (gemmFunc, int, int) {
		if !transA && m <= smallMaxM {
			return small, smallMaxM, smallSplitNR
		}
		return genericSgemm, 1, 12
	})
}

// smallNs and smallKs are the n and k of the small-m tests: around the
// vector widths (8, 16), the N kernels' widths (up to 256), the T
// kernels' groups of rows of W (3 and 6 for the Go kernels, 4, 8 and 16)
// and loops of two vectors of k (32), and the MNIST layer (784 × 256).
var (
	smallNs = []int{1, 2, 3, 4, 5, 7, 8, 9, 10, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 255, 256, 257}
	smallKs = []int{1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 48, 49, 63, 64, 65, 129, 784}
)

// TestSgemmSmallGrid runs every m from 1 to 17 (17 being the first the
// small-m path leaves to the others) against smallNs and smallKs, with
// op(B) = B and Bᵀ, alpha, beta and the leading dimensions rotating as in
// TestSgemmGrid (beta = 0 over a C of NaN, alpha = 0 over NaN operands),
// and, for every other case, through SgemmBiasAct with one of gemmActs and
// a bias: within the gauge of the float64 reference, and, for
// SgemmBiasAct, bit-identical to Sgemm followed by BiasAdd and the
// activation. -short keeps a fixed-seed quarter of the (n, k) pairs, and
// all of the MNIST layer's.
func TestSgemmSmallGrid(t *testing.T) {
	forEachImplIn(t, smallTestImpls(), func(t *testing.T) {
		rng := rand.New(rand.NewPCG(41, 42))
		keep := rand.New(rand.NewPCG(43, 44))
		var opA, opB, opC gemmOperand
		calls := 0
		for _, n := range smallNs {
			for _, k := range smallKs {
				if testing.Short() && keep.IntN(4) != 0 && (k != 784 || n != 256) {
					continue
				}
				for m := 1; m <= 17; m++ {
					for _, transB := range []bool{false, true} {
						ar, ac, br, bc := gemmShapes(false, transB, m, n, k)
						a := harness.GemmDense(rng, ar, ac)
						b := harness.GemmDense(rng, br, bc)
						c := harness.GemmDense(rng, m, n)
						bias := harness.GemmDense(rng, 1, n)
						i := calls % gemmCombos
						if calls%3 == 0 {
							i -= i / 4 % 4 * 4 // beta = 0 over NaN
							if gemmAlphas[i%4] == 0 {
								i++
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
							transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta,
							a: opA.reset(srcA, ar, ac, harness.GemmLDs(ac)[ldi], calls%harness.Offsets),
							b: opB.reset(srcB, br, bc, harness.GemmLDs(bc)[(ldi+calls)%3], (calls+3)%harness.Offsets),
							c: opC.reset(srcC, m, n, harness.GemmLDs(n)[(ldi+calls/3)%3], (calls+5)%harness.Offsets),
						}
						calls++
						ref := g.reference()
						if calls%2 == 0 {
							g.run()
							if err := g.checkWith(ref); err != nil {
								t.Fatal(err)
							}
							continue
						}
						checkBiasAct(t, g, ref, bias, true, gemmActs[calls/2%len(gemmActs)])
					}
				}
			}
		}
		t.Logf("%d calls", calls)
	})
}

// TestSgemmSmallGuard places A, B, C and the bias in turn flush against a
// guard page, after them and before them, with tight leading dimensions,
// over small-m shapes whose every edge reads or writes the last or first
// element of an operand: the last partial vector of columns or group of
// W's rows, the masked last chunk of k (AVX-512) and the scalar one
// (AVX2), products narrower than a vector.
func TestSgemmSmallGuard(t *testing.T) {
	if !harness.GuardSupported {
		t.Skip("no guard pages on this system")
	}
	shapes := [][3]int{{1, 1, 1}, {1, 3, 17}, {2, 10, 128}, {3, 17, 9}, {4, 100, 31}, {5, 33, 49}, {8, 7, 65}, {9, 257, 15}, {16, 65, 33}, {1, 256, 784}}
	forEachImplIn(t, smallTestImpls(), func(t *testing.T) {
		rng := rand.New(rand.NewPCG(45, 46))
		for _, sh := range shapes {
			m, n, k := sh[0], sh[1], sh[2]
			for _, transB := range []bool{false, true} {
				ar, ac, br, bc := gemmShapes(false, transB, m, n, k)
				a := harness.GemmDense(rng, ar, ac)
				b := harness.GemmDense(rng, br, bc)
				c := harness.GemmDense(rng, m, n)
				bias := harness.GemmDense(rng, 1, n)
				for _, beta := range []float32{0, 1.3} {
					call := func() *gemmCall {
						return &gemmCall{
							transB: transB, m: m, n: n, k: k, alpha: 0.7, beta: beta,
							a: newGemmOperand(a, ar, ac, ac, 0),
							b: newGemmOperand(b, br, bc, bc, 0),
							c: newGemmOperand(c, m, n, n, 0),
						}
					}
					g0 := call()
					want := make([]float32, len(g0.c.s))
					copy(want, g0.c.s)
					unfused(false, transB, m, n, k, 0.7, g0.a.s, ac, g0.b.s, bc, beta, want, n, bias, ActLeakyReLU(0.1))
					for which := range 4 {
						for _, after := range []bool{true, false} {
							guard := harness.GuardBefore
							if after {
								guard = harness.GuardAfter
							}
							g := call()
							bs := bias
							if which < 3 {
								o := []*gemmOperand{g.a, g.b, g.c}[which]
								s := guard(t, len(o.s))
								copy(s, o.s)
								o.s = s
							} else {
								bs = guard(t, n)
								copy(bs, bias)
							}
							what := fmt.Sprintf("%v with %s guarded (after=%v)", g, []string{"A", "B", "C", "bias"}[which], after)
							harness.NoFault(t, what, func() {
								SgemmBiasAct(false, transB, m, n, k, 0.7, g.a.s, ac, g.b.s, bc, beta, g.c.s, n, bs, ActLeakyReLU(0.1))
							})
							for x := range want {
								if math.Float32bits(g.c.s[x]) != math.Float32bits(want[x]) {
									t.Fatalf("%s: c[%d] = %g, want %g", what, x, g.c.s[x], want[x])
								}
							}
						}
					}
				}
			}
		}
	})
}

// TestSgemmSmallSplit checks that the small-m path computes every element
// by the same operations whatever tile it falls in: a product of 13 rows
// must give, bit for bit, what each of its rows gives alone (another row
// tile shape), and what stripes of its columns give (other column tiles
// and edges); and a product large enough to be split over goroutines
// (3×3000×1500) the same on 1, 2 and 7 of them.
func TestSgemmSmallSplit(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	defer SetThreads(SetThreads(0))
	forEachImplIn(t, smallTestImpls(), func(t *testing.T) {
		rng := rand.New(rand.NewPCG(47, 48))
		for _, transB := range []bool{false, true} {
			for _, act := range []Activation{ActIdentity, ActReLU} {
				const m, n, k = 13, 301, 203
				ar, ac, br, bc := gemmShapes(false, transB, m, n, k)
				a := harness.GemmDense(rng, ar, ac)
				b := harness.GemmDense(rng, br, bc)
				c0 := harness.GemmDense(rng, m, n)
				bias := harness.GemmDense(rng, 1, n)
				run := func(i0, rows, j0, cols int, c []float32) {
					bj := b[j0:]
					if transB {
						bj = b[j0*bc:]
					}
					SgemmBiasAct(false, transB, rows, cols, k, 0.7, a[i0*ac:], ac, bj, bc, 1.3, c[i0*n+j0:], n, bias[j0:j0+cols], act)
				}
				whole := append([]float32(nil), c0...)
				run(0, m, 0, n, whole)
				rows := append([]float32(nil), c0...)
				for i := range m {
					run(i, 1, 0, n, rows)
				}
				stripes := append([]float32(nil), c0...)
				// Stripes the small-m path takes (smallTakes: at
				// least m and 16 columns).
				for _, s := range [][2]int{{0, 16}, {16, 64}, {80, 121}, {201, 100}} {
					run(0, m, s[0], s[1], stripes)
				}
				for x := range whole {
					if math.Float32bits(rows[x]) != math.Float32bits(whole[x]) || math.Float32bits(stripes[x]) != math.Float32bits(whole[x]) {
						t.Fatalf("transB=%v act=%v: C[%d,%d] = %g for the whole product, %g row by row, %g by stripes of columns",
							transB, act, x/n, x%n, whole[x], rows[x], stripes[x])
					}
				}
			}
			const m, n, k = 3, 3000, 1500
			if threadsFor(m, n, k, smallMaxM, smallSplitNR) < 2 {
				t.Fatalf("%d×%d×%d is not split: choose a larger shape", m, n, k)
			}
			ar, ac, br, bc := gemmShapes(false, transB, m, n, k)
			a := harness.GemmDense(rng, ar, ac)
			b := harness.GemmDense(rng, br, bc)
			c0 := harness.GemmDense(rng, m, n)
			var want []float32
			for _, procs := range []int{1, 2, 7} {
				runtime.GOMAXPROCS(procs)
				cp := harness.Place(c0, procs)
				Sgemm(false, transB, m, n, k, 0.7, a, ac, b, bc, 1.3, cp.S, n)
				if at, bad := cp.BadCanary(); bad {
					t.Fatalf("GOMAXPROCS=%d: wrote outside C, at index %d", procs, at)
				}
				if want == nil {
					want = cp.S
					continue
				}
				for x, v := range cp.S {
					if math.Float32bits(v) != math.Float32bits(want[x]) {
						t.Fatalf("%d×%d×%d transB=%v, GOMAXPROCS=%d: C[%d,%d] = %g, on one goroutine %g", m, n, k, transB, procs, x/n, x%n, v, want[x])
					}
				}
			}
		}
	})
}

// TestSgemmSmallAllocs checks that the small-m path allocates nothing once
// warm, on its in-place tiles, its staged edges and its padded narrow
// products, with an epilogue in registers and one after.
func TestSgemmSmallAllocs(t *testing.T) {
	skipAllocCounts(t)
	rng := rand.New(rand.NewPCG(49, 50))
	a := harness.GemmMatrix(rng, 16, 784, 784)
	b := harness.GemmMatrix(rng, 784, 257, 257)
	c := harness.GemmMatrix(rng, 16, 257, 257)
	bias := harness.GemmDense(rng, 1, 257)
	forEachImplIn(t, smallTestImpls(), func(t *testing.T) {
		for _, sh := range []gemmShape{{1, 256, 784, false, false}, {1, 256, 784, false, true}, {4, 10, 128, false, false}, {4, 3, 128, false, true},
			{16, 257, 100, false, false}, {16, 257, 100, false, true}, {7, 5, 33, false, false}} {
			ldb := 257
			if sh.transB {
				ldb = 784
			}
			for _, act := range []Activation{ActIdentity, ActReLU, ActTanh} {
				call := func() {
					SgemmBiasAct(false, sh.transB, sh.m, sh.n, sh.k, 0.5, a, 784, b, ldb, 0.5, c, 257, bias[:sh.n], act)
				}
				call()
				if allocs := testing.AllocsPerRun(20, call); allocs != 0 {
					t.Errorf("SgemmBiasAct(%+v, act=%v) allocates %v times per call", sh, act, allocs)
				}
			}
		}
	})
}
