package fallback

import "math"

// LeakyReLU sets dst[i] = x[i] where x[i] ≥ 0 or NaN, slope·x[i] where x[i] < 0.
func LeakyReLU(dst, x []float32, slope float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		b := math.Float32bits(v)
		if p := math.Float32bits(v * slope); v < 0 {
			b = p
		}
		dst[i] = math.Float32frombits(b)
	}
}

// LeakyReLUGrad sets dx[i] = slope·dy[i] where x[i] ≤ 0 and dy[i] elsewhere.
func LeakyReLUGrad(dx, x, dy []float32, slope float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	for i, v := range x {
		g := math.Float32bits(dy[i])
		if p := math.Float32bits(dy[i] * slope); v <= 0 {
			g = p
		}
		dx[i] = math.Float32frombits(g)
	}
}
