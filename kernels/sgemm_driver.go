package kernels

import (
	"cmp"
	"fmt"

	"github.com/klauspost/cpuid/v2"

	"github.com/simdnn/simdnn/internal/freelist"
	"github.com/simdnn/simdnn/internal/gemm"
)

// The Goto/BLIS algorithm around a register-blocked micro-kernel: op(B) is
// packed a kc×nc block at a time into panels nr columns wide, op(A) an
// mc×kc block at a time into panels mr rows high (alpha applied), and the
// micro-kernel multiplies one A panel by one B panel into an mr×nr tile of
// C with its accumulators in registers. Packing absorbs the transposes and
// leading dimensions; the block sizes keep a B panel in L1 and the A block
// in L2 while the panels stream past. For a product with few rows,
// op(B) = B is read where it lies instead (readsB).

// microKernel is an mr×nr micro-kernel with the contract in package asm's
// doc ("The GEMM micro-kernel"), its epilogue selected by the flags of
// type epilogue.
type microKernel struct {
	mr, nr int
	fn     func(a, b, c []float32, kc, ldb, ldc int, flags uint, bias []float32, slope float32)

	// edge, if set, is a narrower kernel of the same mr with the same
	// contract, for the panels at C's right edge that it covers: its
	// FMAs are those of fn for the columns they share, in the same
	// order, so the result has the same bits, and it does not spend
	// fn's full width on a few columns.
	edge *microKernel

	// short, if set, is a kernel of fewer rows and the same nr that
	// reads the same packed panels of op(A) (mr values per k step, the
	// first short.mr of them), for a last panel of a block with no more
	// rows than it has: its FMAs are fn's for the rows they share, in
	// the same order, so again the bits are the same, and with exactly
	// its rows the tile needs no staging.
	short *microKernel
}

// packers are a level's assembly packing routines, with the contracts of
// asm.PackA6AVX2 and asm.PackA6TAVX2 for op(A) = A and Aᵀ, asm.PackBN16AVX2
// and asm.PackBN64AVX2 for op(B) = B (asm.PackBNColsAVX2 for an edge
// panel), and
// asm.PackBT16AVX2 (and PackBT8AVX2 for the rest of a panel) for
// op(B) = Bᵀ; a nil field leaves the work to the Go loops, as do the rows
// of an edge panel of A.
type packers struct {
	a6     func(dst, a []float32, lda, kc int, alpha float32)
	a6t    func(dst, a []float32, lda, kc int, alpha float32) // asm.PackA6TAVX2
	bt16   func(dst []float32, ldd int, b []float32, ldb, kc int)
	bt8    func(dst []float32, ldd int, b []float32, ldb, kc int)       // asm.PackBT8AVX2
	bn16   func(dst []float32, ldd int, b []float32, ldb, kc int)       // asm.PackBN16AVX2
	bn64   func(dst []float32, ldd int, b []float32, ldb, kc int)       // asm.PackBN64AVX2, for a whole 64-column panel
	bnCols func(dst []float32, ldd int, b []float32, ldb, kc, cols int) // asm.PackBNColsAVX2
}

// gemmBlocks are the block sizes of one micro-kernel shape.
type gemmBlocks struct{ kc, mc, nc int }

// blocksFor derives the block sizes from the data caches cpuid reports
// (blocksForCaches), with defaults where it reports none (arm64 under
// emulation, some VMs).
func blocksFor(mr, nr int) gemmBlocks {
	c := cpuid.CPU.Cache
	return blocksForCaches(mr, nr, cmp.Or(max(c.L1D, 0), 32<<10), cmp.Or(max(c.L2, 0), 512<<10), cmp.Or(max(c.L3, 0), 4<<20))
}

