//go:build !purego

package asm

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdnn/simdnn/fallback"
	"github.com/simdnn/simdnn/internal/harness"
)

// The NEON transcendentals against the fallback: ExpNEON runs its steps
// with its roundings, so it must give its bits (any NaN where it gives
// NaN); TanhNEON and SigmoidNEON use fused multiply-adds, so they must
// give NaN and the ends of their ranges exactly where it does (both
// saturate where the correctly rounded function does) and be within 3 ULP
// of float64 elsewhere. Package kernels sweeps their accuracy over every
// float32 input and checks their special values.

var neonTrans = []struct {
	name     string
	f, fb    func(dst, x []float32)
	ref      func(float32) float64
	lo, hi   float32
	sameBits bool
}{
	{"Exp", ExpNEON, fallback.Exp, harness.Exp, 0, float32(math.Inf(1)), true},
	{"Tanh", TanhNEON, fallback.Tanh, harness.Tanh, -1, 1, false},
	{"Sigmoid", SigmoidNEON, fallback.Sigmoid, harness.Sigmoid, 0, 1, false},
}

// TestTranscendentalNEON runs each kernel on lengths 0 to 40 and a few
// longer ones, in slices that end at a guard page and that start at one,
// out of place and in place, then on a wide sample: normal(0, 30),
// uniform over [−120, 120], and random bit patterns.
func TestTranscendentalNEON(t *testing.T) {
	lengths := []int{63, 64, 65, 127, 257}
	for n := range 41 {
		lengths = append(lengths, n)
	}
	for ki, k := range neonTrans {
		t.Run(k.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(ki), 11))
			gen := func(x []float32) {
				for i := range x {
					switch i % 3 {
					case 0:
						x[i] = float32(r.NormFloat64() * 30)
					case 1:
						x[i] = float32(240*r.Float64() - 120)
					default:
						x[i] = math.Float32frombits(r.Uint32())
					}
				}
			}
			for _, n := range lengths {
				for _, guard := range []func(testing.TB, int) []float32{harness.GuardAfter, harness.GuardBefore} {
					x, dst := guard(t, n), guard(t, n)
					gen(x)
					want := make([]float32, n)
					k.fb(want, x)
					in := append([]float32(nil), x...)
					k.f(dst, x)
					checkTrans(t, k.name+" out of place", in, dst, want, k.ref, k.lo, k.hi, k.sameBits)
					for i := range x {
						if !harness.SameBits(x[i], in[i]) {
							t.Fatalf("%s n=%d: x[%d] changed", k.name, n, i)
						}
					}
					k.f(x, x)
					checkTrans(t, k.name+" in place", in, x, want, k.ref, k.lo, k.hi, k.sameBits)
				}
			}
			n := 1 << 20
			if testing.Short() {
				n = 1 << 16
			}
			x, got, want := make([]float32, n), make([]float32, n), make([]float32, n)
			gen(x)
			k.f(got, x)
			k.fb(want, x)
			checkTrans(t, k.name+" wide", x, got, want, k.ref, k.lo, k.hi, k.sameBits)
		})
	}
}

// checkTrans compares the results got of inputs x with the fallback's want.
func checkTrans(t *testing.T, what string, x, got, want []float32, ref func(float32) float64, lo, hi float32, sameBits bool) {
	t.Helper()
	sat := func(v float32) bool { return v == lo || v == hi }
	for i, v := range x {
		g, w := got[i], want[i]
		bad := false
		switch {
		case g != g || w != w:
			bad = (g != g) != (w != w)
		case sameBits:
			bad = !harness.SameBits(g, w)
		default:
			bad = sat(g) != sat(w) || sat(g) && !harness.SameBits(g, w) || harness.ULP(g, ref(v)) > 3
		}
		if bad {
			t.Fatalf("%s n=%d: f(%s) = %s at %d, the fallback gives %s", what, len(x), harness.F(v), harness.F(g), i, harness.F(w))
		}
	}
}
