//go:build !purego

package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/klauspost/cpuid/v2"

	"github.com/simdnn/simdnn/internal/harness"
)

// The GEMM micro-kernels are tested here on their own contract (one
// MR×NR tile from packed panels), against a float64 reference and against
// the exact sequence of FMAs their doc comments promise; package kernels
// tests them again through Sgemm.

// gemmLevel is one generated micro-kernel with its tile shape (which the
// driver in package kernels hard-codes too), its peak instrument, and
// whether this CPU runs them.
type gemmLevel struct {
	name      string
	ok        bool
	mr, nr    int
	kernel    func(a, b, c []float32, kc, ldb, ldc int, flags uint, bias []float32, slope float32)
	peak      func(n int)
	peakFlops float64 // per iteration of peak
	cols      int     // columns written, for a masked row kernel; 0 means NR
	panel     int     // rows of a's packed panel, for a kernel of fewer; 0 means MR
}

var gemmLevels = []gemmLevel{
	{"avx2", cpuid.CPU.Supports(AVX2...), 6, 16, SgemmKernelAVX2, FMAPeakAVX2, 2 * 12 * 8, 0, 0},
	{"avx512", cpuid.CPU.Supports(AVX512...), 6, 64, SgemmKernelAVX512, FMAPeakAVX512, 2 * 24 * 16, 0, 0},
	{"avx2-4of6", cpuid.CPU.Supports(AVX2...), 4, 16, SgemmKernel4of6AVX2, FMAPeakAVX2, 2 * 12 * 8, 0, 6},
	{"avx512-4of6", cpuid.CPU.Supports(AVX512...), 4, 64, SgemmKernel4of6AVX512, FMAPeakAVX512, 2 * 24 * 16, 0, 6},
}

// panelRows is the rows of the packed panel of a the kernel reads.
func (l gemmLevel) panelRows() int {
	if l.panel > 0 {
		return l.panel
	}
	return l.mr
}

// forEachGemm runs f for every level this CPU runs.
func forEachGemm(t *testing.T, f func(t *testing.T, l gemmLevel)) {
	for _, l := range gemmLevels {
		t.Run(l.name, func(t *testing.T) {
			if !l.ok {
				t.Skipf("CPU lacks %s", l.name)
			}
			f(t, l)
		})
	}
}

// gemmKCs are the k lengths tested: every remainder of the unrolled loop
// (by 4) with and without a pass through it, and the block sizes the
// driver uses, with their neighbours.
var gemmKCs = []int{1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 64, 255, 256, 257}

// gemmTail is the number of values after the last row of c that must stay
// untouched: two rows' worth, on top of the harness's own canaries, so that
// a kernel that stores a row too many is caught too.
func (l gemmLevel) gemmTail() int { return 2 * l.nr }

// width is the number of columns of the tile the kernel writes: NR, or
// cols for a masked row kernel called with cols.
func (l gemmLevel) width() int {
	if l.cols > 0 {
		return l.cols
	}
	return l.nr
}

// cLen is the minimal length of c for ldc.
func (l gemmLevel) cLen(ldc int) int { return (l.mr-1)*ldc + l.width() }

// inTile reports whether index x of c is in the window the kernel writes.
func (l gemmLevel) inTile(x, ldc int) bool { return x/ldc < l.mr && x%ldc < l.width() }

// gemmPanels are the packed panels of one test and the references
// computed from them, which every c and ldc of the test shares.
type gemmPanels struct {
	kc    int
	a, b  []float32 // MR·kc and NR·kc values from N(0, 1)
	sum   []float64 // MR×NR: Σ a·b in float64
	mag   []float64 // MR×NR: Σ |a|·|b|
	exact []float32 // MR×NR: the promised sequence of FMAs, bit for bit (nil: not computed)
}

func newGemmPanels(r *rand.Rand, l gemmLevel, kc int, exact bool) *gemmPanels {
	g := &gemmPanels{kc: kc, a: make([]float32, l.panelRows()*kc), b: make([]float32, l.nr*kc)}
	for i := range g.a {
		g.a[i] = float32(r.NormFloat64())
	}
	for i := range g.b {
		g.b[i] = float32(r.NormFloat64())
	}
	g.sum, g.mag = make([]float64, l.mr*l.nr), make([]float64, l.mr*l.nr)
	if exact {
		g.exact = make([]float32, l.mr*l.nr)
	}
	for i := range l.mr {
		for j := range l.nr {
			var sum, mag float64
			var acc float32
			for p := range kc {
				av, bv := g.a[p*l.panelRows()+i], g.b[p*l.nr+j]
				sum += float64(av) * float64(bv)
				mag += math.Abs(float64(av) * float64(bv))
				if exact {
					acc = fma(av, bv, acc)
				}
			}
			g.sum[i*l.nr+j], g.mag[i*l.nr+j] = sum, mag
			if exact {
				g.exact[i*l.nr+j] = acc
			}
		}
	}
	return g
}