// blocksForCaches is the rule that sizes the blocks from the data caches
// l1, l2 and l3 (bytes): a kc×nr B panel fills about half of L1, an mc×kc
// A block about half of L2, and a kc×nc B block about half of L3, capped
// so that packing stays cheap next to the multiply.
//
// kc is at least 256, though: for the 64-column AVX-512 panel, half of a
// 48 KiB L1 gives 96, and every k block is one more pass over C. On Zen 5,
// kc = 256 (a 64 KiB panel, which L2 streams at the kernel's pace)
// measured up to 8% faster than 96 on one goroutine (the dX product
// 256×256×784, B transposed) and scaled 1.76–1.85× on two against
// 1.65–1.76× (1024³), with C's passes competing for the shared L3. To
// measure again, change the floor below and compare, on the two builds,
// go test ./bench -run '^$' -bench 'Sgemm$/shape=dX256x256x784' -cpu 1
// and go test ./bench -run '^$' -bench SgemmThreads -cpu 2.
//
// What the rule gives (TestBlocksForCaches), kc, mc and nc for the AVX-512
// kernel (6×64) and for the AVX2 one (6×16):
//
//	CPU                      L1d     L2     L3 (as cpuid reports)  AVX-512          AVX2
//	AMD Zen 4 (EPYC 9004)    32 KiB  1 MiB  32 MiB                 256, 510, 8192   256, 510, 8192
//	AMD Zen 5 (EPYC 9005)    48 KiB  1 MiB  32 MiB                 256, 510, 8192   384, 336, 8192
//	Intel Ice Lake-SP        48 KiB  1.25 MiB  48 MiB              256, 636, 8192   384, 426, 8192
//	Intel Sapphire Rapids    48 KiB  2 MiB  105 MiB                256, 1020, 8192  384, 678, 8192
//	Intel Granite Rapids     48 KiB  2 MiB  504 MiB                256, 1020, 8192  384, 678, 8192
//
// Intel's larger L2 raises mc: each packed A block then serves more B
// panels. On an Ice Lake-SP Xeon (family 6, model 106), AVX-512, the
// rule's kc 256, mc 636 against mc 510, mc 1020 and kc 384 with mc 420,
// alternated six times on sq1024, sq2048, fwd256x784x256, dX256x256x784,
// dW784x64x256 and dW784x256x256, gave the best median on five of the six
// shapes (the sixth, dW784x256x256, went to kc 384 by 3%), while the best
// runs ranked the four differently from shape to shape: the rule stands
// there. The 2 MiB L2 rows are its reading of the caches, not a
// measurement.
func blocksForCaches(mr, nr, l1, l2, l3 int) gemmBlocks {
	kc := clamp(l1/2/(4*nr), 256, 512)
	mc := clamp(l2/2/(4*kc), mr, 1024) / mr * mr
	nc := clamp(l3/2/(4*kc), nr, 8192) / nr * nr
	return gemmBlocks{kc, mc, nc}
}

// cacheSizes states the data caches cpuid reports, for Tuning.
func cacheSizes() string {
	size := func(b int) string {
		switch {
		case b <= 0:
			return "unknown"
		case b >= 1<<20 && b%(1<<20) == 0:
			return fmt.Sprintf("%d MiB", b>>20)
		}
		return fmt.Sprintf("%d KiB", b>>10)
	}
	c := cpuid.CPU.Cache
	return fmt.Sprintf("L1d %s, L2 %s, L3 %s", size(c.L1D), size(c.L2), size(c.L3))
}

func clamp(v, lo, hi int) int { return max(lo, min(v, hi)) }

// gemmBuffers are the packing buffers of one call (one stripe of C when
// the call is split over goroutines); a free list keeps them between calls so
// that a steady-state Sgemm allocates nothing.
type gemmBuffers struct{ a, b, tile, bias []float32 }

// grow returns s with length n, reallocating only when it is too short.
func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// blockedGemm is the blocked algorithm around one micro-kernel.
type blockedGemm struct {
	mk   microKernel
	pk   packers
	bs   gemmBlocks
	pool freelist.List[gemmBuffers]
}

