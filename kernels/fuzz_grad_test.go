package kernels

import (
	"fmt"
	"math"
	"testing"

	"github.com/simdnn/simdnn/internal/harness"
)

// fuzzElementwise runs k on vals, placed between canaries at the offsets
// of trial, on the fallback and then on every implementation, checks each
// with k's reference and tolerance, its inputs unchanged and its canaries
// intact (harness.Elementwise.Once), and fails where an output differs
// from the fallback's: in its bits if bits, as NUMERICS.md promises for
// the exact kernels (any NaN matching any NaN), else in being NaN or not.
func fuzzElementwise(t *testing.T, k harness.Elementwise, vals [][]float32, trial int, bits bool) {
	t.Helper()
	n := len(vals[0])
	var want [][]float32
	onFallback(func() {
		want = k.Once(&harness.Errs{T: t}, fmt.Sprintf("%s n=%d on the fallback", k.Name, n), vals, trial)
	})
	forEachImpl(t, func(t *testing.T) {
		what := fmt.Sprintf("%s n=%d on %s", k.Name, n, Impl())
		got := k.Once(&harness.Errs{T: t}, what, vals, trial)
		for o := range k.Outputs {
			for i, v := range got[o] {
				if w := want[o][i]; bits && !harness.SameBits(v, w) || isNaN(v) != isNaN(w) {
					t.Fatalf("%s: %s[%d] = %s, the fallback's %s", what, k.Operands[o], i, harness.F(v), harness.F(w))
				}
			}
		}
	})
}

// FuzzActivationGrad holds the activations' derivatives, and LeakyReLU
// (FuzzReLU has ReLU), on every implementation to their references and
// tolerances, and to the fallback: bit for bit for the ReLU family,
// which is exact, NaN for NaN for TanhGrad and SigmoidGrad. The fuzzed
// floats are x (or y) and dy, in halves; dx starts as canaries. y is
// folded into the range of the forward function (a finite |y| > 1
// becomes 1/y, ±Inf ±1; |y| for the sigmoid), the only values the
// derivatives are defined on.
func FuzzActivationGrad(f *testing.F) {
	fuzzSeeds(f, func(data []byte, off uint8) { f.Add(data, off, []float32{0.01, 0.1, -0.5, 2}[off%4]) })
	f.Fuzz(func(t *testing.T, data []byte, off uint8, slope float32) {
		xy := fuzzFloats(data, off)
		n := len(xy) / 2
		x, dy := xy[:n], xy[n:2*n]
		dx := make([]float32, n)
		for i := range dx {
			dx[i] = harness.Canary()
		}
		trial := int(off) % harness.Offsets
		fuzzElementwise(t, reluGrad, [][]float32{dx, x, dy}, trial, true)
		fuzzElementwise(t, leakyReLU(slope), [][]float32{dx, x}, trial, true)
		fuzzElementwise(t, leakyReLUGrad(slope), [][]float32{dx, x, dy}, trial, true)
		yt, ys := make([]float32, n), make([]float32, n)
		for i, v := range x {
			yt[i] = foldOutput(v)
			ys[i] = float32(math.Abs(float64(yt[i])))
		}
		fuzzElementwise(t, tanhGrad, [][]float32{dx, yt, dy}, trial, false)
		fuzzElementwise(t, sigmoidGrad, [][]float32{dx, ys, dy}, trial, false)
	})
}

// foldOutput maps v into [−1, 1]: a finite |v| > 1 to 1/v, ±Inf to ±1;
// NaN stays NaN.
func foldOutput(v float32) float32 {
	switch {
	case math.IsInf(float64(v), 0):
		return float32(math.Copysign(1, float64(v)))
	case v > 1 || v < -1:
		return 1 / v
	}
	return v
}
