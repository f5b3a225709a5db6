package kernels

// NUMERICS.md, at the repository's root, lists the promises these tests
// check; change the two together.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdnn/simdnn/internal/harness"
)

// The activations and their gradients, swept by harness.Elementwise over
// lengths, offsets, in-place calls and guard pages against the float64
// references of harness, then checked on every pair of special values
// against their contracts as the doc comments state them.

// garbage draws the initial value of an output the kernel only writes:
// random bits, often a NaN, so that a kernel that reads dst is caught.
func garbage(r *rand.Rand) float32 {
	if r.IntN(4) == 0 {
		return math.Float32frombits(0x7fc00000 | r.Uint32()&0x3fffff | r.Uint32()&0x80000000)
	}
	return math.Float32frombits(r.Uint32())
}

// special returns one of harness.Specials at random.
func special(r *rand.Rand) float32 {
	s := harness.Specials()
	return s[r.IntN(len(s))]
}

// mixed draws a special value with probability 1/8, a float32 of random
// bits (any exponent, sometimes Inf or NaN) with probability 1/8, and
// otherwise a value uniform in [lo, hi).
func mixed(r *rand.Rand, lo, hi float64) float32 {
	switch r.IntN(8) {
	case 0:
		return special(r)
	case 1:
		return math.Float32frombits(r.Uint32())
	}
	return harness.Uniform(r, lo, hi)
}

// unaryGen returns a Gen for kernels (dst, x): garbage for dst, mixed
// values in [lo, hi) for x.
func unaryGen(lo, hi float64) func(r *rand.Rand, op int) float32 {
	return func(r *rand.Rand, op int) float32 {
		if op == 0 {
			return garbage(r)
		}
		return mixed(r, lo, hi)
	}
}

// gradGen returns a Gen for kernels (dx, x, dy): garbage for dx, mixed
// values in [-2, 2) for x and dy.
func gradGen(r *rand.Rand, op int) float32 {
	if op == 0 {
		return garbage(r)
	}
	return mixed(r, -2, 2)
}

func TestIdentity(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		harness.Elementwise{
			Name:     "Identity",
			Operands: []string{"dst", "x"},
			Outputs:  1,
			Call:     func(o [][]float32) { Identity(o[0], o[1]) },
			Gen:      unaryGen(-2, 2),
			Ref:      func(in []float32, w []float64) { w[0] = float64(in[1]) },
			Aliases:  [][2]int{{0, 1}},
		}.Sweep(t, 1)
	})
}

func TestIdentityGrad(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		harness.Elementwise{
			Name:     "IdentityGrad",
			Operands: []string{"dx", "dy"},
			Outputs:  1,
			Call:     func(o [][]float32) { IdentityGrad(o[0], o[1]) },
			Gen:      unaryGen(-2, 2),
			Ref:      func(in []float32, w []float64) { w[0] = float64(in[1]) },
			Aliases:  [][2]int{{0, 1}},
		}.Sweep(t, 2)
	})
}

func TestReLU(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		harness.Elementwise{
			Name:     "ReLU",
			Operands: []string{"dst", "x"},
			Outputs:  1,
			Call:     func(o [][]float32) { ReLU(o[0], o[1]) },
			Gen:      unaryGen(-2, 2),
			Ref:      func(in []float32, w []float64) { w[0] = harness.ReLU(in[1]) },
			Aliases:  [][2]int{{0, 1}},
		}.Sweep(t, 3)
	})
}

// reluGrad is ReLUGrad for harness.Elementwise: exact.
var reluGrad = harness.Elementwise{
	Name:     "ReLUGrad",
	Operands: []string{"dx", "x", "dy"},
	Outputs:  1,
	Call:     func(o [][]float32) { ReLUGrad(o[0], o[1], o[2]) },
	Gen:      gradGen,
	Ref:      func(in []float32, w []float64) { w[0] = harness.ReLUGrad(in[1], in[2]) },
	Aliases:  [][2]int{{0, 1}, {0, 2}},
}

func TestReLUGrad(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		reluGrad.Sweep(t, 4)
	})
}

// leakySlopes are the slopes the leaky ReLU tests use: the common 0.01
// and 0.1, the limits 0 and 1, and one that scales up; the sweeps add a
// negative one. With 0 and −0.5, x = −0 checks the contract's "−0 gives −0
// whatever the slope" where slope·x would give +0.
var leakySlopes = []float32{0.01, 0.1, 0, 1, 2}

