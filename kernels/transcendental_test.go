package kernels

// NUMERICS.md, at the repository's root, lists the promises these tests
// check; change the two together.

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/simdnn/simdnn/internal/harness"
)

// transFunc is one of the transcendental kernels under test: its
// documented promises, its public function and its entry in an
// implementation's table. The full-range sweep of every float32 input is
// in kernels/internal/sweep, a test binary per function.
type transFunc struct {
	harness.Transcendental
	f     func(dst, x []float32)                // the public function
	entry func(im *impl) func(dst, x []float32) // its entry in an implementation's table
}

var transFuncs = []transFunc{
	{harness.Transcendentals[0], Exp, func(im *impl) func(dst, x []float32) { return im.exp }},
	{harness.Transcendentals[1], Tanh, func(im *impl) func(dst, x []float32) { return im.tanh }},
	{harness.Transcendentals[2], Sigmoid, func(im *impl) func(dst, x []float32) { return im.sigmoid }},
}

// isFallback reports whether im's entry for f is the pure-Go kernel.
func (f transFunc) isFallback(im *impl) bool {
	return reflect.ValueOf(f.entry(im)).Pointer() == reflect.ValueOf(f.entry(&generic)).Pointer()
}

// bound returns the error bound of f on the active implementation.
func (f transFunc) bound() float64 {
	if f.isFallback(active) {
		return harness.TranscendentalULP
	}
	return f.SIMDULP
}

// sameBitsAsFallback reports whether f on the active implementation gives
// the fallback's bits (NaN payloads aside).
func (f transFunc) sameBitsAsFallback() bool {
	return f.SIMDBits || f.isFallback(active)
}

// TestTranscendentalValues checks Exp, Tanh and Sigmoid on their special
// values: bit for bit where the documented result is exact (and the
// reference agrees, which checks the table itself), within the bound
// elsewhere, in one call and one element at a time. It also checks that
// Tanh is odd exactly, on the table and on random inputs.
func TestTranscendentalValues(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		var outs harness.Outputs
		defer outs.Check(&harness.Errs{T: t}, "TestTranscendentalValues")
		for _, f := range transFuncs {
			vals := harness.TransValues(f.Name)
			x := make([]float32, len(vals))
			for i, v := range vals {
				x[i] = v.X
			}
			all := outs.Make(f.Name+" all", len(x))
			f.f(all, x)
			for i, v := range vals {
				one := outs.Make(f.Name+" one", 1)
				f.f(one, x[i:i+1])
				want := f.Ref(v.X)
				for _, got := range []float32{all[i], one[0]} {
					switch {
					case v.Exact && !harness.SameBits(got, v.Want):
						t.Errorf("%s(%s) = %s, want %s", f.Name, harness.F(v.X), harness.F(got), harness.F(v.Want))
					case !v.Exact && harness.ULP(got, want) > f.bound():
						t.Errorf("%s(%s) = %s, want %.9g within %g ULP", f.Name, harness.F(v.X), harness.F(got), want, f.bound())
					case v.X == v.X && !(got >= f.Lo && got <= f.Hi):
						t.Errorf("%s(%s) = %s, outside [%g, %g]", f.Name, harness.F(v.X), harness.F(got), f.Lo, f.Hi)
					}
				}
				if v.Exact && !harness.SameBits(harness.Round32(want), v.Want) {
					t.Errorf("table: %s(%s) rounds to %s, not %s", f.Name, harness.F(v.X), harness.F(harness.Round32(want)), harness.F(v.Want))
				}
			}
		}

		// Tanh is odd, bit for bit.
		r := rand.New(rand.NewPCG(1, 2))
		var x []float32
		for _, v := range harness.TransValues("Tanh") {
			x = append(x, v.X)
		}
		for range 4096 {
			x = append(x, math.Float32frombits(r.Uint32()), float32(r.NormFloat64()*3))
		}
		neg := make([]float32, len(x))
		for i, v := range x {
			neg[i] = -v
		}
		pos, negOut := outs.Make("Tanh pos", len(x)), outs.Make("Tanh neg", len(x))
		Tanh(pos, x)
		Tanh(negOut, neg)
		for i, v := range x {
			if v == v && !harness.SameBits(negOut[i], -pos[i]) {
				t.Errorf("Tanh(%s) = %s but Tanh(%s) = %s", harness.F(v), harness.F(pos[i]), harness.F(neg[i]), harness.F(negOut[i]))
			}
		}
	})
}