// newBlockedGemm returns the blocked algorithm around mk and pk with the
// block sizes this machine's caches call for.
func newBlockedGemm(mk microKernel, pk packers) *blockedGemm {
	for _, k := range []*microKernel{&mk, mk.edge} {
		if k == nil {
			continue
		}
		if e := k.edge; e != nil && (e.mr != k.mr || e.nr >= k.nr) {
			panic("kernels: an edge kernel must have the micro-kernel's mr and a smaller nr")
		}
		if s := k.short; s != nil && (s.nr != k.nr || s.mr >= k.mr) {
			panic("kernels: a short kernel must have the micro-kernel's nr and a smaller mr")
		}
	}
	return &blockedGemm{mk: mk, pk: pk, bs: blocksFor(mk.mr, mk.nr)}
}

// sgemm has the contract of an impl's sgemm for m, n > 0, on one
// goroutine. The k blocks are the same whatever the m and n of the call,
// so every element of C goes through the same roundings however C is
// split into stripes: that is what makes the parallel result independent
// of the number of goroutines.
func (g *blockedGemm) sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, ep epilogue) {
	if !ep.begin(m, n, k, alpha, beta, c, ldc) {
		return
	}
	buf := g.pool.Get()
	defer g.pool.Put(buf)
	mr, nr := g.mk.mr, g.mk.nr
	kb := gemm.SplitBlock(k, g.bs.kc, 1)
	mb := gemm.SplitBlock(m, g.bs.mc, mr)
	nb := gemm.SplitBlock(n, g.bs.nc, nr)
	buf.a = grow(buf.a, mb*kb)
	buf.b = grow(buf.b, nb*kb)
	buf.tile = grow(buf.tile, mr*nr)
	buf.bias = grow(buf.bias, nr)
	inPlace := readsB(transB, m, ldb)
	for jc := 0; jc < n; jc += nb {
		nc := min(nb, n-jc)
		for pc := 0; pc < k; pc += kb {
			kc := min(kb, k-pc)
			flags := ep.blockFlags(beta, pc, kc, k)
			var bd []float32
			if inPlace {
				// Full panels are read from B; only the edge panel,
				// narrower than nr, is packed, at its usual place.
				bd = b[pc*ldb+jc:]
				if full := nc / nr * nr; full < nc {
					g.pk.packB(buf.b[full*kc:], false, b, ldb, pc, jc+full, kc, nc-full, nr)
				}
			} else {
				g.pk.packB(buf.b, transB, b, ldb, pc, jc, kc, nc, nr)
			}
			for ic := 0; ic < m; ic += mb {
				mc := min(mb, m-ic)
				g.pk.packA(buf.a, transA, alpha, a, lda, ic, pc, mc, kc, mr)
				g.block(buf, c[ic*ldc+jc:], ldc, mc, nc, kc, flags, ep.columns(jc), bd, ldb)
			}
		}
	}
	ep.finish(c, ldc, m, n)
}

// readsB reports whether the packed path reads op(B) where it lies, rows
// ldb apart, instead of packing it, for a product (or stripe) of m rows:
// only when op(B) = B (transB false), since the kernels read rows of it.
// Packing B costs about as much as multiplying it by a dozen rows of A,
// so with few rows it is a large share of the work; with many, the copy
// is paid once for many reuses of each panel. A stride that is a multiple
// of 4 KiB puts every row of a panel in the same few sets of L2 (and of
// L1), which then cannot hold the panel: such a B is packed whatever m
// is.
//
// Measured on Zen 5 (BenchmarkSgemm in ./bench, k = 1024 and the MLP
// shapes; to measure again, change readsB and compare
// go test ./bench -run '^$' -bench 'Sgemm$' -cpu 1 on the two builds),
// as a fraction of the FMA peak, packed → read in place:
// m = 64 with ldb = 256 … 800, 0.64–0.76 → 0.84–0.89 (AVX-512) and
// 0.78–0.84 → 0.87–0.98 (AVX2); m = 256, 0.84–0.91 → 0.87–0.93 and
// 0.87–0.94 → 0.93–0.97; m = 512 and 1024 with ldb = 784, no difference
// beyond the noise; ldb = 1024, 0.73–0.92 → 0.52–0.80 at every m.
func readsB(transB bool, m, ldb int) bool { return !transB && m <= 256 && ldb%1024 != 0 }

