package kernels

import "github.com/simdnn/simdnn/internal/freelist"

// A layer's forward pass with its weights stored [out × in], X·Wᵀ, is a
// product with op(B) = Bᵀ, and so is dX = dY·Wᵀ with the weights stored
// [in × out] (the dX shapes of bench/gemm_test.go). The micro-kernels read
// rows of op(B), which are columns of B there, so B cannot be read where
// it lies (readsB) and must be packed: with a batch of 64 rows, that
// copy of all of W costs a tenth of the product. Its transpose has no such
// problem: Cᵀ = B·Aᵀ takes B as its left operand, whose rows a row kernel
// reads where they lie, and packs op(A)ᵀ = Aᵀ instead, the batch's m×k
// values rather than W's n×k. swappedGemm computes Cᵀ into a buffer that
// way and transposes it into C, then applies the epilogue in passes (its
// bias runs along the tile's rows there, where the kernels add it along
// the columns). It pays for m up to a few hundred rows: see swapPays.

// swappedGemm is the transposed algorithm around one row kernel.
type swappedGemm struct {
	rows   *rowsGemm // its packers transpose C too
	passes epiloguePasses
	pool   freelist.List[swapBuffer]
}

// swapBuffer holds Cᵀ for one call (one stripe of C).
type swapBuffer struct{ t []float32 }

func newSwappedGemm(rk rowKernel, pk packers, passes epiloguePasses) *swappedGemm {
	return &swappedGemm{rows: newRowsGemm(rk, pk), passes: passes}
}

// swapPays reports whether the transposed algorithm is the faster for a
// product of m×n (×k) with op(B) = Bᵀ: when m ≤ n, so that op(A) is the
// smaller operand to pack, and m ≤ 256, up to which it measured faster;
// from 512 rows on it gains nothing, and its transposes of C and the
// passes of the epilogue grow with m·n.
//
// Measured on Zen 5 (BenchmarkSgemm in ./bench, AVX-512, fraction of the
// FMA peak, packed → transposed; to measure again, make swapPays return
// false and compare go test ./bench -run '^$' -bench 'Sgemm$' -cpu 1 on
// the two builds): 64×784×256 0.77 → 0.91,
// 64×256×784 0.76 → 0.93, 128×784×256 0.80–0.81 → 0.88–0.91,
// 64×256×128 0.75 → 0.86, 256×784×256 0.85 → 0.87, 256×256×784
// 0.84–0.86 → 0.92, 512×784×256 0.86–0.87 either way; 32×784×256, with
// the 6×32 row kernel for its one panel, 0.61–0.63 → 0.84–0.85. On AVX2,
// 64×784×256 and 64×256×784 0.86–0.87 → 0.91–0.93, and from 128 rows
// on, no difference beyond the noise.
func swapPays(m, n int) bool { return m <= 256 && m <= n }

// sgemm has the contract of an impl's sgemm for m, n > 0, transA false and
// transB true, on one goroutine. Each element of C goes through the row
// kernel's k blocks, which depend on k alone, so the split into stripes
// does not change it.
func (g *swappedGemm) sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, ep epilogue) {
	if transA || !transB {
		panic("kernels: swappedGemm needs op(A) = A and op(B) = Bᵀ") // pick never does otherwise
	}
	if !ep.begin(m, n, k, alpha, beta, c, ldc) {
		return
	}
	buf := g.pool.Get()
	defer g.pool.Put(buf)
	// Cᵀ is n×m with leading dimension m; it starts as beta·Cᵀ when C is
	// to be added to (begin has scaled C).
	buf.t = grow(buf.t, n*m)
	var tBeta float32
	if beta != 0 {
		g.rows.pk.transpose(buf.t, m, c, ldc, m, n)
		tBeta = 1
	}
	// Cᵀ = alpha·B·op(A)ᵀ + Cᵀ: B's rows are the left operand, read
	// where they lie, and op(A)ᵀ = (A stored m×k)ᵀ the right one, which
	// rowsGemm packs transposed with alpha.
	g.rows.sgemm(false, true, n, m, k, alpha, b, ldb, a, lda, tBeta, buf.t, m, epilogue{})
	g.rows.pk.transpose(c, ldc, buf.t, m, n, m)
	ep.applyWith(g.passes, c, ldc, m, n)
}