// gemmCase is one call of the kernel and everything its result is checked
// against.
type gemmCase struct {
	*gemmPanels
	l     gemmLevel
	ldc   int
	flags uint
	slope float32
	bias  []float32 // NR values, a NaN among them
	c     []float32 // cLen(ldc) + gemmTail values: the window, padding and tail
}

// newGemmCase makes c for the panels: random values in the window when
// the epilogue adds C (one of them NaN) and NaN when not (the kernel must
// not read it then), and canaries in the padding between rows and in the
// tail; and a bias of random values and one NaN.
func newGemmCase(r *rand.Rand, l gemmLevel, p *gemmPanels, ldc int, flags uint, slope float32) *gemmCase {
	g := &gemmCase{gemmPanels: p, l: l, ldc: ldc, flags: flags, slope: slope}
	g.c = make([]float32, l.cLen(ldc)+l.gemmTail())
	for x := range g.c {
		switch {
		case !l.inTile(x, ldc) || x >= l.cLen(ldc):
			g.c[x] = harness.Canary()
		case flags&epAdd != 0 && x != ldc+3:
			g.c[x] = float32(r.NormFloat64())
		default:
			g.c[x] = float32(math.NaN())
		}
	}
	g.bias = make([]float32, l.nr)
	for j := range g.bias {
		g.bias[j] = float32(r.NormFloat64())
	}
	g.bias[l.nr-2] = float32(math.NaN())
	return g
}

func (g *gemmCase) String() string {
	return fmt.Sprintf("%s kc=%d ldc=%d flags=%#x slope=%g", g.l.name, g.kc, g.ldc, g.flags, g.slope)
}

// biasArg is the bias the kernel is called with: the case's, or nil
// when the epilogue does not add one (the kernel must not read it).
func (g *gemmCase) biasArg() []float32 {
	if g.flags&epBias == 0 {
		return nil
	}
	return g.bias
}

// act applies the case's activation to v.
func (g *gemmCase) act(v float32) float32 {
	switch {
	case g.flags&epReLU != 0 && v < 0:
		return 0
	case g.flags&epLeaky != 0 && v < 0:
		return v * g.slope
	}
	return v
}

// run calls the kernel with a, b and c as given (c exactly cLen(ldc)
// long), each filled from the case first.
func (g *gemmCase) run(t *testing.T, where string, a, b, c []float32) {
	t.Helper()
	copy(a, g.a)
	copy(b, g.b)
	copy(c, g.c)
	harness.NoFault(t, g.String()+" "+where, func() { g.l.kernel(a, b, c, g.kc, g.l.nr, g.ldc, g.flags, g.biasArg(), g.slope) })
}

// check compares a, b and c after a run with the case's values: a and b
// unchanged, the tile within the error bound and equal to the promised
// FMA sequence, everything else of c bit-identical. c is either the whole
// of the case's c, tail included, or its first cLen(ldc) values.
func (g *gemmCase) check(t *testing.T, where string, a, b, c []float32) {
	t.Helper()
	l := g.l
	const eps = 0x1p-24
	for x, v := range a {
		if got(v) != got(g.a[x]) {
			t.Fatalf("%s %s: a[%d] changed from %v to %v", g, where, x, g.a[x], v)
		}
	}
	for x, v := range b {
		if got(v) != got(g.b[x]) {
			t.Fatalf("%s %s: b[%d] changed from %v to %v", g, where, x, g.b[x], v)
		}
	}
	for x, v := range c {
		c0 := g.c[x]
		if !l.inTile(x, g.ldc) || x >= l.cLen(g.ldc) {
			if got(v) != got(c0) {
				t.Fatalf("%s %s: c[%d] (row %d col %d, outside the tile) changed from %#x to %#x",
					g, where, x, x/g.ldc, x%g.ldc, got(c0), got(v))
			}
			continue
		}
		i, j := x/g.ldc, x%g.ldc
		want, gauge := g.sum[i*l.nr+j], 2*float64(g.kc)*eps*g.mag[i*l.nr+j]
		if g.flags&epAdd != 0 {
			want += float64(c0)
			gauge += 2 * eps * math.Abs(float64(c0))
		}
		if g.flags&epBias != 0 {
			want += float64(g.bias[j])
			gauge += 2 * eps * math.Abs(want)
		}
		if w := float64(g.act(float32(want))); w != want {
			// The activation scaled or zeroed the value, and its
			// error with it, and rounded once more.
			gauge = gauge*math.Abs(w/want) + 2*eps*math.Abs(w)
			want = w
		}
		switch {
		case math.IsNaN(want):
			if !math.IsNaN(float64(v)) {
				t.Fatalf("%s %s: c[%d][%d] = %v, want NaN", g, where, i, j, v)
			}
		case !(math.Abs(float64(v)-want) <= gauge):
			t.Fatalf("%s %s: c[%d][%d] = %v, want %v ± %.3g", g, where, i, j, v, want, gauge)
		}
		if g.exact == nil {
			continue
		}
		// The sum of two float32 computed in float64 and rounded to
		// float32 is correctly rounded (53 ≥ 2·24 + 2).
		w := g.exact[i*l.nr+j]
		if g.flags&epAdd != 0 {
			w = float32(float64(w) + float64(c0))
		}
		if g.flags&epBias != 0 {
			w = float32(float64(w) + float64(g.bias[j]))
		}
		w = g.act(w)
		if got(v) != got(w) && !(w != w && v != v) {
			t.Fatalf("%s %s: c[%d][%d] = %v, want %v from kc FMAs in order, then the epilogue", g, where, i, j, v, w)
		}
	}
}

