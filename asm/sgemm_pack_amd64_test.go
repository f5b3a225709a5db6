//go:build !purego

package asm

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/klauspost/cpuid/v2"

	"github.com/simdnn/simdnn/internal/harness"
)

// The packing routines are tested here on their own contracts, against
// plain-Go loops that index the source directly, bit for bit, with every
// value outside the promised writes checked to be untouched; package
// kernels tests them again through Sgemm.

// packOK reports whether this CPU runs the packing routines. They belong
// to the avx2 level, which the avx512 level calls too.
var packOK = cpuid.CPU.Supports(AVX2...)

// skipPack skips t on a CPU without the avx2 level.
func skipPack(t testing.TB) {
	if !packOK {
		t.Skip("CPU lacks avx2")
	}
}

// packKCs are the row lengths tested: every remainder of the blocks of 8
// and 4 with and without a pass through the blocks, the driver's kc block
// and its neighbours, and the first layer's k.
var packKCs = func() []int {
	var ks []int
	for kc := range 18 {
		ks = append(ks, kc)
	}
	return append(ks, 31, 32, 33, 64, 255, 256, 257, 784)
}()

// packLDs are the leading dimensions of the source tested for kc: rows
// packed tight, and rows followed by padding that must not be read (it
// holds canaries, which would show in the output).
func packLDs(kc int) []int { return []int{kc, kc + 1, kc + 7} }

// packAlphas are the scales PackA6 is tested with: 1 (a copy) and two
// that round.
var packAlphas = []float32{1, -0.5, 0.7}

// packTail is the number of values after the last one written that must
// stay untouched, on top of the harness's own canaries.
const packTail = 24

// sourceRows returns rows·ld − (ld − kc) values (the last row without
// its padding, so that it ends at the slice's end): kc values per row from
// fill, with its specials, and canaries in the padding.
func sourceRows(r *rand.Rand, rows, kc, ld int) []float32 {
	s := make([]float32, (rows-1)*ld+kc)
	fill(r, s)
	for x := range s {
		if x%ld >= kc {
			s[x] = harness.Canary()
		}
	}
	return s
}

// canaries returns n canaries.
func canaries(n int) []float32 {
	s := make([]float32, n)
	for x := range s {
		s[x] = harness.Canary()
	}
	return s
}

// quiet returns the bits of v with a signalling NaN made quiet, which is
// all that multiplying by 1 may change.
func quiet(v float32) uint32 {
	b := got(v)
	if b&0x7f800000 == 0x7f800000 && b&0x007fffff != 0 {
		b |= 0x00400000
	}
	return b
}

// packACase is one call of PackA6, or of PackA6T when trans: the source
// rows and the scale.
type packACase struct {
	trans   bool
	kc, lda int
	alpha   float32
	a       []float32 // 5·lda + kc values, or (kc−1)·lda + 6 when trans
}

func (g *packACase) String() string {
	name := "PackA6"
	if g.trans {
		name = "PackA6T"
	}
	return fmt.Sprintf("%s kc=%d lda=%d alpha=%v", name, g.kc, g.lda, g.alpha)
}

// at returns the source value that goes to dst[p·6+i].
func (g *packACase) at(p, i int) float32 {
	if g.trans {
		return g.a[p*g.lda+i]
	}
	return g.a[i*g.lda+p]
}

// run copies the case's source into a and canaries into dst, then packs.
func (g *packACase) run(t *testing.T, where string, dst, a []float32) {
	t.Helper()
	copy(a, g.a)
	copy(dst, canaries(len(dst)))
	pack := PackA6AVX2
	if g.trans {
		pack = PackA6TAVX2
	}
	harness.NoFault(t, g.String()+" "+where, func() { pack(dst, a, g.lda, g.kc, g.alpha) })
}

// check compares a and dst after a run: a unchanged, dst[p·6+i] the
// product alpha·a[i·lda+p] that Go computes, every value after the first
// 6·kc still a canary.
func (g *packACase) check(t *testing.T, where string, dst, a []float32) {
	t.Helper()
	for x, v := range a {
		if got(v) != got(g.a[x]) {
			t.Fatalf("%s %s: a[%d] changed from %#x to %#x", g, where, x, got(g.a[x]), got(v))
		}
	}
	for x, v := range dst {
		if x >= packMR*g.kc {
			if got(v) != harness.CanaryBits {
				t.Fatalf("%s %s: dst[%d], past 6·kc, overwritten with %#x", g, where, x, got(v))
			}
			continue
		}
		p, i := x/packMR, x%packMR
		src := g.at(p, i)
		want := g.alpha * src
		if got(v) != got(want) {
			t.Fatalf("%s %s: dst[%d] (p=%d i=%d) = %#x, want %#x = %v·%#x",
				g, where, x, p, i, got(v), got(want), g.alpha, got(src))
		}
		if g.alpha == 1 && got(v) != quiet(src) {
			t.Fatalf("%s %s: dst[%d] (p=%d i=%d) = %#x, want a copy of %#x", g, where, x, p, i, got(v), got(src))
		}
	}
}

