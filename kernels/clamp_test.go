package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdnn/simdnn/internal/harness"
)

// Clamp against harness.Clamp, the float64 reference built on math.Max and
// math.Min, on every implementation: swept by harness.Elementwise over
// lengths, offsets, in-place calls and guard pages for each pair of
// harness.ClampBounds, at every length to 300 and two long ones, and on every
// special value as both x and bounds, bit for bit against the doc comment.

// clampKernel is Clamp with bounds lo and hi for harness.Elementwise: exact.
func clampKernel(lo, hi float32) harness.Elementwise {
	return harness.Elementwise{
		Name:     fmt.Sprintf("Clamp lo=%s hi=%s", harness.F(lo), harness.F(hi)),
		Operands: []string{"dst", "x"},
		Outputs:  1,
		Call:     func(o [][]float32) { Clamp(o[0], o[1], lo, hi) },
		Gen:      unaryGen(-2, 2),
		Ref:      func(in []float32, w []float64) { w[0] = harness.Clamp(in[1], lo, hi) },
		Aliases:  [][2]int{{0, 1}},
	}
}

func TestClamp(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		for i, b := range harness.ClampBounds() {
			t.Run(fmt.Sprintf("lo=%g,hi=%g", b[0], b[1]), func(t *testing.T) {
				k := clampKernel(b[0], b[1])
				k.NoGuard = i > 0 // see harness.Elementwise.NoGuard
				k.Sweep(t, 12)
			})
		}
	})
}

// TestClampLengths covers every length to 300, past the loops' every
// exit on every vector width, and two long slices, each at one of the
// offsets between canaries.
func TestClampLengths(t *testing.T) {
	var lengths []int
	for n := range 301 {
		lengths = append(lengths, n)
	}
	lengths = append(lengths, 1<<16+3, 1<<20+5)
	k := clampKernel(-1, 1)
	r := rand.New(rand.NewPCG(13, 14))
	forEachImpl(t, func(t *testing.T) {
		errs := &harness.Errs{T: t}
		for _, n := range lengths {
			dst, x := make([]float32, n), make([]float32, n)
			for i := range x {
				dst[i], x[i] = k.Gen(r, 0), k.Gen(r, 1)
			}
			k.Once(errs, fmt.Sprintf("Clamp n=%d", n), [][]float32{dst, x}, n%harness.Offsets)
		}
	})
}

// TestClampSpecials checks Clamp's doc comment on every special value as
// x, with NaNs of several payloads, against every ordered pair of special
// values as bounds: x's bits where lo ≤ x ≤ hi or x is NaN, lo's below,
// hi's above; and Clamp(x, 0, +Inf) against ReLU, bit for bit.
func TestClampSpecials(t *testing.T) {
	sp := harness.Specials()
	x := append(append([]float32{}, sp...),
		math.Float32frombits(0x7fc01234), math.Float32frombits(0xffc00001), // quiet NaNs
		math.Float32frombits(0x7f800001), math.Float32frombits(0xff812345)) // signalling NaNs
	var bounds []float32
	for _, v := range sp {
		if !isNaN(v) {
			bounds = append(bounds, v)
		}
	}
	forEachImpl(t, func(t *testing.T) {
		errs := &harness.Errs{T: t}
		var outs harness.Outputs
		defer outs.Check(errs, "TestClampSpecials")
		dst := outs.Make("dst", len(x))
		for _, lo := range bounds {
			for _, hi := range bounds {
				if lo > hi {
					continue
				}
				Clamp(dst, x, lo, hi)
				for i, v := range x {
					want := v
					switch {
					case v < lo:
						want = lo
					case v > hi:
						want = hi
					}
					if !bitsEq(dst[i], want) {
						errs.Errorf("Clamp(%s, lo=%s, hi=%s) = %s, want %s", harness.F(v), harness.F(lo), harness.F(hi), harness.F(dst[i]), harness.F(want))
					}
				}
			}
		}
		relu := outs.Make("relu", len(x))
		ReLU(relu, x)
		Clamp(dst, x, 0, float32(math.Inf(1)))
		for i, v := range x {
			if !bitsEq(dst[i], relu[i]) {
				errs.Errorf("Clamp(%s, 0, +Inf) = %s, ReLU gives %s", harness.F(v), harness.F(dst[i]), harness.F(relu[i]))
			}
		}
	})
}

// TestClampChecks covers Clamp's argument checks, which run before any
// implementation and so whatever the slices hold, and that a call that
// passes them allocates nothing.
func TestClampChecks(t *testing.T) {
	s := func(n int) []float32 { return make([]float32, n) }
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	for _, tc := range []struct {
		want string
		f    func()
	}{
		{"kernels.Clamp: len(dst)=2 != len(x)=3", func() { Clamp(s(2), s(3), -1, 1) }},
		{"kernels.Clamp: lo=2 > hi=1", func() { Clamp(s(3), s(3), 2, 1) }},
		{"kernels.Clamp: lo=+Inf > hi=-Inf", func() { Clamp(nil, nil, inf, -inf) }},
		{"kernels.Clamp: lo=NaN hi=1: a bound is NaN", func() { Clamp(s(3), s(3), nan, 1) }},
		{"kernels.Clamp: lo=-1 hi=NaN: a bound is NaN", func() { Clamp(s(3), s(3), -1, nan) }},
		{"kernels.Clamp: lo=NaN hi=NaN: a bound is NaN", func() { Clamp(nil, nil, nan, nan) }},
	} {
		mustPanic(t, tc.want, tc.f)
	}

	skipAllocCounts(t)
	x, y := s(300), s(300)
	if allocs := testing.AllocsPerRun(10, func() { Clamp(y, x, -1, 1) }); allocs != 0 {
		t.Errorf("a checked Clamp allocated %v times per run, want 0", allocs)
	}
}
