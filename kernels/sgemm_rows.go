package kernels

import (
	"github.com/simdnn/simdnn/internal/freelist"
	"github.com/simdnn/simdnn/internal/gemm"
)

// Products that are narrow (up to 16 columns; ten with a long k go to the
// dot kernels, sgemm_dot.go) or small (a few hundred thousand flops) spend
// more time packing op(A) than multiplying with it: each value of A would
// be packed to be used ⌈n/nr⌉ times. rowsGemm leaves A where it is and
// runs a row kernel (asm.SgemmRows*) that reads MR rows of it directly;
// only op(B), which every row block uses, is packed. It serves A not
// transposed, whose rows are contiguous, and the transposed algorithm
// (sgemm_swapped.go).

// rowKernel is an mr×nr kernel with the contract of asm.SgemmRows6x16AVX2
// (fn), or of asm.SgemmRows16x16AVX512 (masked), which writes only the
// first cols columns of its tile and so needs no staging tile at C's
// right edge. One of the two is set.
type rowKernel struct {
	mr, nr int
	fn     func(a []float32, lda int, b, c []float32, kc, ldc int, flags uint, bias []float32, slope float32)
	masked func(a []float32, lda int, b, c []float32, kc, ldc, cols int, flags uint, bias []float32, slope float32)

	// edge, if set, is a narrower kernel of the same mr, for a panel at
	// C's right edge that it covers, as microKernel's edge; it may have
	// an edge of its own.
	edge *rowKernel
}

// edgeFor returns the narrowest kernel of rk's edge chain that covers
// an edge panel of rest columns, or nil if none does.
func (rk *rowKernel) edgeFor(rest int) *rowKernel {
	var best *rowKernel
	for e := rk.edge; e != nil && rest <= e.nr; e = e.edge {
		best = e
	}
	return best
}

// tile runs the kernel on one tile of C at ct with nrr ≤ nr columns to
// write; a partial tile goes through buf.tile unless the kernel masks.
func (rk *rowKernel) tile(buf *gemmBuffers, a []float32, lda int, b, ct []float32, kc, ldc, mrr, nrr int, flags uint, bias []float32, slope float32) {
	if rk.masked != nil && mrr == rk.mr {
		rk.masked(a, lda, b, ct, kc, ldc, nrr, flags, bias, slope)
		return
	}
	if mrr == rk.mr && nrr == rk.nr {
		rk.fn(a, lda, b, ct, kc, ldc, flags, bias, slope)
		return
	}
	buf.stage(ct, ldc, rk.nr, mrr, nrr, flags)
	if rk.masked != nil {
		rk.masked(a, lda, b, buf.tile, kc, rk.nr, rk.nr, flags, bias, slope)
	} else {
		rk.fn(a, lda, b, buf.tile, kc, rk.nr, flags, bias, slope)
	}
	buf.unstage(ct, ldc, rk.nr, mrr, nrr)
}

// rowsGemm is the unpacked-A algorithm around one row kernel.
type rowsGemm struct {
	rk   rowKernel
	pk   packers
	kc   int // k block: the packed kc×nr panel of op(B) stays in L1
	pool freelist.List[gemmBuffers]
}

func newRowsGemm(rk rowKernel, pk packers) *rowsGemm {
	for e, nr := rk.edge, rk.nr; e != nil; e, nr = e.edge, e.nr {
		if e.mr != rk.mr || e.nr >= nr {
			panic("kernels: a row kernel's edge must have its mr and a smaller nr")
		}
	}
	return &rowsGemm{rk: rk, pk: pk, kc: blocksFor(rk.mr, rk.nr).kc}
}

// sgemm has the contract of an impl's sgemm for m, n > 0 and transA
// false, on one goroutine. alpha is applied while packing op(B).
func (g *rowsGemm) sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, ep epilogue) {
	if transA {
		panic("kernels: rowsGemm called with transA") // pick never does
	}
	if !ep.begin(m, n, k, alpha, beta, c, ldc) {
		return
	}
	buf := g.pool.Get()
	defer g.pool.Put(buf)
	mr, nr := g.rk.mr, g.rk.nr
	kb := gemm.SplitBlock(k, g.kc, 1)
	// The panel from edgeAt on, if any, goes to the edge kernel, packed
	// to its width.
	edgeAt, edge := n, (*rowKernel)(nil)
	if n%nr != 0 {
		edge = g.rk.edgeFor(n % nr)
	}
	if edge != nil {
		edgeAt = n - n%nr
	}
	panels := (n + nr - 1) / nr
	buf.b = grow(buf.b, panels*nr*kb)
	buf.a = grow(buf.a, mr*kb)
	buf.tile = grow(buf.tile, mr*nr)
	buf.bias = grow(buf.bias, nr)
	for pc := 0; pc < k; pc += kb {
		kc := min(kb, k-pc)
		flags := ep.blockFlags(beta, pc, kc, k)
		g.pk.packB(buf.b, transB, b, ldb, pc, 0, kc, edgeAt, nr)
		packed := (edgeAt + nr - 1) / nr * nr * kc
		if edge != nil {
			g.pk.packB(buf.b[packed:], transB, b, ldb, pc, edgeAt, kc, n-edgeAt, edge.nr)
			packed += edge.nr * kc
		}
		if alpha != 1 {
			for x, v := range buf.b[:packed] {
				buf.b[x] = alpha * v
			}
		}
		for jr := 0; jr < n; jr += nr {
			rk, width := &g.rk, nr
			if jr == edgeAt {
				rk, width = edge, edge.nr
			}
			nrr := min(width, n-jr)
			bp := buf.b[jr*kc : (jr+width)*kc]
			bias := buf.tileBias(ep, flags, jr, n, width)
			for ir := 0; ir < m; ir += mr {
				mrr := min(mr, m-ir)
				ar, ldar := a[ir*lda+pc:], lda
				if mrr < mr {
					// The kernel reads mr rows: give it the rows
					// left, copied, and zeros.
					ar, ldar = buf.a[:mr*kc], kc
					clear(ar)
					for i := range mrr {
						copy(ar[i*kc:(i+1)*kc], a[(ir+i)*lda+pc:])
					}
				}
				rk.tile(buf, ar, ldar, bp, c[ir*ldc+jr:], kc, ldc, mrr, nrr, flags, bias, ep.slope)
			}
		}
	}
	ep.finish(c, ldc, m, n)
}