func TestSgemmKernel(t *testing.T) {
	forEachGemm(t, testKernel)
}

// TestSgemmKernelStridedB runs the kernel tests with b laid out as op(B)
// itself, rows ldb = NR + 5 or NR + 19 apart (the padding NaN, so that
// reading it would show), in a slice that ends at a guard page or starts
// at one, alternately; the rows must come back unchanged.
func TestSgemmKernelStridedB(t *testing.T) {
	forEachGemm(t, func(t *testing.T, l gemmLevel) {
		kernel, calls := l.kernel, 0
		l.kernel = func(a, b, c []float32, kc, _, ldc int, flags uint, bias []float32, slope float32) {
			ldb := l.nr + []int{5, 19}[calls%2]
			rb := nanGuarded(t, max(kc-1, 0)*ldb+l.nr, calls)
			calls++
			for p := range kc {
				copy(rb[p*ldb:p*ldb+l.nr], b[p*l.nr:])
			}
			in := append([]float32(nil), rb...)
			kernel(a, rb, c, kc, ldb, ldc, flags, bias, slope)
			for x := range rb {
				if got(rb[x]) != got(in[x]) {
					t.Fatalf("ldb=%d kc=%d: b[%d] changed from %v to %v", ldb, kc, x, in[x], rb[x])
				}
			}
		}
		testKernel(t, l)
	})
}

// rowLevels are the row kernels (SgemmRows*), which read A's rows where
// they lie instead of a packed panel.
var rowLevels = []struct {
	name   string
	ok     bool
	mr, nr int
	cols   []int // the column counts a masked kernel is tested with; nil: unmasked
	rows   rowsFunc
}{
	{"avx2", cpuid.CPU.Supports(AVX2...), 6, 16, nil,
		func(a []float32, lda int, b, c []float32, kc, ldc, _ int, flags uint, bias []float32, slope float32) {
			SgemmRows6x16AVX2(a, lda, b, c, kc, ldc, flags, bias, slope)
		}},
	{"avx512", cpuid.CPU.Supports(AVX512...), 16, 16, []int{16, 10, 1, 15}, SgemmRows16x16AVX512},
	{"avx512-6x64", cpuid.CPU.Supports(AVX512...), 6, 64, nil,
		func(a []float32, lda int, b, c []float32, kc, ldc, _ int, flags uint, bias []float32, slope float32) {
			SgemmRows6x64AVX512(a, lda, b, c, kc, ldc, flags, bias, slope)
		}},
	{"avx512-6x32", cpuid.CPU.Supports(AVX512...), 6, 32, nil,
		func(a []float32, lda int, b, c []float32, kc, ldc, _ int, flags uint, bias []float32, slope float32) {
			SgemmRows6x32AVX512(a, lda, b, c, kc, ldc, flags, bias, slope)
		}},
}

