package kernels

// ReLU sets dst[i] = max(x[i], 0), overwriting dst; len(dst) must equal
// len(x). NaN gives NaN, −0 gives −0 and +Inf gives +Inf; the result is
// exact.
func ReLU(dst, x []float32) {
	checkLen("ReLU", "dst", len(dst), "x", len(x))
	raceRead(x)
	raceWrite(dst)
	active.relu(dst, x)
}

// ReLUGrad sets dx[i] = dy[i]·ReLU′(x[i]) from the forward input x: 0 where
// x[i] ≤ 0 (−0 included), dy[i] where x[i] > 0 or x[i] is NaN, as
// PyTorch's threshold backward does. The result is exact; a NaN in dy
// reaches dx only where x[i] > 0 or is NaN. dx may be x or dy.
func ReLUGrad(dx, x, dy []float32) {
	checkLen("ReLUGrad", "dx", len(dx), "x", len(x))
	checkLen("ReLUGrad", "dy", len(dy), "x", len(x))
	raceRead(x)
	raceRead(dy)
	raceWrite(dx)
	active.reluGrad(dx, x, dy)
}
