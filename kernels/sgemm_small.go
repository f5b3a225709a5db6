package kernels

import (
	"slices"

	"github.com/simdnn/simdnn/internal/freelist"
)

// Products of at most 16 rows (inference at small batch; smallTakes has
// the exceptions) go to the small-m kernels (asm.SgemmSmallN*, asm.SgemmSmallT*; gen/sgemm_small.go
// and gen/sgemm_small_neon.go explain their tiles), which read A and op(B) where they lie: no
// packing, no copy, no clearing of a buffer the size of the weights.
// The blocked and row algorithms pack op(B), the weights, on every call,
// which with one row costs more than the product; their tiles of 6 or 16
// rows spend most of their FMAs on padding. Here each row tile of C keeps
// its rows' sums in registers over the whole of k and reads each weight
// once:
//
//   - op(B) = B (W stored k×n): tiles of up to smallNRows rows (8 on
//     AVX-512 and NEON, 6 on AVX2) by a width of columns that the
//     level's kernels offer for that many rows, widest first along C's
//     rows; more rows than one tile holds are split into balanced row
//     tiles, each reading the weights again from L2.
//   - op(B) = Bᵀ (W stored n×k, nn's layout): with few enough rows for a
//     wide kernel, one row tile against 16 or 8 rows of W at a time;
//     otherwise, for each group of 4 rows of W, every row tile of up to 4
//     (3 on AVX2) rows of A in turn, the group staying in L1.
//
// C's right edge: AVX-512 masks (the N kernels' last vector, the T
// kernels' lanes); AVX2 and NEON run the last partial vector (N) or
// group (T) as a whole one that ends at column n, into a staging tile
// whose new columns are copied to C. Only when n is narrower than one
// such vector or group are op(B)'s few columns or rows copied, into a
// zero-padded buffer of k·8 values at most.
//
// Every element of C goes through the same operations whatever tile it
// falls in (see gen/sgemm_small.go), so the result does not depend on m's
// split into row tiles nor on the split of C into stripes of columns
// that parallelSgemm makes for large products (pick reports all the rows
// as one tile, so it splits by columns). Below its threshold, a few
// million flops, no small-m product is split: 16×784×256 is 6.4 MFLOP.

// smallNKernel is a kernel with the contract of asm.SgemmSmallN1x256AVX512
// (masked) or asm.SgemmSmallN1x64AVX2 for a tile of nr columns.
type smallNKernel struct {
	nr int
	fn func(a []float32, lda int, b []float32, ldb int, c []float32, k, ldc, cols int, alpha float32, flags uint, bias []float32, slope float32)
}

// smallTKernel is a kernel with the contract of asm.SgemmSmallT1x16AVX512
// (masked) or asm.SgemmSmallT1x8AVX2 for a tile of nr columns.
type smallTKernel struct {
	nr int
	fn func(a []float32, lda int, bt []float32, ldbt int, c []float32, k, ldc int, lanes uint, alpha float32, flags uint, bias []float32, slope float32)
}

// smallKernels are one level's small-m kernels.
type smallKernels struct {
	// masked: the kernels mask C's columns (the AVX-512 contracts);
	// otherwise they write whole tiles, nr a multiple of lanes (N).
	masked bool
	lanes  int
	// n[mr-1] are the N kernels of mr rows, for mr up to len(n), in any
	// order; their narrowest is one vector wide.
	n [][]smallNKernel
	// tWide[mr-1] is the wide T kernel of mr rows, for products of up
	// to len(tWide) rows; t[mr-1] the T kernel of mr rows and tNR
	// columns, for every mr up to len(t).
	tWide, t []smallTKernel
	tNR      int
	// minN is the fewest columns of a product the level's small-m
	// path takes, minKT the fewest k with op(B) = Bᵀ (smallTakes).
	minN, minKT int
}

// smallMaxM is the most rows the small-m path takes.
const smallMaxM = 16

// smallGemm is the small-m algorithm around one level's kernels.
type smallGemm struct {
	k    smallKernels
	pool freelist.List[gemmBuffers]
}

