package kernels

import (
	"fmt"
	"math"
	"testing"

	"github.com/simdnn/simdnn/internal/harness"
)

// FuzzClamp holds Clamp on every implementation to harness.Clamp and to
// the fallback's bits, NaN payloads included (the doc comment promises
// x's bits), on fuzzed values, lengths, offsets and bounds; dst starts as
// canaries, which must all be overwritten and nothing past them touched.
// Bounds the checks reject are reordered (lo > hi) or skipped (NaN):
// TestClampChecks has those.
func FuzzClamp(f *testing.F) {
	inf, negZero := float32(math.Inf(1)), float32(math.Copysign(0, -1))
	seedBounds := [][2]float32{{-1, 1}, {0, inf}, {negZero, 0}, {0, negZero}, {1, 1}, {-inf, -1e30}}
	fuzzSeeds(f, func(data []byte, off uint8) {
		b := seedBounds[int(off)%len(seedBounds)]
		f.Add(data, off, b[0], b[1])
	})
	f.Fuzz(func(t *testing.T, data []byte, off uint8, lo, hi float32) {
		if isNaN(lo) || isNaN(hi) {
			return
		}
		if lo > hi {
			lo, hi = hi, lo // not min and max, which would order +0 and −0
		}
		x := fuzzFloats(data, off)
		dst := make([]float32, len(x))
		for i := range dst {
			dst[i] = harness.Canary()
		}
		k := clampKernel(lo, hi)
		vals, trial := [][]float32{dst, x}, int(off)%harness.Offsets
		var want [][]float32
		onFallback(func() {
			want = k.Once(&harness.Errs{T: t}, fmt.Sprintf("%s n=%d on the fallback", k.Name, len(x)), vals, trial)
		})
		forEachImpl(t, func(t *testing.T) {
			what := fmt.Sprintf("%s n=%d on %s", k.Name, len(x), Impl())
			got := k.Once(&harness.Errs{T: t}, what, vals, trial)
			for i, v := range got[0] {
				if !bitsEq(v, want[0][i]) {
					t.Fatalf("%s: dst[%d] = %s for x=%s, the fallback's %s", what, i, harness.F(v), harness.F(x[i]), harness.F(want[0][i]))
				}
			}
		})
	})
}
