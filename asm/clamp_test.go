//go:build !purego && (amd64 || arm64)

package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/simdnn/simdnn/internal/harness"
)

// The generated Clamp of each level (clamp_ARCH_test.go lists them) on its
// own contract, bit for bit, NaN payloads included: at every length to
// 300 and a few longer, flush against a guard page after and before, in
// place, for every pair of harness.ClampBounds.

// clampLengths are every length up to 300 (every tail and loop exit of
// the 4-, 8- and 16-lane loops) and a few longer ones.
var clampLengths = func() []int {
	var ns []int
	for n := range 301 {
		ns = append(ns, n)
	}
	return append(ns, 511, 1000, 4099)
}()

// clampValues are the values x is drawn from besides normal ones: the
// specials and the bounds' neighbourhoods, and NaNs quiet and signalling
// with payloads and both signs, whose bits must come through.
var clampValues = append(harness.Specials(),
	-1, -0.5, 2, math.Nextafter32(1, 2), math.Nextafter32(-1, -2),
	math.Float32frombits(0x7fc01234), math.Float32frombits(0xffc00001),
	math.Float32frombits(0x7f800001), math.Float32frombits(0xff812345))

// clampFill sets s to random normal values with clampValues mixed in.
func clampFill(r *rand.Rand, s []float32) {
	for i := range s {
		if r.IntN(3) == 0 {
			s[i] = clampValues[r.IntN(len(clampValues))]
		} else {
			s[i] = float32(2 * r.NormFloat64())
		}
	}
}

// wantClamp is the contract: x's bits where x is NaN, else harness.Clamp,
// which is one of x, lo and hi and so exact in float32.
func wantClamp(x, lo, hi float32) float32 {
	if x != x {
		return x
	}
	return float32(harness.Clamp(x, lo, hi))
}

// testClamp runs clamp, one level's Clamp, over harness.ClampBounds and
// clampLengths.
func testClamp(t *testing.T, clamp func(dst, x []float32, lo, hi float32)) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, b := range harness.ClampBounds() {
		lo, hi := b[0], b[1]
		// A subtest each, so that its guard pages are unmapped when it
		// ends.
		t.Run(fmt.Sprintf("lo=%g,hi=%g", lo, hi), func(t *testing.T) {
			for _, after := range []bool{true, false} {
				for _, n := range clampLengths {
					guard := harness.GuardBefore
					if after {
						guard = harness.GuardAfter
					}
					dst, x := guard(t, n), guard(t, n)
					clampFill(r, x)
					clampFill(r, dst)
					in := slices.Clone(x)
					what := fmt.Sprintf("n=%d guard after=%v", n, after)
					harness.NoFault(t, what, func() { clamp(dst, x, lo, hi) })
					checkClamp(t, what, dst, in, lo, hi)
					if !slices.EqualFunc(x, in, func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }) {
						t.Fatalf("%s: x changed", what)
					}
					harness.NoFault(t, what, func() { clamp(x, x, lo, hi) })
					checkClamp(t, what+" in place", x, in, lo, hi)
				}
			}
		})
	}
}

// checkClamp fails unless got holds wantClamp of every element of in.
func checkClamp(t *testing.T, what string, got, in []float32, lo, hi float32) {
	t.Helper()
	for i, v := range in {
		if w := wantClamp(v, lo, hi); math.Float32bits(got[i]) != math.Float32bits(w) {
			t.Fatalf("%s: [%d] = %s for x=%s, want %s", what, i, harness.F(got[i]), harness.F(v), harness.F(w))
		}
	}
}
