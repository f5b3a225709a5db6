package kernels

// Scale sets x[i] *= alpha, in place; the result is exactly rounded.
func Scale(x []float32, alpha float32) {
	raceRead(x)
	raceWrite(x)
	active.scale(x, alpha)
}