// block multiplies the packed A block (mc rows) by the packed B block (nc
// columns) into C, whose top-left element is c[0], with the epilogue
// flags; ep's bias starts at the block's first column. With bd non-nil,
// the block's full panels of op(B) are read from bd (B from the block's
// top-left element on, rows ldb apart) and only its edge panel from
// buf.b. A panel that the micro-kernel's edge kernel covers goes to it,
// and a last panel of A that a short kernel covers to that.
// Full tiles go straight to C; a partial tile at the right or bottom
// edge goes through buf.tile (and its bias through buf.bias), so the
// micro-kernel never touches C or the bias outside the block.
func (g *blockedGemm) block(buf *gemmBuffers, c []float32, ldc, mc, nc, kc int, flags uint, ep epilogue, bd []float32, ldb int) {
	mr, nr := g.mk.mr, g.mk.nr
	for jr := 0; jr < nc; jr += nr {
		nrr := min(nr, nc-jr)
		bp, ldbp := buf.b[jr*kc:(jr+nr)*kc], nr
		if bd != nil && nrr == nr {
			bp, ldbp = bd[jr:], ldb
		}
		bias := buf.tileBias(ep, flags, jr, nc, nr)
		mk := &g.mk // the kernel for this panel
		if e := g.mk.edge; e != nil && nrr <= e.nr {
			mk = e
		}
		for ir := 0; ir < mc; ir += mr {
			mrr := min(mr, mc-ir)
			ap := buf.a[ir*kc : (ir+mr)*kc]
			ct := c[ir*ldc+jr:]
			k := mk
			if s := mk.short; s != nil && mrr <= s.mr {
				k = s
			}
			if mrr == k.mr && nrr == k.nr {
				k.fn(ap, bp, ct, kc, ldbp, ldc, flags, bias, ep.slope)
				continue
			}
			buf.stage(ct, ldc, k.nr, mrr, nrr, flags)
			k.fn(ap, bp, buf.tile, kc, ldbp, k.nr, flags, bias, ep.slope)
			buf.unstage(ct, ldc, k.nr, mrr, nrr)
		}
	}
}

// tileBias returns the bias of the nr columns from jr on of a block nc
// wide, for flags: nil without epilogueBias, a slice of ep.bias when the
// block has nr columns from jr, or else buf.bias holding the columns left
// and zeros, so that a kernel never reads past the bias.
func (buf *gemmBuffers) tileBias(ep epilogue, flags uint, jr, nc, nr int) []float32 {
	if flags&epilogueBias == 0 {
		return nil
	}
	bias := ep.bias[jr:]
	if nc-jr < nr {
		clear(buf.bias)
		copy(buf.bias, bias[:nc-jr])
		bias = buf.bias
	}
	return bias
}

// stage prepares buf.tile (mr×nr, leading dimension nr) to stand in for
// the mrr×nrr corner of C at ct that an edge tile covers: a copy of it
// when the kernel adds C, zeros around it.
func (buf *gemmBuffers) stage(ct []float32, ldc, nr, mrr, nrr int, flags uint) {
	if flags&epilogueAdd == 0 {
		return
	}
	clear(buf.tile)
	for i := range mrr {
		copy(buf.tile[i*nr:i*nr+nrr], ct[i*ldc:i*ldc+nrr])
	}
}

// unstage copies the mrr×nrr corner of buf.tile back to C at ct.
func (buf *gemmBuffers) unstage(ct []float32, ldc, nr, mrr, nrr int) {
	for i := range mrr {
		copy(ct[i*ldc:i*ldc+nrr], buf.tile[i*nr:i*nr+nrr])
	}
}

