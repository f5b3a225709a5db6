package fallback

// Scale sets x[i] *= alpha.
func Scale(x []float32, alpha float32) {
	for i := range x {
		x[i] *= alpha
	}
}
