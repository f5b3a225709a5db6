package fallback

import "math"

// The selects in ReLU, ReLUGrad, LeakyReLU and LeakyReLUGrad go through
// the float's bits on purpose: the Go compiler turns an integer select
// into a conditional move, but compiles a float select into a branch,
// which random signs mispredict half the time (on Zen 5 the bit form
// measured 12× faster on random inputs; to measure again, write ReLU's
// select on floats and compare SIMDNN_KERNELS=generic
// go test ./bench -run '^$' -bench 'Kernels/kernel=ReLU$' on the two).

// ReLU sets dst[i] = max(x[i], 0), passing NaN and −0 through.
func ReLU(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		b := math.Float32bits(v)
		if v < 0 {
			b = 0
		}
		dst[i] = math.Float32frombits(b)
	}
}

// ReLUGrad sets dx[i] = 0 where x[i] ≤ 0 and dy[i] elsewhere (x > 0 or NaN).
func ReLUGrad(dx, x, dy []float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	for i, v := range x {
		g := math.Float32bits(dy[i])
		if v <= 0 {
			g = 0
		}
		dx[i] = math.Float32frombits(g)
	}
}