// packMR is the number of rows PackA6AVX2 interleaves.
const packMR = 6

func TestPackA6(t *testing.T) {
	testPackA(t, false)
}

// TestPackA6T tests the packing of op(A) = Aᵀ: kc rows of A, six values
// each, with lda = 6, 7 and 13 (the padding canaries).
func TestPackA6T(t *testing.T) {
	testPackA(t, true)
}

func testPackA(t *testing.T, trans bool) {
	skipPack(t)
	r := rand.New(rand.NewPCG(9, 10))
	trial := 0
	for _, kc := range packKCs {
		lds := packLDs(kc)
		if trans {
			lds = packLDs(packMR)
		}
		for _, lda := range lds {
			for _, alpha := range packAlphas {
				g := &packACase{trans: trans, kc: kc, lda: lda, alpha: alpha}
				switch {
				case !trans:
					g.a = sourceRows(r, packMR, kc, lda)
				case kc > 0:
					g.a = sourceRows(r, kc, packMR, lda)
				}
				n := packMR * kc

				// Between canaries, at offsets from a 64-byte
				// boundary that vary per operand and per case, dst
				// longer than needed.
				pa := harness.Place(g.a, harness.TrialOffset(trial%harness.Offsets, 0))
				pd := harness.Place(canaries(n+packTail), harness.TrialOffset(trial%harness.Offsets, 1))
				trial++
				g.run(t, "placed", pd.S, pa.S)
				g.check(t, "placed", pd.S, pa.S)
				for k, p := range []harness.Placed{pa, pd} {
					if x, bad := p.BadCanary(); bad {
						t.Fatalf("%s: canary at %s[%d] overwritten", g, []string{"a", "dst"}[k], x)
					}
				}

				// a's last value and dst's last value flush
				// against a guard page, then a[0] and dst[0].
				for _, after := range []bool{true, false} {
					where := "guard before"
					if after {
						where = "guard after"
					}
					a, dst := guarded(t, len(g.a), after), guarded(t, n, after)
					g.run(t, where, dst, a)
					g.check(t, where, dst, a)
				}
			}
		}
	}
}

// packBT is one pack of B and the rows of its strip: a transposing one,
// or with copies set PackBN16 or PackBN64, which copy the strip's
// columns.
type packBT struct {
	name   string
	rows   int
	f      func(dst []float32, ldd int, b []float32, ldb, kc int)
	copies bool
}

var packBTs = []packBT{
	{"PackBT8", 8, PackBT8AVX2, false},
	{"PackBT16", 16, PackBT16AVX2, false},
}

// packBCase is one call of a transposing pack: the source rows, and where
// in dst the strip goes.
type packBCase struct {
	packBT
	kc, ldb int
	ldd     int // row stride of the panel
	off     int // index in dst of the strip's first value
	b       []float32
}

func (g *packBCase) String() string {
	return fmt.Sprintf("%s kc=%d ldb=%d ldd=%d off=%d", g.name, g.kc, g.ldb, g.ldd, g.off)
}

// dstLen is the length of a dst that ends with the strip's last value.
func (g *packBCase) dstLen() int {
	if g.kc == 0 {
		return g.off
	}
	return g.off + (g.kc-1)*g.ldd + g.rows
}

// run copies the case's source into b and canaries into dst, then packs
// into dst[off:].
func (g *packBCase) run(t *testing.T, where string, dst, b []float32) {
	t.Helper()
	copy(b, g.b)
	copy(dst, canaries(len(dst)))
	harness.NoFault(t, g.String()+" "+where, func() { g.f(dst[g.off:], g.ldd, b, g.ldb, g.kc) })
}