// TestSgemmRows runs the packed kernels' tests on the row kernels: each
// call lays the packed panel of A out as MR rows, with lda = kc or kc + 5
// (the padding NaN, so that reading it would show), in a slice that ends
// at a guard page or starts at one, alternately.
func TestSgemmRows(t *testing.T) {
	for _, rl := range rowLevels {
		cols := rl.cols
		if cols == nil {
			cols = []int{0}
		}
		for _, w := range cols {
			t.Run(fmt.Sprintf("%s/cols=%d", rl.name, w), func(t *testing.T) {
				if !rl.ok {
					t.Skipf("CPU lacks %s", rl.name)
				}
				testRows(t, gemmLevel{name: rl.name + "-rows", ok: true, mr: rl.mr, nr: rl.nr, cols: w}, rl.rows)
			})
		}
	}
}

// rowsFunc is the signature of the row kernels, the unmasked ones
// wrapped to take (and ignore) cols.
type rowsFunc func(a []float32, lda int, b, c []float32, kc, ldc, cols int, flags uint, bias []float32, slope float32)

// testRows runs testKernel on the row kernel rows with the tile l, the
// packed panel of A laid out as rows for each call.
func testRows(t *testing.T, l gemmLevel, rows rowsFunc) {
	calls := 0
	l.kernel = func(a, b, c []float32, kc, _, ldc int, flags uint, bias []float32, slope float32) {
		lda := kc + 5*(calls%2)
		ra := nanGuarded(t, (l.mr-1)*lda+kc, calls)
		calls++
		for i := range l.mr {
			for p := range kc {
				ra[i*lda+p] = a[p*l.mr+i]
			}
		}
		rows(ra, lda, b, c, kc, ldc, l.width(), flags, bias, slope)
	}
	testKernel(t, l)
}

// testKernel runs the tests of one micro-kernel: every kc, ldc and
// epilogue, each with its operands placed between canaries and flush
// against guard pages.
func testKernel(t *testing.T, l gemmLevel) {
	{
		r := rand.New(rand.NewPCG(5, 6))
		trial := 0
		for _, kc := range gemmKCs {
			t.Run(fmt.Sprintf("kc=%d", kc), func(t *testing.T) {
				// The exact sequence of FMAs is computed with
				// math/big, slowly under emulation: -short keeps it to
				// the short panels.
				panels := newGemmPanels(r, l, kc, !testing.Short() || kc <= 17)
				for _, ldc := range []int{l.nr, l.nr + 1, l.nr + 13} {
					for _, ep := range epilogues {
						g := newGemmCase(r, l, panels, ldc, ep.flags, ep.slope)
						n := l.cLen(ldc)

						// Between canaries, at an offset from a
						// 64-byte boundary that varies per operand
						// and per case.
						pa := harness.Place(g.a, harness.TrialOffset(trial%harness.Offsets, 0))
						pb := harness.Place(g.b, harness.TrialOffset(trial%harness.Offsets, 1))
						pc := harness.Place(g.c, harness.TrialOffset(trial%harness.Offsets, 2))
						trial++
						g.run(t, "placed", pa.S, pb.S, pc.S[:n])
						g.check(t, "placed", pa.S, pb.S, pc.S)
						for k, p := range []harness.Placed{pa, pb, pc} {
							if x, bad := p.BadCanary(); bad {
								t.Fatalf("%s: canary at %s[%d] overwritten", g, "abc"[k:k+1], x)
							}
						}

						// Each operand flush against a guard page,
						// after it and then before it.
						for _, after := range []bool{true, false} {
							where := "guard before"
							if after {
								where = "guard after"
							}
							a := gemmGuarded(t, len(g.a), after)
							b := gemmGuarded(t, len(g.b), after)
							c := gemmGuarded(t, n, after)
							if g.flags&epBias != 0 {
								g.bias = append(gemmGuarded(t, len(g.bias), after)[:0], g.bias...)
							}
							g.run(t, where, a, b, c)
							g.check(t, where, a, b, c)
						}
					}
				}
			})
		}
	}
}

// TestSgemmKernelZeroK checks kc = 0, outside the driver's contract but
// documented: the tile is set to zero, or left as it is when add is set.
func TestSgemmKernelZeroK(t *testing.T) {
	forEachGemm(t, func(t *testing.T, l gemmLevel) {
		for _, add := range []bool{false, true} {
			c := make([]float32, l.mr*l.nr)
			for x := range c {
				c[x] = float32(x) - 0.5
			}
			var flags uint
			if add {
				flags = epAdd
			}
			l.kernel(nil, nil, c, 0, l.nr, l.nr, flags, nil, 0)
			for x, v := range c {
				want := float32(0)
				if add {
					want = float32(x) - 0.5
				}
				if got(v) != got(want) {
					t.Fatalf("add=%v: c[%d] = %v, want %v", add, x, v, want)
				}
			}
		}
	})
}