// leakyReLU is LeakyReLU with slope for harness.Elementwise: exact, as
// slope·x is exact in float64 and rounding the reference gives the
// correctly rounded product.
func leakyReLU(slope float32) harness.Elementwise {
	return harness.Elementwise{
		Name:     fmt.Sprint("LeakyReLU slope=", slope),
		Operands: []string{"dst", "x"},
		Outputs:  1,
		Call:     func(o [][]float32) { LeakyReLU(o[0], o[1], slope) },
		Ref:      func(in []float32, w []float64) { w[0] = harness.LeakyReLU(in[1], slope) },
		Aliases:  [][2]int{{0, 1}},
	}
}

func TestLeakyReLU(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		for i, slope := range append(leakySlopes, -0.5) {
			t.Run(fmt.Sprint("slope=", slope), func(t *testing.T) {
				k := leakyReLU(slope)
				k.Gen = unaryGen(-2, 2)
				k.NoGuard = i > 0 // see harness.Elementwise.NoGuard
				k.Sweep(t, 5)
			})
		}
	})
}

// leakyReLUGrad is LeakyReLUGrad with slope for harness.Elementwise:
// exact.
func leakyReLUGrad(slope float32) harness.Elementwise {
	return harness.Elementwise{
		Name:     fmt.Sprint("LeakyReLUGrad slope=", slope),
		Operands: []string{"dx", "x", "dy"},
		Outputs:  1,
		Call:     func(o [][]float32) { LeakyReLUGrad(o[0], o[1], o[2], slope) },
		Gen:      gradGen,
		Ref:      func(in []float32, w []float64) { w[0] = harness.LeakyReLUGrad(in[1], in[2], slope) },
		Aliases:  [][2]int{{0, 1}, {0, 2}},
	}
}

func TestLeakyReLUGrad(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		for i, slope := range append(leakySlopes, -0.5) {
			t.Run(fmt.Sprint("slope=", slope), func(t *testing.T) {
				k := leakyReLUGrad(slope)
				k.NoGuard = i > 0
				k.Sweep(t, 6)
			})
		}
	})
}

// tanhOutputs are the special values a tanh output can take: the
// signed zeros and denormals, FLT_MIN, ±1 and the floats next to them, and
// NaN.
var tanhOutputs = []float32{0, math.Float32frombits(1), math.Float32frombits(0x007fffff), 0x1p-126, 0.5, 1 - 0x1p-24, 1, float32(math.NaN())}

// sigmoidOutputs are the special values a sigmoid output can take, in
// [0, 1].
var sigmoidOutputs = []float32{0, math.Float32frombits(1), math.Float32frombits(0x007fffff), 0x1p-126, 1e-30, 0.5, 1 - 0x1p-24, 1, float32(math.NaN())}

// tanhGradTol bounds dx = dy·(1 − y²) computed in float32. Rounding
// y² makes an absolute error of at most ulp(y²)/2 ≤ 2⁻²⁴·y², which
// 1 − y² does not shrink when y² is near 1 (cancellation), so the result
// may be off by |dy|·y²·2⁻²⁴; an order dy − (dy·y)·y rounds twice there,
// hence 2⁻²³. The subtraction and the product each round once more, with
// a relative error ≤ 2⁻²⁴, which is less than 1 ULP of the result: 2 ULP.
func tanhGradTol(in []float32, _ []float64, _ int) (ulps, abs float64) {
	y, dy := float64(in[1]), float64(in[2])
	if y == 0 {
		return 2, 0 // and not Inf·0
	}
	return 2, 0x1p-23 * math.Abs(dy) * y * y
}

// sigmoidGradTol bounds dx = dy·y·(1 − y): three roundings, each a
// relative error ≤ 2⁻²⁴, less than 1 ULP of the result each. 1 − y has no
// cancellation to amplify (it is exact for y ≥ 1/2), but y·dy can
// underflow before the last product, hence 2⁻¹⁴⁹.
func sigmoidGradTol([]float32, []float64, int) (ulps, abs float64) {
	return 3, 0x1p-149
}

