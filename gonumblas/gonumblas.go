// Package gonumblas lets gonum's float32 BLAS run on simdnn's kernels: its
// Implementation satisfies gonum's blas.Float32, so one line,
//
//	blas32.Use(gonumblas.Implementation{})
//
// makes every blas32.Gemm of a program (and everything built on it) run
// simdnn's packed, multi-core SIMD Sgemm instead of gonum's own.
//
// Implementation embeds gonum's pure-Go implementation and overrides the
// routines that simdnn makes faster: Sgemm, and Saxpy and Sscal on
// unit-stride vectors. Everything else, and every call with arguments
// gonum rejects, goes to gonum's code, so each routine panics exactly as
// gonum's does and gonum's own error expectations hold.
package gonumblas

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/simdnn/simdnn/kernels"
)

// Implementation is gonum's blas.Float32 with simdnn's kernels behind
// Sgemm, Saxpy and Sscal. The zero value is ready to use.
//
// Results agree with gonum's within the rounding of a different summation
// order and of fused multiply-adds (see kernels.Sgemm and kernels.Axpy
// for the bounds); they are not bit-identical to gonum's.
type Implementation struct {
	gonum.Implementation
}

var _ blas.Float32 = Implementation{}

// Sgemm computes C = alpha·op(A)·op(B) + beta·C with kernels.Sgemm. The
// arguments and their checks are those of gonum's Sgemm; blas.ConjTrans
// is blas.Trans for real matrices.
func (im Implementation) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	aTrans, okA := transposed(tA)
	bTrans, okB := transposed(tB)
	if !okA || !okB || m <= 0 || n <= 0 || k < 0 || !gemmArgsValid(aTrans, bTrans, m, n, k, len(a), lda, len(b), ldb, len(c), ldc) {
		// Invalid arguments (gonum panics with its own message) or an
		// empty C (gonum returns): gonum's code does exactly what it does.
		im.Implementation.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	kernels.Sgemm(aTrans, bTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// transposed reports whether t transposes its matrix, and whether t is a
// valid blas.Transpose.
func transposed(t blas.Transpose) (trans, ok bool) {
	switch t {
	case blas.NoTrans:
		return false, true
	case blas.Trans, blas.ConjTrans:
		return true, true
	}
	return false, false
}

// gemmArgsValid reports whether gonum's Sgemm accepts these leading
// dimensions and lengths for m, n > 0 and k ≥ 0.
func gemmArgsValid(aTrans, bTrans bool, m, n, k, lenA, lda, lenB, ldb, lenC, ldc int) bool {
	ar, ac := m, k // op(A) is m×k: A is stored ar×ac
	if aTrans {
		ar, ac = k, m
	}
	br, bc := k, n
	if bTrans {
		br, bc = n, k
	}
	return fits(lenA, ar, ac, lda) && fits(lenB, br, bc, ldb) && fits(lenC, m, n, ldc)
}

// fits reports whether a slice of length l holds a rows×cols row-major
// matrix with leading dimension ld ≥ max(1, cols), as gonum checks it:
// (rows−1)·ld + cols elements, computed without overflow.
func fits(l, rows, cols, ld int) bool {
	if ld < max(1, cols) {
		return false
	}
	if rows == 0 { // gonum's bound is then cols − ld ≤ 0
		return true
	}
	// Even a matrix with no columns needs (rows−1)·ld elements in
	// gonum's check.
	return l >= cols && rows-1 <= (l-cols)/ld
}

// Saxpy computes y += alpha·x. Unit strides run kernels.Axpy, which on
// the SIMD implementations rounds alpha·x + y once (a fused multiply-add)
// where gonum rounds the product and the sum; other strides, alpha = 0
// and invalid arguments run gonum's code.
func (im Implementation) Saxpy(n int, alpha float32, x []float32, incX int, y []float32, incY int) {
	if incX == 1 && incY == 1 && n > 0 && alpha != 0 && len(x) >= n && len(y) >= n {
		kernels.Axpy(y[:n], alpha, x[:n])
		return
	}
	im.Implementation.Saxpy(n, alpha, x, incX, y, incY)
}

// Sscal computes x *= alpha. Unit stride runs kernels.Scale, exactly
// rounded as gonum's; alpha = 0 (which gonum defines to set zeros, even
// over NaN), other strides and invalid arguments run gonum's code.
func (im Implementation) Sscal(n int, alpha float32, x []float32, incX int) {
	if incX == 1 && n > 0 && alpha != 0 && len(x) >= n {
		kernels.Scale(x[:n], alpha)
		return
	}
	im.Implementation.Sscal(n, alpha, x, incX)
}