// check compares b and dst after a run: b unchanged, dst[off+p·ldd+q]
// the same bits as b[q·ldb+p] for q < rows, p < kc, and every other value
// of dst (before off, columns rows and up of each row, past the last row)
// still a canary.
func (g *packBCase) check(t *testing.T, where string, dst, b []float32) {
	t.Helper()
	for x, v := range b {
		if got(v) != got(g.b[x]) {
			t.Fatalf("%s %s: b[%d] changed from %#x to %#x", g, where, x, got(g.b[x]), got(v))
		}
	}
	for x, v := range dst {
		y := x - g.off
		p, q := y/g.ldd, y%g.ldd
		if y < 0 || q >= g.rows || p >= g.kc {
			if got(v) != harness.CanaryBits {
				t.Fatalf("%s %s: dst[%d], outside the strip, overwritten with %#x", g, where, x, got(v))
			}
			continue
		}
		src := q*g.ldb + p
		if g.copies {
			src = p*g.ldb + q
		}
		want := g.b[src]
		if got(v) != got(want) {
			t.Fatalf("%s %s: dst[%d] (p=%d q=%d) = %#x, want %#x", g, where, x, p, q, got(v), got(want))
		}
	}
}

func TestPackBT(t *testing.T) {
	skipPack(t)
	for _, f := range packBTs {
		t.Run(f.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(11, uint64(f.rows)))
			trial := 0
			for _, kc := range packKCs {
				for _, ldb := range packLDs(kc) {
					src := sourceRows(r, f.rows, kc, ldb)
					// 16 and 64 are the panels' NR, rows a strip
					// alone, rows+5 an unaligned stride.
					for _, ldd := range []int{f.rows, f.rows + 5, 16, 64} {
						if ldd == 16 && f.rows == 16 {
							continue
						}
						testPackBT(t, &packBCase{packBT: f, kc: kc, ldb: ldb, ldd: ldd, b: src}, &trial)
					}
				}
			}
		})
	}
}

// TestPackBN tests the copies of w = 16 and 64 columns of B
// (op(B) = B): kc rows of B with ldb = w, w + 1 and w + 7 (the padding
// canaries), into panels of w, w + 5 and 2w columns.
func TestPackBN(t *testing.T) {
	skipPack(t)
	r := rand.New(rand.NewPCG(13, 14))
	trial := 0
	for _, f := range []packBT{{"PackBN16", 16, PackBN16AVX2, true}, {"PackBN64", 64, PackBN64AVX2, true}} {
		w := f.rows
		for _, kc := range packKCs {
			for _, ldb := range packLDs(w) {
				var src []float32
				if kc > 0 {
					src = sourceRows(r, kc, w, ldb)
				}
				for _, ldd := range []int{w, w + 5, 2 * w} {
					testPackBT(t, &packBCase{packBT: f, kc: kc, ldb: ldb, ldd: ldd, b: src}, &trial)
				}
			}
		}
	}
}

// testPackBT runs g between canaries with the strip first and last in
// its panel's rows, then flush against guard pages.
func testPackBT(t *testing.T, g *packBCase, trial *int) {
	t.Helper()
	for _, off := range []int{0, g.ldd - g.rows} {
		g.off = off
		pb := harness.Place(g.b, harness.TrialOffset(*trial%harness.Offsets, 0))
		pd := harness.Place(canaries(g.dstLen()+packTail), harness.TrialOffset(*trial%harness.Offsets, 1))
		*trial++
		g.run(t, "placed", pd.S, pb.S)
		g.check(t, "placed", pd.S, pb.S)
		for k, p := range []harness.Placed{pb, pd} {
			if x, bad := p.BadCanary(); bad {
				t.Fatalf("%s: canary at %s[%d] overwritten", g, []string{"b", "dst"}[k], x)
			}
		}
	}

	// b's last value and the strip's last value flush against a guard
	// page, then b[0] and the strip's first value.
	g.off = 0
	for _, after := range []bool{true, false} {
		where := "guard before"
		if after {
			where = "guard after"
		}
		b, dst := guarded(t, len(g.b), after), guarded(t, g.dstLen(), after)
		g.run(t, where, dst, b)
		g.check(t, where, dst, b)
	}
}

// The benchmark's shapes are the forward pass of the first layer of the
// MNIST net, X·Wᵀ with X 64×784 and W 256×784: A not transposed, B
// transposed, k = 784 in blocks of kc.
const (
	packBenchK = 784
	packBenchM = 60 // rows of A: 10 whole panels of 6
	packBenchN = 256
)

