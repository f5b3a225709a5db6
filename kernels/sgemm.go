package kernels

// Sgemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices, with
// BLAS semantics: op(X) is X, or Xᵀ when the matching trans flag is set.
//
// C is m×n with leading dimension ldc ≥ max(1, n). op(A) is m×k: A is
// stored m×k (lda ≥ max(1, k)), or k×m when transA (lda ≥ max(1, m)).
// op(B) is k×n: B is stored k×n (ldb ≥ max(1, n)), or n×k when transB
// (ldb ≥ max(1, k)). Only the m×n window of C is written; the padding
// between rows and everything outside A, B and that window is left as it
// was.
//
// beta = 0 assigns: whatever C held, NaN and Inf included, does not
// survive. alpha = 0 or k = 0 does not read A or B (so NaN there does not
// propagate) and gives beta·C. Otherwise NaN and Inf propagate as in the
// arithmetic. c must not overlap a or b.
//
// Accuracy: each element is within 16·k·ε·(|alpha|·(|A|·|B|)ᵢⱼ + |beta|·|Cᵢⱼ|)
// of the exact result, ε = 2⁻²⁴ (the gauge the tests check), as long as
// no product underflows and no partial sum overflows: a bound relative
// to the products cannot cover a product that rounds to zero or a sum
// that reaches ±Inf, and summation order decides where that happens.
// Summation order, and therefore the last bits, differ between
// implementations.
//
// Products of more than a few million flops are split over goroutines, at
// most GOMAXPROCS and at most what SetThreads allows. The split never
// changes the result: it is bit-identical for any number of goroutines.
// A steady-state call allocates nothing.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkGemm("Sgemm", transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	raceGemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, nil)
	active.sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, epilogue{})
}

// checkGemm checks the arguments of Sgemm and SgemmBiasAct (named fn).
func checkGemm(fn string, transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	checkDim(fn, "m", m)
	checkDim(fn, "n", n)
	checkDim(fn, "k", k)
	if transA {
		checkMatrix(fn, "a", a, k, m, lda, "k", "m", "lda")
	} else {
		checkMatrix(fn, "a", a, m, k, lda, "m", "k", "lda")
	}
	if transB {
		checkMatrix(fn, "b", b, n, k, ldb, "n", "k", "ldb")
	} else {
		checkMatrix(fn, "b", b, k, n, ldb, "k", "n", "ldb")
	}
	checkMatrix(fn, "c", c, m, n, ldc, "m", "n", "ldc")
}
