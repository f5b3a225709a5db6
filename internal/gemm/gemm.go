// Package gemm holds the steps of Sgemm that the pure-Go implementation
// (package fallback) and the SIMD drivers (package kernels) share.
package gemm

// ScaleC sets C = beta·C over the m×n window, the whole product when
// alpha or k is 0: beta = 0 assigns zeros (NaN in C does not survive) and
// beta = 1 leaves C as it is. Every Sgemm driver does this first.
func ScaleC(m, n int, beta float32, c []float32, ldc int) {
	if beta == 1 {
		return
	}
	for i := range m {
		row := c[i*ldc:][:n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// SplitBlock returns the block size that splits d into the fewest blocks
// of at most limit, as evenly as possible, rounded up to a multiple of
// align (limit is one).
func SplitBlock(d, limit, align int) int {
	nblocks := (d + limit - 1) / limit
	size := (d + nblocks - 1) / nblocks
	return (size + align - 1) / align * align
}
