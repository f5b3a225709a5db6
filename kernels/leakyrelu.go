package kernels

// LeakyReLU sets dst[i] = x[i] where x[i] ≥ 0 (−0 included, whatever the
// slope) and slope·x[i] where x[i] < 0, overwriting dst. Common slopes are
// 0.01 and 0.1; any float32 is accepted. NaN gives NaN; the result is x or
// the correctly rounded product.
func LeakyReLU(dst, x []float32, slope float32) {
	checkLen("LeakyReLU", "dst", len(dst), "x", len(x))
	raceRead(x)
	raceWrite(dst)
	active.leakyReLU(dst, x, slope)
}

// LeakyReLUGrad sets dx[i] = slope·dy[i] where x[i] ≤ 0 and dy[i] where
// x[i] > 0 or x[i] is NaN, from the forward input x. dx may be x or dy.
func LeakyReLUGrad(dx, x, dy []float32, slope float32) {
	checkLen("LeakyReLUGrad", "dx", len(dx), "x", len(x))
	checkLen("LeakyReLUGrad", "dy", len(dy), "x", len(x))
	raceRead(x)
	raceRead(dy)
	raceWrite(dx)
	active.leakyReLUGrad(dx, x, dy, slope)
}
