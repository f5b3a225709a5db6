package fallback

// Axpy sets y[i] += alpha·x[i].
func Axpy(y []float32, alpha float32, x []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += alpha * v
	}
}
