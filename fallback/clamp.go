package fallback

import "math"

// Clamp sets dst[i] = lo where x[i] < lo, hi where x[i] > hi, and x[i]
// elsewhere: NaN, and a zero between zero bounds of the other sign, pass
// through with their bits. Like ReLU's, the selects go through the bits so
// that they compile to conditional moves rather than branches (relu.go).
func Clamp(dst, x []float32, lo, hi float32) {
	dst = dst[:len(x)]
	lb, hb := math.Float32bits(lo), math.Float32bits(hi)
	for i, v := range x {
		b := math.Float32bits(v)
		if v < lo {
			b = lb
		}
		if v > hi {
			b = hb
		}
		dst[i] = math.Float32frombits(b)
	}
}
