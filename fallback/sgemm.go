package fallback

import (
	"github.com/simdnn/simdnn/internal/freelist"
	"github.com/simdnn/simdnn/internal/gemm"
)

// Sgemm is structured the Goto/BLIS way: op(B) is packed a k block by an
// n block at a time into panels gemmNR columns wide, op(A) a k block by an
// m block at a time into rows, and the micro-kernel (sgemm_kernel.go)
// multiplies one row by one panel with its accumulators in registers.
// Packing absorbs the transposes and leading dimensions, so the kernel
// sees only contiguous memory, and the blocks keep the working set in the
// caches: a panel of op(B) (kc·gemmNR floats, 12 KiB) stays in L1 while
// every row of the A block streams past it from L2.

// Block sizes, measured on amd64 (Zen 5) with
// SIMDNN_KERNELS=generic go test ./bench -run '^$' -bench 'Sgemm$' -cpu 1;
// the k block is gemmKC (in sgemm_kernel.go). Blocks are split evenly, so
// a block is at most its size and rarely much smaller.
const (
	// gemmMC is the largest m block: the packed A block, gemmMC·gemmKC
	// floats (256 KiB), lives in L2.
	gemmMC = 256
	// gemmNC is the largest n block, a multiple of gemmNR: the packed B
	// block, gemmKC·gemmNC floats (2 MiB at most), is reused by every m
	// block.
	gemmNC = 168 * gemmNR
)

// gemmWork holds the packing buffers and a strip for partial panels; a
// free list keeps them between calls so that Sgemm allocates nothing in steady
// state.
type gemmWork struct {
	a   []float32
	b   []gemmBPair
	acc [gemmNR]float32
}

var gemmPool freelist.List[gemmWork]

// gemmZeros is where the kernel starts accumulating when it assigns C.
var gemmZeros [gemmNR]float32

// Sgemm computes C = alpha·op(A)·op(B) + beta·C in row-major storage, with
// the contract of kernels.Sgemm: only the m×n window of C is written, beta
// = 0 assigns, and alpha = 0 or k = 0 reads neither A nor B. m and n are
// positive.
//
// alpha is applied while packing op(A), as the reference BLAS applies it to
// op(B) before the products; beta other than 0 and 1 scales C first. The
// kernel then accumulates straight into C: from zero on the first k block
// when beta is 0, from C otherwise.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if alpha == 0 || k == 0 {
		gemm.ScaleC(m, n, beta, c, ldc)
		return
	}
	if beta != 0 {
		gemm.ScaleC(m, n, beta, c, ldc)
	}
	w := gemmPool.Get()
	defer gemmPool.Put(w)

	kb := gemm.SplitBlock(k, gemmKC, 1)
	mb := gemm.SplitBlock(m, gemmMC, 1)
	nb := gemm.SplitBlock(n, gemmNC, gemmNR)
	for jc := 0; jc < n; jc += nb {
		nc := min(nb, n-jc)
		for pc := 0; pc < k; pc += kb {
			kc := min(kb, k-pc)
			pairs := (kc + 1) / 2 // the kernel takes k steps two at a time
			w.packB(transB, b, ldb, pc, jc, kc, nc, pairs)
			for ic := 0; ic < m; ic += mb {
				mc := min(mb, m-ic)
				w.packA(transA, alpha, a, lda, ic, pc, mc, kc, pairs)
				w.block(c[ic*ldc+jc:], ldc, mc, nc, pairs, pc == 0 && beta == 0)
			}
		}
	}
}

// block adds the product of the packed A block (mc rows) and the packed B
// block (nc columns) to C, whose top-left element is c[0], or assigns it
// to C: every panel of B meets every row of A, the panel staying in L1
// while the rows stream past. Full strips of C are the kernel's
// accumulators; a partial one at the right edge goes through w.acc.
func (w *gemmWork) block(c []float32, ldc, mc, nc, pairs int, assign bool) {
	for jr := 0; jr < nc; jr += gemmNR {
		nr := min(gemmNR, nc-jr)
		bp := w.b[jr/gemmNR*pairs:]
		for i := range mc {
			ap := w.a[2*i*pairs:]
			row := c[i*ldc+jr:]
			if nr == gemmNR {
				out := (*[gemmNR]float32)(row)
				in := out
				if assign {
					in = &gemmZeros
				}
				gemmKernel(pairs, ap, bp, in, out)
				continue
			}
			if assign {
				w.acc = gemmZeros
			} else {
				copy(w.acc[:nr], row[:nr])
			}
			gemmKernel(pairs, ap, bp, &w.acc, &w.acc)
			copy(row[:nr], w.acc[:nr])
		}
	}
}