// TestSgemmKernelFused checks the roundings. With v = 1+2⁻¹², v·v is
// 1+2⁻¹¹+2⁻²⁴, which float32 cannot hold: the steps (−1)·1 then v·v give
// 2⁻¹¹+2⁻²⁴ only if the product is added to −1 before it is rounded
// (FMA), and 2⁻¹¹ if it is rounded first. One step v·v into c = −1 with
// add gives 2⁻¹¹: the tile is accumulated from 0 and rounded (to 1+2⁻¹¹)
// before it is added to c, as the contract says.
func TestSgemmKernelFused(t *testing.T) {
	forEachGemm(t, func(t *testing.T, l gemmLevel) {
		const v = 1 + 0x1p-12
		pr := l.panelRows()
		a, b := make([]float32, 2*pr), make([]float32, 2*l.nr)
		for i := range pr {
			a[i], a[pr+i] = -1, v
		}
		for j := range l.nr {
			b[j], b[l.nr+j] = 1, v
		}
		c := make([]float32, l.mr*l.nr)
		l.kernel(a, b, c, 2, l.nr, l.nr, 0, nil, 0)
		for x, got := range c {
			if got != 0x1p-11+0x1p-24 {
				t.Fatalf("c[%d] = %g, want the fused 2⁻¹¹+2⁻²⁴", x, got)
			}
		}
		for x := range c {
			c[x] = -1
		}
		l.kernel(a[pr:], b[l.nr:], c, 1, l.nr, l.nr, epAdd, nil, 0)
		for x, got := range c {
			if got != 0x1p-11 {
				t.Fatalf("add: c[%d] = %g, want 2⁻¹¹", x, got)
			}
		}
	})
}

// TestFMAPeak only runs the instruments: they compute nothing to check.
func TestFMAPeak(t *testing.T) {
	forEachGemm(t, func(t *testing.T, l gemmLevel) {
		for _, n := range []int{0, 1, 3} {
			l.peak(n)
		}
	})
}

// gemmBenchKC is the k length of the benchmarks: the driver's block.
const gemmBenchKC = 256

// BenchmarkFMAPeak measures the machine's FMA throughput at each vector
// width, to read the micro-kernel's GFLOP/s against in the same run.
func BenchmarkFMAPeak(b *testing.B) {
	for _, l := range gemmLevels {
		if l.panel > 0 {
			continue // the same instrument as the full kernel's
		}
		b.Run(l.name, func(b *testing.B) {
			if !l.ok {
				b.Skipf("CPU lacks %s", l.name)
			}
			const n = 1000
			for b.Loop() {
				l.peak(n)
			}
			b.ReportMetric(float64(b.N)*n*l.peakFlops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkSgemmKernel measures one micro-kernel call with kc = 256 two
// ways: L1, the same tile again and again with every operand in L1 (the
// kernel alone); and stream, the way the driver calls it, one b panel
// reused down an A block of 168 rows that streams from L2, into a C of
// 168×4096 (2.7 MiB) walked 512 columns at a time so that its tiles come
// from L3.
func BenchmarkSgemmKernel(b *testing.B) {
	const kc = gemmBenchKC
	r := rand.New(rand.NewPCG(7, 8))
	fill := func(n int) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(r.NormFloat64())
		}
		return s
	}
	for _, l := range gemmLevels {
		if l.panel > 0 {
			continue // the full kernel's figures hold for it
		}
		b.Run(l.name+"/L1", func(b *testing.B) {
			if !l.ok {
				b.Skipf("CPU lacks %s", l.name)
			}
			pa, pb, c := fill(l.mr*kc), fill(l.nr*kc), fill(l.mr*l.nr)
			for b.Loop() {
				l.kernel(pa, pb, c, kc, l.nr, l.nr, epAdd, nil, 0)
			}
			b.ReportMetric(float64(b.N)*2*kc*float64(l.mr*l.nr)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
		b.Run(l.name+"/stream", func(b *testing.B) {
			if !l.ok {
				b.Skipf("CPU lacks %s", l.name)
			}
			const ldc, nc = 4096, 512
			mc := 168 / l.mr * l.mr
			pa, pb, c := fill(mc*kc), fill(nc*kc), fill(mc*ldc)
			jc := 0
			for b.Loop() {
				for jr := 0; jr < nc; jr += l.nr {
					bp := pb[jr*kc:]
					for ir := 0; ir < mc; ir += l.mr {
						l.kernel(pa[ir*kc:], bp, c[ir*ldc+jc+jr:], kc, l.nr, ldc, epAdd, nil, 0)
					}
				}
				jc = (jc + nc) % ldc
			}
			b.ReportMetric(float64(b.N)*2*kc*float64(mc*nc)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