// BenchmarkPack measures the packing routines against the loops the GEMM
// driver runs today (packGoA and packGoBT, copied from it), packing what
// the driver packs per kc block: all of A's panels, or all of B's panels
// of NR = 16 or 64 columns, NR/rows calls of PackBT8 or PackBT16 each. It
// reports values packed per nanosecond.
func BenchmarkPack(b *testing.B) {
	r := rand.New(rand.NewPCG(13, 14))
	a := make([]float32, packBenchM*packBenchK)
	bt := make([]float32, packBenchN*packBenchK)
	fill(r, a)
	fill(r, bt)
	const alpha = 0.7
	perNs := func(b *testing.B, values int) {
		b.ReportMetric(float64(b.N)*float64(values)/float64(b.Elapsed().Nanoseconds()), "values/ns")
	}
	for _, kc := range []int{256, 784} {
		pa := make([]float32, packBenchM*kc)
		b.Run(fmt.Sprintf("A/kc=%d/PackA6", kc), func(b *testing.B) {
			skipPack(b)
			for b.Loop() {
				packAsmA(pa, alpha, a, packBenchK, packBenchM, kc)
			}
			perNs(b, packBenchM*kc)
		})
		b.Run(fmt.Sprintf("A/kc=%d/go", kc), func(b *testing.B) {
			for b.Loop() {
				packGoA(pa, alpha, a, packBenchK, 0, 0, packBenchM, kc, packMR)
			}
			perNs(b, packBenchM*kc)
		})
		for _, nr := range []int{16, 64} {
			pb := make([]float32, packBenchN*kc)
			for _, f := range packBTs {
				b.Run(fmt.Sprintf("BT/nr=%d/kc=%d/%s", nr, kc, f.name), func(b *testing.B) {
					skipPack(b)
					for b.Loop() {
						packAsmBT(f, pb, bt, packBenchK, packBenchN, kc, nr)
					}
					perNs(b, packBenchN*kc)
				})
			}
			b.Run(fmt.Sprintf("BT/nr=%d/kc=%d/go", nr, kc), func(b *testing.B) {
				for b.Loop() {
					packGoBT(pb, bt, packBenchK, 0, 0, kc, packBenchN, nr)
				}
				perNs(b, packBenchN*kc)
			})
		}
	}
}

// BenchmarkPackBN measures the packing of op(B) = B into the AVX-512
// kernel's 64-column panels, kc = 256 rows per block, as four strips of
// PackBN16 per panel (four passes down B) or one PackBN64 (one pass), for
// a B of 1024×1024 (rows 4 KiB apart, beyond L2: the 1024³ product) and
// of 256×256 (the backward products of the MNIST net). It reports values
// packed per nanosecond.
func BenchmarkPackBN(b *testing.B) {
	const kc, nr = 256, 64
	for _, n := range []int{1024, 256} {
		src := make([]float32, n*n)
		fill(rand.New(rand.NewPCG(15, 16)), src)
		dst := make([]float32, kc*n)
		for _, w := range []int{16, 64} {
			b.Run(fmt.Sprintf("n=%d/PackBN%d", n, w), func(b *testing.B) {
				skipPack(b)
				for b.Loop() {
					for pc := 0; pc < n; pc += kc {
						for jr := 0; jr < n; jr += nr {
							panel, strip := dst[jr*kc:], src[pc*n+jr:]
							if w == 64 {
								PackBN64AVX2(panel, nr, strip, n, kc)
								continue
							}
							for q := 0; q < nr; q += 16 {
								PackBN16AVX2(panel[q:], nr, strip[q:], n, kc)
							}
						}
					}
				}
				b.ReportMetric(float64(b.N)*float64(n*n)/float64(b.Elapsed().Nanoseconds()), "values/ns")
			})
		}
	}
}

// packAsmA packs the first kc columns of mc rows of a (a multiple of 6)
// the way packGoA does, with PackA6.
func packAsmA(dst []float32, alpha float32, a []float32, lda, mc, kc int) {
	for ir := 0; ir < mc; ir += packMR {
		PackA6AVX2(dst[ir*kc:], a[ir*lda:], lda, kc, alpha)
	}
}

// packAsmBT packs the first kc columns of nc rows of b (a multiple of
// nr) into panels of nr the way packGoBT does, with f.
func packAsmBT(f packBT, dst, b []float32, ldb, nc, kc, nr int) {
	for jr := 0; jr < nc; jr += nr {
		for s := 0; s < nr; s += f.rows {
			f.f(dst[jr*kc+s:], nr, b[(jr+s)*ldb:], ldb, kc)
		}
	}
}