// packA packs the mc×kc block of op(A) at (ic, pc), scaled by alpha, into
// panels of mr rows: panel r holds, for each p < kc, the mr values
// alpha·op(A)[ic+r·mr+i, pc+p], rows past mc as zeros. dst is
// ⌈mc/mr⌉·mr·kc long at least. The rows past mc only make tile rows that
// block discards; they are zeroed so that stale values (denormals, say)
// cannot slow the micro-kernel down.
func (pk packers) packA(dst []float32, transA bool, alpha float32, a []float32, lda, ic, pc, mc, kc, mr int) {
	for ir := 0; ir < mc; ir += mr {
		panel := dst[ir*kc : (ir+mr)*kc]
		rows := min(mr, mc-ir)
		if rows < mr {
			clear(panel)
		}
		if !transA && rows == 6 && mr == 6 && pk.a6 != nil {
			pk.a6(panel, a[(ic+ir)*lda+pc:], lda, kc, alpha)
			continue
		}
		if transA && rows == 6 && mr == 6 && pk.a6t != nil {
			pk.a6t(panel, a[pc*lda+ic+ir:], lda, kc, alpha)
			continue
		}
		if transA {
			// op(A)[ic+ir+i, pc+p] = a[(pc+p)·lda + ic+ir+i]: the
			// panel's rows for one p lie side by side in A.
			for p := range kc {
				src := a[(pc+p)*lda+ic+ir:][:rows]
				dst := panel[p*mr:][:rows]
				for i, v := range src {
					dst[i] = alpha * v
				}
			}
			continue
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

// packB packs the kc×nc block of op(B) at (pc, jc) into panels of nr
// columns: panel j holds, for each p < kc, the nr values
// op(B)[pc+p, jc+j·nr+q], columns past nc as zeros, for the same reason
// as packA's rows.
func (pk packers) packB(dst []float32, transB bool, b []float32, ldb, pc, jc, kc, nc, nr int) {
	for jr := 0; jr < nc; jr += nr {
		panel := dst[jr*kc : (jr+nr)*kc]
		cols := min(nr, nc-jr)
		if cols < nr {
			clear(panel)
		}
		if transB {
			// op(B)[pc+p, col] = b[col·ldb + pc+p]: B's rows are
			// op(B)'s columns.
			pk.transpose(panel, nr, b[(jc+jr)*ldb+pc:], ldb, cols, kc)
			continue
		}
		switch {
		case cols == 64 && nr == 64 && pk.bn64 != nil:
			pk.bn64(panel, nr, b[pc*ldb+jc+jr:], ldb, kc)
		case cols == nr && nr%16 == 0 && pk.bn16 != nil:
			for q := 0; q < nr; q += 16 {
				pk.bn16(panel[q:], nr, b[pc*ldb+jc+jr+q:], ldb, kc)
			}
		case pk.bnCols != nil:
			pk.bnCols(panel, nr, b[pc*ldb+jc+jr:], ldb, kc, cols)
		case cols >= 8:
			// An edge panel (n = 10, say): eight columns at a time,
			// then one at a time, as a fixed-size copy compiles to
			// vector moves where copy of a slice calls memmove, whose
			// call costs as much as moving a few values.
			for p := range kc {
				dst, src := panel[p*nr:p*nr+cols], b[(pc+p)*ldb+jc+jr:][:cols]
				q := 0
				for ; q+8 <= cols; q += 8 {
					*(*[8]float32)(dst[q:]) = *(*[8]float32)(src[q:])
				}
				for ; q < cols; q++ {
					dst[q] = src[q]
				}
			}
		default:
			for p := range kc {
				copy(panel[p*nr:p*nr+cols], b[(pc+p)*ldb+jc+jr:][:cols])
			}
		}
	}
}

// transpose sets dst[j·ldd+i] = src[i·lds+j] for i < rows, j < cols, bit
// for bit: src's rows taken 16 and then 8 at a time by the assembly where
// there is some, and one at a time after. Nothing else of dst is written.
func (pk packers) transpose(dst []float32, ldd int, src []float32, lds, rows, cols int) {
	i := 0
	if pk.bt16 != nil {
		for ; i+16 <= rows; i += 16 {
			pk.bt16(dst[i:], ldd, src[i*lds:], lds, cols)
		}
	}
	if pk.bt8 != nil {
		for ; i+8 <= rows; i += 8 {
			pk.bt8(dst[i:], ldd, src[i*lds:], lds, cols)
		}
	}
	for ; i < rows; i++ {
		for j, v := range src[i*lds : i*lds+cols] {
			dst[j*ldd+i] = v
		}
	}
}