// outputGen returns a Gen for (dx, y, dy) gradients from a saved output:
// y from outs (with probability 1/8) or uniform in [lo, hi), dy mixed.
func outputGen(outs []float32, lo, hi float64) func(r *rand.Rand, op int) float32 {
	return func(r *rand.Rand, op int) float32 {
		switch op {
		case 0:
			return garbage(r)
		case 1:
			if r.IntN(8) == 0 {
				v := outs[r.IntN(len(outs))]
				if lo < 0 && r.IntN(2) == 0 {
					v = -v
				}
				return v
			}
			return harness.Uniform(r, lo, hi)
		}
		return mixed(r, -4, 4)
	}
}

// tanhGrad is TanhGrad for harness.Elementwise, within tanhGradTol.
var tanhGrad = harness.Elementwise{
	Name:     "TanhGrad",
	Operands: []string{"dx", "y", "dy"},
	Outputs:  1,
	Call:     func(o [][]float32) { TanhGrad(o[0], o[1], o[2]) },
	Gen:      outputGen(tanhOutputs, -1, 1),
	Ref:      func(in []float32, w []float64) { w[0] = harness.TanhGrad(in[1], in[2]) },
	Tol:      tanhGradTol,
	Aliases:  [][2]int{{0, 1}, {0, 2}},
}

func TestTanhGrad(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		tanhGrad.Sweep(t, 7)
	})
}

// sigmoidGrad is SigmoidGrad for harness.Elementwise, within
// sigmoidGradTol.
var sigmoidGrad = harness.Elementwise{
	Name:     "SigmoidGrad",
	Operands: []string{"dx", "y", "dy"},
	Outputs:  1,
	Call:     func(o [][]float32) { SigmoidGrad(o[0], o[1], o[2]) },
	Gen:      outputGen(sigmoidOutputs, 0, 1),
	Ref:      func(in []float32, w []float64) { w[0] = harness.SigmoidGrad(in[1], in[2]) },
	Tol:      sigmoidGradTol,
	Aliases:  [][2]int{{0, 1}, {0, 2}},
}

func TestSigmoidGrad(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		sigmoidGrad.Sweep(t, 8)
	})
}

// TestTranscendentalSweep runs the transcendental activations through the
// harness's lengths, offsets, aliasing and guard pages, within the bound
// their doc comments state for the implementation under test (transFunc's
// bound); their special values are transcendental_test.go's, and their
// accuracy over all float32 inputs kernels/internal/sweep's.
func TestTranscendentalSweep(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    func(dst, x []float32)
		ref  func(float32) float64
		lim  float64 // x is drawn from [−lim, lim)
	}{
		{"Exp", Exp, harness.Exp, 80},
		{"Tanh", Tanh, harness.Tanh, 10},
		{"Sigmoid", Sigmoid, harness.Sigmoid, 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forEachImpl(t, func(t *testing.T) {
				var sweepULP float64
				for _, f := range transFuncs {
					if f.Name == tc.name {
						sweepULP = f.bound()
					}
				}
				harness.Elementwise{
					Name:     tc.name,
					Operands: []string{"dst", "x"},
					Outputs:  1,
					Call:     func(o [][]float32) { tc.f(o[0], o[1]) },
					Gen: func(r *rand.Rand, op int) float32 {
						if op == 0 {
							return garbage(r)
						}
						return harness.Uniform(r, -tc.lim, tc.lim)
					},
					Ref:     func(in []float32, w []float64) { w[0] = tc.ref(in[1]) },
					Tol:     func([]float32, []float64, int) (float64, float64) { return sweepULP, 0 },
					Aliases: [][2]int{{0, 1}},
				}.Sweep(t, 9)
			})
		})
	}
}

// pairs returns every pair (a, b) of xs × ys as two slices.
func pairs(xs, ys []float32) (as, bs []float32) {
	for _, a := range xs {
		for _, b := range ys {
			as, bs = append(as, a), append(bs, b)
		}
	}
	return as, bs
}

// isNaN reports whether v is a NaN.
func isNaN(v float32) bool { return v != v }

// bitsEq reports whether a and b are the same float32 bit for bit, NaN
// payloads included.
func bitsEq(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }

