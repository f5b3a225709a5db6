package kernels

import (
	"github.com/simdnn/simdnn/fallback"
	"github.com/simdnn/simdnn/internal/freelist"
)

// Products of at most ten columns with a long k (a ten-class classifier's
// output layer: k = 128 in the MNIST model) take a dot kernel
// (asm.SgemmDot2x10AVX512, asm.SgemmDot2x10AVX2), which puts k in the
// vector lanes where the other kernels put the columns, of which ten fill
// only ten lanes of sixteen. A's rows and Bᵀ's are read where they lie: op(B) = Bᵀ with ten
// rows and alpha = 1 is used as it is (W as nn stores it), anything else
// is copied into ten rows of k values first, the rows past n zero.

// dotKernel is a kernel with the contract of asm.SgemmDot2x10AVX512 for an
// mr×nr tile, which reads nr rows of Bᵀ and writes the first cols columns,
// or, unless masked, of asm.SgemmDot2x10AVX2, which writes all nr and
// takes k in multiples of kStep.
type dotKernel struct {
	mr, nr int
	fn     func(a []float32, lda int, bt []float32, ldbt int, c []float32, k, ldc, cols int, flags uint, bias []float32, slope float32)
	masked bool
	kStep  int
}

// dotBias is how many values of bias a dot kernel reads with flag 2.
const dotBias = 16

// dotMinK is the least k the dot kernel takes: its fold of the sixteen
// lanes costs about as much as k = 64 of FMAs per tile, so below it the
// row kernels are as fast.
const dotMinK = 64

// dotGemm runs a dot kernel over the rows of C.
type dotGemm struct {
	dk   dotKernel
	pk   packers
	pool freelist.List[gemmBuffers]
}

func newDotGemm(dk dotKernel, pk packers) *dotGemm { return &dotGemm{dk: dk, pk: pk} }

// sgemm has the contract of an impl's sgemm for m, n > 0, transA false and
// n ≤ the kernel's nr, on one goroutine. Each element of C is computed by
// the same sequence of operations whichever tile it is in, so the split
// into stripes does not change it.
func (g *dotGemm) sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, ep epilogue) {
	mr, nr := g.dk.mr, g.dk.nr
	if transA || n > nr {
		panic("kernels: dotGemm called with transA or too many columns") // pick never does
	}
	if !ep.begin(m, n, k, alpha, beta, c, ldc) {
		return
	}
	buf := g.pool.Get()
	defer g.pool.Put(buf)
	bt, ldbt := b, ldb
	if !transB || n < nr || alpha != 1 {
		buf.b = grow(buf.b, nr*k)
		if transB {
			for j := range n {
				copy(buf.b[j*k:(j+1)*k], b[j*ldb:])
			}
		} else {
			g.pk.transpose(buf.b, k, b, ldb, k, n)
		}
		clear(buf.b[n*k:])
		if alpha != 1 {
			fallback.Scale(buf.b[:n*k], alpha)
		}
		bt, ldbt = buf.b, k
	}
	flags := ep.blockFlags(beta, 0, k, k)
	buf.bias = grow(buf.bias, dotBias)
	bias := buf.tileBias(ep, flags, 0, n, dotBias)
	buf.tile = grow(buf.tile, mr*nr)
	for i := 0; i < m; i += mr {
		rows := min(mr, m-i)
		ar, ldar := a[i*lda:], lda
		if rows < mr {
			// The kernel reads mr rows: the rows left, copied, above
			// zeros.
			buf.a = grow(buf.a, mr*k)
			clear(buf.a)
			for r := range rows {
				copy(buf.a[r*k:(r+1)*k], a[(i+r)*lda:])
			}
			ar, ldar = buf.a, k
		}
		ct := c[i*ldc:]
		if rows == mr && (g.dk.masked || n == nr) {
			g.dk.fn(ar, ldar, bt, ldbt, ct, k, ldc, n, flags, bias, ep.slope)
			continue
		}
		// The kernel writes mr rows, and nr columns unless masked.
		buf.stage(ct, ldc, nr, rows, n, flags)
		g.dk.fn(ar, ldar, bt, ldbt, buf.tile, k, nr, n, flags, bias, ep.slope)
		buf.unstage(ct, ldc, nr, rows, n)
	}
	ep.finish(c, ldc, m, n)
}
