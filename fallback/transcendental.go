package fallback

import "math"

// TEMPORARY: float64 stand-ins, replaced by float32 approximations.

func expf(x float32) float32 { return float32(math.Exp(float64(x))) }

// Exp sets dst[i] = eˣ⁽ⁱ⁾.
func Exp(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = expf(v)
	}
}

// Tanh sets dst[i] = tanh(x[i]).
func Tanh(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = float32(math.Tanh(float64(v)))
	}
}

// Sigmoid sets dst[i] = 1/(1+e^−x[i]).
func Sigmoid(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = float32(1 / (1 + math.Exp(-float64(v))))
	}
}
