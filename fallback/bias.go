package fallback

// BiasAdd adds bias[j] to every c[i*ldc+j], for i < m and j < n.
func BiasAdd(c []float32, ldc, m, n int, bias []float32) {
	bias = bias[:n]
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		for j, b := range bias {
			row[j] += b
		}
	}
}

// BiasGrad sets db[j] to the sum over i < m of dy[i*ldy+j], for j < n.
func BiasGrad(db, dy []float32, ldy, m, n int) {
	db = db[:n]
	clear(db)
	for i := range m {
		row := dy[i*ldy : i*ldy+n]
		for j, v := range row {
			db[j] += v
		}
	}
}