func newSmallGemm(k smallKernels) *smallGemm {
	g := &smallGemm{k: k}
	for _, ks := range g.k.n {
		// Widest first, for the walk along C's rows.
		slices.SortFunc(ks, func(x, y smallNKernel) int { return y.nr - x.nr })
		if ks[len(ks)-1].nr != k.lanes {
			panic("kernels: the narrowest small-m N kernel must be one vector wide")
		}
	}
	for mr, t := range g.k.t {
		if t.nr != k.tNR || mr < len(g.k.tWide) && g.k.tWide[mr].nr%k.tNR != 0 {
			panic("kernels: the small-m T kernels must share tNR, which divides the wide ones'")
		}
	}
	return g
}

// withSmall adds the small-m path (smallGemm) for products of at most
// smallMaxM rows.
func (p *gemmPaths) withSmall(k smallKernels) *gemmPaths {
	p.small, p.smallMinN, p.smallMinKT = newSmallGemm(k).sgemm, k.minN, k.minKT
	return p
}

// smallTakes reports whether the small-m path takes a product (op(A) =
// A): at most smallMaxM rows, and at least the level's minN columns
// (AVX2's one-vector N tiles have one chain of FMAs each and its narrow
// edges go through staging). Where the level has the paths for few
// columns (the dot kernels, the row kernels, which pack only a k×16
// strip of op(B)), no more rows than columns, or else those are faster.
// With op(B) = Bᵀ, k ≥ the level's minKT (dotMinK on amd64), below which
// the fold costs as much as the FMAs; and, where the level has the
// transposed algorithm, fewer than 16 rows: at 16 its row kernels fill
// their panel of 16 columns (swappedGemm), and ran 784×256 as fast on
// AVX-512 (67 µs either way) and 5–20% faster on AVX2 (63–73 against
// 70–83 µs, alternated), where from 13 to 15 rows the small-m path is
// 15–30% faster on both.
//
// Measured on an AMD EPYC Zen 4 (µs, small-m path against the
// path it replaces, AVX-512 / AVX2): 1×10×128 0.32/0.42 against 0.44/0.36
// (B) and 0.29/0.19 against 0.37/0.27 (Bᵀ); 16×10×128 0.92/1.33 against
// 0.91/0.74 and 0.88/1.96 against 0.75/0.61; 1×3×128 (B) on AVX2 2.0
// against 0.33; 16×100×33 (Bᵀ) 5.2/5.1 against 1.9/2.3; 8×16×64 (B)
// 0.30/0.32 against 0.71/0.41. At 784×256 it is faster for every m it
// takes on both levels (BenchmarkSgemmSmallM). NEON's conditions are
// argued, not measured (sgemm_small_arm64.go).
func (p *gemmPaths) smallTakes(transB bool, m, n, k int) bool {
	if m > smallMaxM || n < p.smallMinN {
		return false
	}
	if m > n && (p.dot != nil || p.rows != nil) {
		return false
	}
	return !transB || k >= p.smallMinKT && (m < smallMaxM || p.swapped == nil)
}

// smallSplitNR is the column granularity pick reports for the small-m
// path: the stripes of a product large enough to split are multiples of
// it, so that each keeps the wide kernels busy.
const smallSplitNR = 64

// sgemm has the contract of an impl's sgemm for 0 < m ≤ smallMaxM, n > 0
// and transA false, on one goroutine.
func (g *smallGemm) sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, ep epilogue) {
	if transA || m > smallMaxM {
		panic("kernels: smallGemm called with transA or too many rows") // pick never does
	}
	if !ep.begin(m, n, k, alpha, beta, c, ldc) {
		return
	}
	flags := ep.blockFlags(beta, 0, k, k)
	var bias []float32
	if flags&epilogueBias != 0 {
		bias = ep.bias
	}
	if transB {
		g.dots(m, n, k, alpha, a, lda, b, ldb, c, ldc, flags, bias, ep.slope)
	} else {
		g.rows(m, n, k, alpha, a, lda, b, ldb, c, ldc, flags, bias, ep.slope)
	}
	ep.finish(c, ldc, m, n)
}

