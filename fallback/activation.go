package fallback

// ReLU sets dst[i] = max(x[i], 0), passing NaN and −0 through.
func ReLU(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		if v < 0 {
			v = 0
		}
		dst[i] = v
	}
}

// ReLUGrad sets dx[i] = 0 where x[i] ≤ 0 and dy[i] elsewhere (x > 0 or NaN).
func ReLUGrad(dx, x, dy []float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	for i, v := range x {
		g := dy[i]
		if v <= 0 {
			g = 0
		}
		dx[i] = g
	}
}

// LeakyReLU sets dst[i] = x[i] where x[i] ≥ 0 or NaN, slope·x[i] where x[i] < 0.
func LeakyReLU(dst, x []float32, slope float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		if v < 0 {
			v *= slope
		}
		dst[i] = v
	}
}

// LeakyReLUGrad sets dx[i] = slope·dy[i] where x[i] ≤ 0 and dy[i] elsewhere.
func LeakyReLUGrad(dx, x, dy []float32, slope float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	for i, v := range x {
		g := dy[i]
		if v <= 0 {
			g *= slope
		}
		dx[i] = g
	}
}

// TanhGrad sets dx[i] = dy[i]·(1 − y[i]²), from the saved output y = tanh(x).
func TanhGrad(dx, y, dy []float32) {
	dx, dy = dx[:len(y)], dy[:len(y)]
	for i, v := range y {
		dx[i] = dy[i] * (1 - v*v)
	}
}

// SigmoidGrad sets dx[i] = dy[i]·y[i]·(1 − y[i]), from the saved output y = σ(x).
func SigmoidGrad(dx, y, dy []float32) {
	dx, dy = dx[:len(y)], dy[:len(y)]
	for i, v := range y {
		dx[i] = dy[i] * (v * (1 - v))
	}
}
