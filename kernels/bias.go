package kernels

// BiasAdd adds bias[j] to every element of column j of the m×n matrix C:
// C[i,j] += bias[j], accumulating into c. c holds C row-major with leading
// dimension ldc ≥ max(1, n); len(bias) must be n. Elements outside the m×n
// window are not touched. NaN and Inf propagate as in the addition; the
// result is exactly rounded.
func BiasAdd(c []float32, ldc, m, n int, bias []float32) {
	const fn = "BiasAdd"
	checkDim(fn, "m", m)
	checkDim(fn, "n", n)
	checkVec(fn, "bias", len(bias), n)
	checkMatrix(fn, "c", c, m, n, ldc, "m", "n", "ldc")
	if m == 0 || n == 0 {
		return
	}
	raceRead(bias)
	raceReadMatrix(c, m, n, ldc)
	raceWriteMatrix(c, m, n, ldc)
	active.biasAdd(c, ldc, m, n, bias)
}

// BiasGrad sets db[j] = Σᵢ dY[i,j], the column sums of the m×n matrix dY,
// overwriting db: the gradient of a bias from the gradient of the layer's
// output. dy holds dY row-major with leading dimension ldy ≥ max(1, n);
// len(db) must be n. With m = 0, db is set to zeros. NaN and Inf propagate.
//
// Accuracy: within m·ε·Σᵢ|dY[i,j]| of the exact sum, ε = 2⁻²⁴; the
// summation order differs between implementations.
func BiasGrad(db, dy []float32, ldy, m, n int) {
	const fn = "BiasGrad"
	checkDim(fn, "m", m)
	checkDim(fn, "n", n)
	checkVec(fn, "db", len(db), n)
	checkMatrix(fn, "dy", dy, m, n, ldy, "m", "n", "ldy")
	if n == 0 {
		return
	}
	raceReadMatrix(dy, m, n, ldy)
	raceWrite(db)
	active.biasGrad(db, dy, ldy, m, n)
}