// TestActivationSpecials checks each activation's contract, as its doc
// comment states it, on every special value (every pair of them for the
// gradients), independently of harness's references.
func TestActivationSpecials(t *testing.T) {
	sp := harness.Specials()
	// A few NaNs with payloads and signs, for the copies that must keep
	// them.
	nans := []float32{math.Float32frombits(0x7fc01234), math.Float32frombits(0xffc00001), math.Float32frombits(0x7f800001)}
	forEachImpl(t, func(t *testing.T) {
		errs := &harness.Errs{T: t}
		var outs harness.Outputs
		defer outs.Check(errs, "TestActivationSpecials")

		x := append(append([]float32{}, sp...), nans...)
		dst := outs.Make("dst", len(x))
		Identity(dst, x)
		for i, v := range x {
			if !bitsEq(dst[i], v) {
				errs.Errorf("Identity(%s) = %s, want the same bits", harness.F(v), harness.F(dst[i]))
			}
		}
		IdentityGrad(dst, x)
		for i, v := range x {
			if !bitsEq(dst[i], v) {
				errs.Errorf("IdentityGrad(%s) = %s, want the same bits", harness.F(v), harness.F(dst[i]))
			}
		}

		ReLU(dst, x)
		for i, v := range x {
			switch {
			case isNaN(v):
				if !isNaN(dst[i]) {
					errs.Errorf("ReLU(%s) = %s, want NaN", harness.F(v), harness.F(dst[i]))
				}
			case v < 0:
				if !bitsEq(dst[i], 0) {
					errs.Errorf("ReLU(%s) = %s, want +0", harness.F(v), harness.F(dst[i]))
				}
			default: // +0, −0 and positive values, +Inf: themselves
				if !bitsEq(dst[i], v) {
					errs.Errorf("ReLU(%s) = %s, want itself", harness.F(v), harness.F(dst[i]))
				}
			}
		}

		for _, slope := range []float32{0.01, 0.1} {
			LeakyReLU(dst, x, slope)
			for i, v := range x {
				want := v
				if v < 0 || bitsEq(v, float32(math.Copysign(0, -1))) {
					want = float32(float64(slope) * float64(v)) // correctly rounded, −0·slope for −0
				}
				if !harness.SameBits(dst[i], want) {
					errs.Errorf("LeakyReLU(%s, slope=%g) = %s, want %s", harness.F(v), slope, harness.F(dst[i]), harness.F(want))
				}
			}
		}

		xs, dys := pairs(x, sp)
		dx := outs.Make("dx", len(xs))
		ReLUGrad(dx, xs, dys)
		for i, v := range xs {
			want := dys[i] // x > 0 or NaN: dy, NaN included
			if v <= 0 {
				want = 0 // +0, whatever dy holds
			}
			if !harness.SameBits(dx[i], want) {
				errs.Errorf("ReLUGrad(x=%s, dy=%s) = %s, want %s", harness.F(v), harness.F(dys[i]), harness.F(dx[i]), harness.F(want))
			}
		}
		for _, slope := range []float32{0.01, 0.1} {
			LeakyReLUGrad(dx, xs, dys, slope)
			for i, v := range xs {
				want := dys[i]
				if v <= 0 {
					want = float32(float64(slope) * float64(dys[i]))
				}
				if !harness.SameBits(dx[i], want) {
					errs.Errorf("LeakyReLUGrad(x=%s, dy=%s, slope=%g) = %s, want %s", harness.F(v), harness.F(dys[i]), slope, harness.F(dx[i]), harness.F(want))
				}
			}
		}

		for _, g := range []struct {
			name string
			f    func(dx, y, dy []float32)
			outs []float32
			ref  func(y, dy float32) float64
			tol  func([]float32, []float64, int) (float64, float64)
		}{
			{"TanhGrad", TanhGrad, signed(tanhOutputs), harness.TanhGrad, tanhGradTol},
			{"SigmoidGrad", SigmoidGrad, sigmoidOutputs, harness.SigmoidGrad, sigmoidGradTol},
		} {
			ys, dys := pairs(g.outs, sp)
			dx := outs.Make(g.name+" dx", len(ys))
			g.f(dx, ys, dys)
			for i, y := range ys {
				want := g.ref(y, dys[i])
				ulps, abs := g.tol([]float32{0, y, dys[i]}, nil, 0)
				nan := isNaN(y) || isNaN(dys[i])
				if nan && !isNaN(dx[i]) || !harness.Within(dx[i], want, ulps, abs) {
					errs.Errorf("%s(y=%s, dy=%s) = %s, want %g", g.name, harness.F(y), harness.F(dys[i]), harness.F(dx[i]), want)
				}
			}
		}
	})
}

// signed returns xs followed by their negations.
func signed(xs []float32) []float32 {
	s := append([]float32{}, xs...)
	for _, v := range xs {
		s = append(s, -v)
	}
	return s
}