// rowTiles returns how many row tiles of at most mr rows m takes.
func rowTiles(m, mr int) int { return (m + mr - 1) / mr }

// tileRows returns the rows of tile t of tiles balanced row tiles of m
// rows, the tiles before it having taken i.
func tileRows(m, i, t, tiles int) int { return (m - i + tiles - t - 1) / (tiles - t) }

// rows is C = alpha·A·B + … with the N kernels.
func (g *smallGemm) rows(m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, flags uint, bias []float32, slope float32) {
	tiles := rowTiles(m, len(g.k.n))
	for t, i := 0, 0; t < tiles; t++ {
		mr := tileRows(m, i, t, tiles)
		ks := g.k.n[mr-1]
		ar, cr := a[i*lda:], c[i*ldc:]
		j := 0
		for j < n {
			kn := &ks[len(ks)-1]
			for x := range ks {
				if ks[x].nr <= n-j {
					kn = &ks[x]
					break
				}
			}
			cols := min(kn.nr, n-j)
			if cols == kn.nr || g.k.masked {
				kn.fn(ar, lda, b[j:], ldb, cr[j:], k, ldc, cols, alpha, flags, at(bias, j), slope)
				j += cols
				continue
			}
			g.rowsEdge(kn, mr, n, j, k, alpha, ar, lda, b, ldb, cr, ldc, flags, bias, slope)
			break
		}
		i += mr
	}
}

// rowsEdge runs the one-vector kernel kn on the columns j… of C's last
// partial vector (AVX2, fewer than kn.nr columns): as the vector that
// ends at column n, reading B and the bias in place, or, when n is
// narrower, on a zero-padded copy of B's n columns; through a staging
// tile either way, of which only the new columns are copied to C.
func (g *smallGemm) rowsEdge(kn *smallNKernel, mr, n, j, k int, alpha float32, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, flags uint, bias []float32, slope float32) {
	nr := kn.nr
	buf := g.pool.Get()
	defer g.pool.Put(buf)
	buf.tile = grow(buf.tile, mr*nr)
	j0, bs, lds, bb := n-nr, b, ldb, bias
	if j0 < 0 {
		j0, lds = 0, nr
		bs = grow(buf.b, k*nr)
		buf.b = bs
		for p := range k {
			row := bs[p*nr : (p+1)*nr]
			copy(row, b[p*ldb:p*ldb+n])
			clear(row[n:])
		}
		if bias != nil {
			buf.bias = grow(buf.bias, nr)
			copy(buf.bias, bias[:n])
			clear(buf.bias[n:])
			bb = buf.bias
		}
	} else {
		bs, bb = b[j0:], at(bias, j0)
	}
	g.staged(buf, mr, nr, j0, j, n, c, ldc, flags, func(ct []float32, ldt int) {
		kn.fn(a, lda, bs, lds, ct, k, ldt, nr, alpha, flags, bb, slope)
	})
}

// staged runs kernel on a staging tile of mr×nr standing for C's columns
// j0… (as many of them as C has below n), then copies its columns j…
// to C.
func (g *smallGemm) staged(buf *gemmBuffers, mr, nr, j0, j, n int, c []float32, ldc int, flags uint, kernel func(ct []float32, ldt int)) {
	w := min(nr, n-j0)
	if flags&epilogueAdd != 0 {
		for i := range mr {
			copy(buf.tile[i*nr:i*nr+w], c[i*ldc+j0:i*ldc+j0+w])
		}
	}
	kernel(buf.tile, nr)
	for i := range mr {
		copy(c[i*ldc+j:i*ldc+n], buf.tile[i*nr+j-j0:i*nr+w])
	}
}

// at returns bias[j:], or nil for no bias.
func at(bias []float32, j int) []float32 {
	if bias == nil {
		return nil
	}
	return bias[j:]
}