// packGoA is the GEMM driver's packA (kernels/sgemm_driver.go) for A not
// transposed, the baseline of BenchmarkPack.
func packGoA(dst []float32, alpha float32, a []float32, lda, ic, pc, mc, kc, mr int) {
	for ir := 0; ir < mc; ir += mr {
		panel := dst[ir*kc : (ir+mr)*kc]
		rows := min(mr, mc-ir)
		if rows < mr {
			clear(panel)
		}
		for i := range rows {
			row := ic + ir + i
			src := a[row*lda+pc : row*lda+pc+kc]
			for p, v := range src {
				panel[p*mr+i] = alpha * v
			}
		}
	}
}

// packGoBT is the GEMM driver's packB (kernels/sgemm_driver.go) for B
// transposed, the baseline of BenchmarkPack.
func packGoBT(dst []float32, b []float32, ldb, pc, jc, kc, nc, nr int) {
	for jr := 0; jr < nc; jr += nr {
		panel := dst[jr*kc : (jr+nr)*kc]
		cols := min(nr, nc-jr)
		if cols < nr {
			clear(panel)
		}
		for q := range cols {
			src := b[(jc+jr+q)*ldb+pc : (jc+jr+q)*ldb+pc+kc]
			for p, v := range src {
				panel[p*nr+q] = v
			}
		}
	}
}

// TestPackGoBaseline checks that the benchmark compares like with like:
// the routines and the driver's loops pack the benchmark's shapes into the
// same bits.
func TestPackGoBaseline(t *testing.T) {
	skipPack(t)
	r := rand.New(rand.NewPCG(15, 16))
	a := make([]float32, packBenchM*packBenchK)
	bt := make([]float32, packBenchN*packBenchK)
	fill(r, a)
	fill(r, bt)
	const kc, alpha = 256, -0.5
	want, have := make([]float32, packBenchM*kc), make([]float32, packBenchM*kc)
	packGoA(want, alpha, a, packBenchK, 0, 0, packBenchM, kc, packMR)
	packAsmA(have, alpha, a, packBenchK, packBenchM, kc)
	sameBits(t, "A", have, want)
	for _, nr := range []int{16, 64} {
		want := make([]float32, packBenchN*kc)
		packGoBT(want, bt, packBenchK, 0, 0, kc, packBenchN, nr)
		for _, f := range packBTs {
			have := make([]float32, packBenchN*kc)
			packAsmBT(f, have, bt, packBenchK, packBenchN, kc, nr)
			sameBits(t, fmt.Sprintf("%s nr=%d", f.name, nr), have, want)
		}
	}
}

// sameBits fails t at the first value where have and want differ in bits.
func sameBits(t *testing.T, what string, have, want []float32) {
	t.Helper()
	for x := range want {
		if got(have[x]) != got(want[x]) {
			t.Fatalf("%s: [%d] = %#x, the driver's loop gives %#x", what, x, got(have[x]), got(want[x]))
		}
	}
}

// TestPackBNCols tests the copy of an edge strip of B (op(B) = B) of 1 to
// 17 columns, and 23 and 40: kc rows of B with ldb = cols, cols + 1 and
// cols + 7 (the padding canaries), into panels of cols, 16 (the row
// kernels' NR) and 64 columns where they are at least as wide.
func TestPackBNCols(t *testing.T) {
	skipPack(t)
	r := rand.New(rand.NewPCG(15, 16))
	trial := 0
	for _, cols := range []int{1, 2, 3, 7, 8, 9, 10, 15, 16, 17, 23, 40} {
		f := packBT{fmt.Sprintf("PackBNCols cols=%d", cols), cols, func(dst []float32, ldd int, b []float32, ldb, kc int) {
			PackBNColsAVX2(dst, ldd, b, ldb, kc, cols)
		}, true}
		for _, kc := range packKCs {
			for _, ldb := range packLDs(cols) {
				var src []float32
				if kc > 0 {
					src = sourceRows(r, kc, cols, ldb)
				}
				for _, ldd := range []int{cols, 16, 64} {
					if ldd < cols {
						continue
					}
					testPackBT(t, &packBCase{packBT: f, kc: kc, ldb: ldb, ldd: ldd, b: src}, &trial)
				}
			}
		}
	}
}
