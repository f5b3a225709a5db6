package fallback

// TEMPORARY naive Sgemm, replaced by the blocked one.

// Sgemm computes C = alpha·op(A)·op(B) + beta·C in row-major storage.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	for i := range m {
		for j := range n {
			var s float32
			if alpha != 0 {
				for l := range k {
					av := a[i*lda+l]
					if transA {
						av = a[l*lda+i]
					}
					bv := b[l*ldb+j]
					if transB {
						bv = b[j*ldb+l]
					}
					s += av * bv
				}
			}
			cv := alpha * s
			if beta != 0 {
				cv += beta * c[i*ldc+j]
			}
			c[i*ldc+j] = cv
		}
	}
}
