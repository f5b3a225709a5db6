package harness

import (
	"math"
	"math/rand/v2"
)

// GemmPad is the value the GEMM operands hold in the padding between rows
// and around them: huge, so that a kernel that reads it into a result is
// far outside the gauge.
const GemmPad = -1e10

// GemmRef is the float64 product P = op(A)·op(B) of an m×k and a k×n
// matrix, computed by the definition, with Σₗ|op(A)ᵢₗ|·|op(B)ₗⱼ| beside
// it for the error gauge. One product serves every alpha, beta and C
// (Want).
type GemmRef struct {
	M, N, K  int
	Sum, Mag []float64 // m×n, row-major
}

// NewGemmRef computes op(A)·op(B). op(A) is m×k, stored k×m when transA;
// op(B) is k×n, stored n×k when transB.
func NewGemmRef(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int) *GemmRef {
	r := &GemmRef{M: m, N: n, K: k, Sum: make([]float64, m*n), Mag: make([]float64, m*n)}
	for i := range m {
		for j := range n {
			var sum, mag float64
			for l := range k {
				var av, bv float32
				if transA {
					av = a[l*lda+i]
				} else {
					av = a[i*lda+l]
				}
				if transB {
					bv = b[j*ldb+l]
				} else {
					bv = b[l*ldb+j]
				}
				sum += float64(av) * float64(bv)
				mag += math.Abs(float64(av)) * math.Abs(float64(bv))
			}
			r.Sum[i*n+j] = sum
			r.Mag[i*n+j] = mag
		}
	}
	return r
}

// Want returns element (i, j) of alpha·P + beta·C, where c is Cᵢⱼ, and its
// error gauge 16·k·ε·(|alpha|·Σₗ|op(A)ᵢₗ|·|op(B)ₗⱼ| + |beta|·|Cᵢⱼ|), ε =
// 2⁻²⁴. As BLAS specifies, beta = 0 ignores C (a NaN there does not
// matter) and alpha = 0 or k = 0 ignores the product; the gauge is then 0
// and beta·C must come out exact (see GemmClose).
func (r *GemmRef) Want(i, j int, alpha, beta, c float32) (want, gauge float64) {
	const eps = 0x1p-24
	var g float64
	if alpha != 0 {
		want = float64(alpha) * r.Sum[i*r.N+j]
		g = math.Abs(float64(alpha)) * r.Mag[i*r.N+j]
	}
	if beta != 0 {
		want += float64(beta) * float64(c)
		g += math.Abs(float64(beta)) * math.Abs(float64(c))
	}
	if alpha == 0 {
		return want, 0
	}
	return want, 16 * float64(r.K) * eps * g
}

// Sgemm returns the reference result of kernels.Sgemm's arguments:
// alpha·op(A)·op(B) + beta·C as an m×n row-major matrix (leading dimension
// n), and the gauge of each element, as GemmRef.Want defines them.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) (want, gauge []float64) {
	r := &GemmRef{M: m, N: n, K: k, Sum: make([]float64, m*n), Mag: make([]float64, m*n)}
	if alpha != 0 {
		r = NewGemmRef(transA, transB, m, n, k, a, lda, b, ldb)
	}
	want = make([]float64, m*n)
	gauge = make([]float64, m*n)
	for i := range m {
		for j := range n {
			var cv float32
			if beta != 0 {
				cv = c[i*ldc+j]
			}
			want[i*n+j], gauge[i*n+j] = r.Want(i, j, alpha, beta, cv)
		}
	}
	return want, gauge
}

// GemmClose reports whether got matches the reference value want within
// gauge, or is want correctly rounded to float32 (which a zero gauge
// demands: alpha = 0 or k = 0 gives beta·C rounded once). A NaN matches
// only a NaN, and an infinite want only the same infinity (its gauge is
// infinite too).
func GemmClose(got float32, want, gauge float64) bool {
	g := float64(got)
	switch {
	case math.IsNaN(want) || math.IsNaN(g):
		return math.IsNaN(want) && math.IsNaN(g)
	case math.IsInf(want, 0):
		return g == want
	}
	return SameBits(got, Round32(want)) || math.Abs(g-want) <= gauge
}

// GemmLDs returns the leading dimensions a matrix with cols columns is
// tested with: the tightest, max(1, cols), then cols+1 and cols+7, so that
// the padding between rows is sometimes one element and sometimes not a
// multiple of any vector width.
func GemmLDs(cols int) [3]int {
	return [3]int{max(1, cols), cols + 1, cols + 7}
}

// GemmLen returns the length a rows×cols matrix with leading dimension ld
// needs, as kernels.Sgemm checks it: (rows−1)·ld + cols, or 0 when the
// matrix is empty.
func GemmLen(rows, cols, ld int) int {
	if rows == 0 || cols == 0 {
		return 0
	}
	return (rows-1)*ld + cols
}

// InWindow reports whether element i of a matrix with cols columns and
// leading dimension ld is inside the matrix rather than in the padding
// between its rows.
func InWindow(i, cols, ld int) bool { return i%ld < cols }

// GemmDense returns a rows×cols matrix, leading dimension cols, of values
// uniform in [−1, 1) drawn from rng: the logical contents of an operand,
// which GemmLayout places with any leading dimension.
func GemmDense(rng *rand.Rand, rows, cols int) []float32 {
	s := make([]float32, rows*cols)
	for i := range s {
		s[i] = 2*rng.Float32() - 1
	}
	return s
}

// GemmLayout copies the dense rows×cols matrix src (leading dimension cols)
// into dst with leading dimension ld and fills the padding between its rows
// with GemmPad. dst must be at least GemmLen long; elements past that are
// left alone. A nil src fills the matrix with NaN instead.
func GemmLayout(dst, src []float32, rows, cols, ld int) {
	if GemmLen(rows, cols, ld) == 0 {
		return
	}
	for r := range rows {
		row := dst[r*ld:][:cols]
		if src == nil {
			for j := range row {
				row[j] = float32(math.NaN())
			}
		} else {
			copy(row, src[r*cols:][:cols])
		}
		if r < rows-1 {
			pad := dst[r*ld+cols : (r+1)*ld]
			for j := range pad {
				pad[j] = GemmPad
			}
		}
	}
}

// GemmMatrix returns a new rows×cols matrix with leading dimension ld,
// exactly GemmLen long, of values uniform in [−1, 1) drawn from rng, with
// GemmPad in the padding.
func GemmMatrix(rng *rand.Rand, rows, cols, ld int) []float32 {
	s := make([]float32, GemmLen(rows, cols, ld))
	GemmLayout(s, GemmDense(rng, rows, cols), rows, cols, ld)
	return s
}
