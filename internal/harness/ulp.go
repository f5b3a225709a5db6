package harness

import "math"

// ULP returns the distance from got to the float64 value want in units of
// the last place of float32 at want: |got − want| / ulp(want), where ulp(x)
// is the spacing of float32 numbers around |x| (2⁻¹⁴⁹ in the denormals).
// Two NaNs, or two equal infinities, are 0 apart; a NaN against a number,
// or an infinity against anything else, is +Inf apart.
func ULP(got float32, want float64) float64 {
	g := float64(got)
	switch {
	case math.IsNaN(g) || math.IsNaN(want):
		if math.IsNaN(g) && math.IsNaN(want) {
			return 0
		}
		return math.Inf(1)
	case math.IsInf(g, 0) || math.IsInf(want, 0):
		// want beyond float32's range rounds to ±Inf: a got of ±Inf
		// with the right sign is then exact.
		if g == float64(float32(want)) {
			return 0
		}
		return math.Inf(1)
	}
	return math.Abs(g-want) / ULPAt(want)
}

// ULPAt returns the spacing of float32 numbers at |x|: 2^(e−23) for x in
// [2^e, 2^(e+1)), and 2⁻¹⁴⁹ for x below the normal range.
func ULPAt(x float64) float64 {
	x = math.Abs(x)
	if x < 0x1p-126 {
		return 0x1p-149
	}
	if x > math.MaxFloat32 {
		x = math.MaxFloat32
	}
	_, e := math.Frexp(x) // x = f·2^e, f in [0.5, 1)
	return math.Ldexp(1, e-24)
}

// Round32 returns want rounded to float32, with values beyond float32's
// range going to ±Inf as a float32 operation would.
func Round32(want float64) float32 { return float32(want) }

// SameBits reports whether a and b are the same float32, treating every NaN
// as equal to every other NaN.
func SameBits(a, b float32) bool {
	if a != a && b != b {
		return true
	}
	return math.Float32bits(a) == math.Float32bits(b)
}