// dots is C = alpha·A·Bᵀ + … with the T kernels.
func (g *smallGemm) dots(m, n, k int, alpha float32, a []float32, lda int, bt []float32, ldbt int, c []float32, ldc int, flags uint, bias []float32, slope float32) {
	nr := g.k.tNR
	if n < nr {
		g.dotsNarrow(m, n, k, alpha, a, lda, bt, ldbt, c, ldc, flags, bias, slope)
		return
	}
	j := 0
	if m <= len(g.k.tWide) {
		// One row tile: the wide kernel while it fits, then groups of
		// nr.
		w := g.k.tWide[m-1]
		for ; j+w.nr <= n; j += w.nr {
			w.fn(a, lda, bt[j*ldbt:], ldbt, c[j:], k, ldc, 1<<w.nr-1, alpha, flags, at(bias, j), slope)
		}
	}
	tiles := rowTiles(m, len(g.k.t))
	for ; j < n; j += nr {
		// The last group, if partial, ends at row n of W: its first
		// columns are C's done already, and are left as they are.
		j0 := min(j, n-nr)
		for t, i := 0, 0; t < tiles; t++ {
			mr := tileRows(m, i, t, tiles)
			g.dotTile(&g.k.t[mr-1], mr, j0, j, n, k, alpha, a[i*lda:], lda, bt[j0*ldbt:], ldbt, c[i*ldc:], ldc, flags, bias, slope)
			i += mr
		}
	}
}

// dotTile runs the T kernel kt (mr rows) on the group of W's rows j0…
// (bt from there on) for C's columns j… (j0 ≤ j), through the lanes
// mask where the kernel masks, or else a staging tile when j > j0.
func (g *smallGemm) dotTile(kt *smallTKernel, mr, j0, j, n, k int, alpha float32, a []float32, lda int, bt []float32, ldbt int, c []float32, ldc int, flags uint, bias []float32, slope float32) {
	nr := kt.nr
	if j == j0 || g.k.masked {
		lanes := (uint(1)<<nr - 1) &^ (uint(1)<<(j-j0) - 1)
		kt.fn(a, lda, bt, ldbt, c[j0:], k, ldc, lanes, alpha, flags, at(bias, j0), slope)
		return
	}
	buf := g.pool.Get()
	defer g.pool.Put(buf)
	buf.tile = grow(buf.tile, mr*nr)
	g.staged(buf, mr, nr, j0, j, n, c, ldc, flags, func(ct []float32, ldt int) {
		kt.fn(a, lda, bt, ldbt, ct, k, ldt, 0, alpha, flags, at(bias, j0), slope)
	})
}

// dotsNarrow is dots for n < tNR: the n rows of Bᵀ copied into tNR rows
// of k values, the rest zero, and the bias padded likewise; C through
// the lanes mask or a staging tile.
func (g *smallGemm) dotsNarrow(m, n, k int, alpha float32, a []float32, lda int, bt []float32, ldbt int, c []float32, ldc int, flags uint, bias []float32, slope float32) {
	nr := g.k.tNR
	buf := g.pool.Get()
	defer g.pool.Put(buf)
	buf.b = grow(buf.b, nr*k)
	for j := range n {
		copy(buf.b[j*k:(j+1)*k], bt[j*ldbt:j*ldbt+k])
	}
	clear(buf.b[n*k:])
	if bias != nil {
		buf.bias = grow(buf.bias, nr)
		copy(buf.bias, bias[:n])
		clear(buf.bias[n:])
		bias = buf.bias
	}
	buf.tile = grow(buf.tile, smallMaxM*nr)
	tiles := rowTiles(m, len(g.k.t))
	for t, i := 0, 0; t < tiles; t++ {
		mr := tileRows(m, i, t, tiles)
		kt, ar, cr := &g.k.t[mr-1], a[i*lda:], c[i*ldc:]
		if g.k.masked {
			kt.fn(ar, lda, buf.b, k, cr, k, ldc, 1<<n-1, alpha, flags, bias, slope)
		} else {
			g.staged(buf, mr, nr, 0, 0, n, cr, ldc, flags, func(ct []float32, ldt int) {
				kt.fn(ar, lda, buf.b, k, ct, k, ldt, 0, alpha, flags, bias, slope)
			})
		}
		i += mr
	}
}
