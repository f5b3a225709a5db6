//go:build !purego

package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdnn/simdnn/fallback"
	"github.com/simdnn/simdnn/internal/harness"
)

// TestSoftmaxNEONBits holds the NEON Softmax and LogSoftmax to the
// fallback's bits (any NaN where it gives NaN), as softmax_arm64.go
// promises, out of place and in place, on rows from 1 entry to longer
// than a block and than LogSoftmax's pieces, with entries from a narrow
// range, a wide one, and some infinities and NaNs. softmax_test.go holds
// them to the documented bounds with guard pages on every implementation.
func TestSoftmaxNEONBits(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 9))
	inf := float32(math.Inf(1))
	gen := func(k int) float32 {
		switch {
		case k%97 == 0:
			return []float32{inf, -inf, float32(math.NaN()), -inf}[r.IntN(4)]
		case k%2 == 0:
			return float32(r.NormFloat64() * 3)
		default:
			return harness.Uniform(r, -120, 120)
		}
	}
	for _, n := range []int{1, 2, 3, 4, 5, 7, 10, 16, 17, 31, 100, 255, 256, 257, 300, 513, 4096, 5000} {
		for _, m := range []int{1, 2, 3, 20} {
			x := make([]float32, m*n)
			for k := range x {
				x[k] = gen(k + n)
			}
			for _, k := range []struct {
				name   string
				f, ref func(dst, x []float32, m, n int)
			}{
				{"Softmax", softmaxNEON, fallback.Softmax},
				{"LogSoftmax", logSoftmaxNEON, fallback.LogSoftmax},
			} {
				want := make([]float32, len(x))
				k.ref(want, x, m, n)
				got := make([]float32, len(x))
				k.f(got, x, m, n)
				same := func(how string, got []float32) {
					for i, g := range got {
						if w := want[i]; !harness.SameBits(g, w) && !(g != g && w != w) {
							t.Fatalf("%s %s m=%d n=%d: [%d] = %s, the fallback gives %s", k.name, how, m, n, i, harness.F(g), harness.F(w))
						}
					}
				}
				same("out of place", got)
				in := append([]float32(nil), x...)
				k.f(in, in, m, n)
				same("in place", in)
			}
		}
	}
}
