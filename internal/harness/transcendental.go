package harness

import "math"

// Transcendental describes one of the transcendental kernels of package
// kernels as its doc comment does, for the tests that hold every
// implementation to it (kernels' own, and the full-range sweep in
// kernels/internal/sweep).
type Transcendental struct {
	Name   string
	Ref    func(float32) float64
	Lo, Hi float32 // the range of the results of non-NaN inputs
	// SIMDULP is the bound stated for the vector kernels; SIMDBits says
	// they give the fallback's bits. The fallback's own bound is
	// TranscendentalULP.
	SIMDULP  float64
	SIMDBits bool
}

const (
	// TranscendentalULP is the accuracy that the doc comments of Exp,
	// Tanh and Sigmoid promise for the pure-Go kernels, and for Exp on
	// every implementation: at most this many ULPs from the exact result,
	// over every float32 input.
	TranscendentalULP = 1
	// FastTranscendentalULP is the bound they state for the vector Tanh
	// and Sigmoid, which use fused multiply-adds and a faster exp.
	FastTranscendentalULP = 3
)

// Transcendentals are Exp, Tanh and Sigmoid.
var Transcendentals = []Transcendental{
	{"Exp", Exp, 0, float32(math.Inf(1)), TranscendentalULP, true},
	{"Tanh", Tanh, -1, 1, FastTranscendentalULP, false},
	{"Sigmoid", Sigmoid, 0, 1, FastTranscendentalULP, false},
}

// Saturates reports whether r is one of the ends of f's range (for Exp, 0
// or +Inf): the results that the doc comments pin to the correctly rounded
// function's thresholds.
func (f Transcendental) Saturates(r float32) bool { return r == f.Lo || r == f.Hi }

// TransValue is an input of a transcendental's special-value table and
// what it must give.
type TransValue struct {
	X     float32
	Want  float32
	Exact bool // Want is the only acceptable result, bit for bit; otherwise within the bound of the reference
}

// TransValues returns the special values of the named function: the
// special values of every kernel, the saturation, overflow and underflow
// thresholds documented on the function with their float32 neighbours,
// and the points where the implementations switch formulas.
func TransValues(name string) []TransValue {
	bits := math.Float32frombits
	inf := float32(math.Inf(1))
	nan := float32(math.NaN())
	ex := func(x, want float32) TransValue { return TransValue{x, want, true} }
	near := func(xs ...float32) []TransValue {
		var vs []TransValue
		for _, x := range xs {
			vs = append(vs, TransValue{X: x})
		}
		return vs
	}
	nans := []TransValue{ex(nan, nan), ex(-nan, nan), ex(bits(0x7f800001), nan), ex(bits(0xffc01234), nan)}
	tiny := near(bits(1), -bits(1), bits(0x007fffff), -bits(0x007fffff), 0x1p-126, -0x1p-126)

	var vs []TransValue
	switch name {
	case "Exp":
		vs = []TransValue{
			ex(0, 1), ex(negZero, 1),
			ex(inf, inf), ex(-inf, 0), ex(1e30, inf), ex(-1e30, 0),
			ex(math.MaxFloat32, inf), ex(-math.MaxFloat32, 0),
			// Overflow: 88.7228317 is the last finite result.
			ex(bits(0x42b17218), inf), ex(bits(0x42b17219), inf), ex(89, inf),
			// Underflow: −103.972084 is the first 0, −103.972076 gives 2⁻¹⁴⁹.
			ex(bits(0xc2cff1b5), 0), ex(bits(0xc2cff1b6), 0), ex(-104, 0), ex(-200, 0),
			ex(bits(0xc2cff1b4), 0x1p-149),
		}
		vs = append(vs, near(1, -1, bits(0x42b17217), bits(0x42b17216), 88, -87,
			-87.33654, -87.33655, // eˣ around FLT_MIN
			-100, -103.9, bits(0xc2cff1b3),
			0.34657359, -0.34657359, 0.5, 10)...)
	case "Sigmoid":
		vs = []TransValue{
			ex(0, 0.5), ex(negZero, 0.5),
			ex(inf, 1), ex(-inf, 0), ex(1e30, 1), ex(-1e30, 0),
			ex(math.MaxFloat32, 1), ex(-math.MaxFloat32, 0),
			// Saturation: 17.32868 is the first 1.
			ex(bits(0x418aa123), 1), ex(bits(0x418aa124), 1), ex(18, 1), ex(100, 1),
			ex(bits(0x418aa122), bits(0x3f7fffff)),
			// Underflow, as for Exp.
			ex(bits(0xc2cff1b5), 0), ex(bits(0xc2cff1b6), 0), ex(-104, 0), ex(-200, 0),
			ex(bits(0xc2cff1b4), 0x1p-149),
		}
		vs = append(vs, near(1, -1, 17, -17, 88, -88, 89, -89, -87.33654, -100, -103.9, bits(0xc2cff1b3))...)
	case "Tanh":
		vs = []TransValue{
			ex(0, 0), ex(negZero, negZero),
			ex(inf, 1), ex(-inf, -1), ex(1e30, 1), ex(-1e30, -1),
			ex(math.MaxFloat32, 1), ex(-math.MaxFloat32, -1),
			// Saturation: 9.01091385 is the first ±1.
			ex(bits(0x41102cb4), 1), ex(-bits(0x41102cb4), -1), ex(bits(0x41102cb5), 1), ex(10, 1), ex(-10, -1),
			ex(bits(0x41102cb3), bits(0x3f7fffff)), ex(-bits(0x41102cb3), -bits(0x3f7fffff)),
		}
		vs = append(vs, near(1, -1, 0.625, -0.625, bits(0x3f1fffff), bits(0x3f200001), -bits(0x3f1fffff),
			0x1p-12, bits(0x397fffff), -0x1p-12, 9, -9, 9.1, 45, -45)...)
	}
	vs = append(vs, tiny...)
	return append(vs, nans...)
}

var negZero = float32(math.Copysign(0, -1))
