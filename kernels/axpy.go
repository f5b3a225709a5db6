package kernels

// Axpy sets y[i] += alpha·x[i], accumulating into y; len(y) must equal
// len(x). y may be x. The SIMD implementations use a fused multiply-add
// and round once: the result is alpha·x[i] + y[i] correctly rounded. The
// pure-Go one rounds the product, then the sum, so a product beyond
// float32's range is ±Inf there even where the sum would be finite, and
// cancellation can cost more than one ULP of the result. Long slices are
// split over goroutines (see SetThreads), with the same result.
func Axpy(y []float32, alpha float32, x []float32) {
	checkLen("Axpy", "y", len(y), "x", len(x))
	raceRead(x)
	raceRead(y)
	raceWrite(y)
	c := optimCall{kind: axpyUpdate, w: y, g: x, alpha: alpha}
	runOptim(&c)
}
