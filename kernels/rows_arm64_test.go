//go:build !purego

package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdnn/simdnn/fallback"
	"github.com/simdnn/simdnn/internal/harness"
)

// neonRowLengths are the row lengths of the bit tests: from 1 entry to
// longer than a block and than the pieces of LogSoftmax's sums.
var neonRowLengths = []int{1, 2, 3, 4, 5, 7, 10, 16, 17, 31, 100, 255, 256, 257, 300, 513, 4096, 5000}

// neonRows returns m rows of n entries from a narrow range, a wide one,
// and some infinities and NaNs.
func neonRows(r *rand.Rand, m, n int) []float32 {
	inf := float32(math.Inf(1))
	x := make([]float32, m*n)
	for i := range x {
		switch k := i + n; {
		case k%97 == 0:
			x[i] = []float32{inf, -inf, float32(math.NaN()), -inf}[r.IntN(4)]
		case k%2 == 0:
			x[i] = float32(r.NormFloat64() * 3)
		default:
			x[i] = harness.Uniform(r, -120, 120)
		}
	}
	return x
}

// TestSoftmaxNEONBits holds the NEON Softmax and LogSoftmax to the
// fallback's bits (any NaN where it gives NaN), as rows_arm64.go
// promises, out of place and in place, on rows from 1 entry to longer
// than a block and than LogSoftmax's pieces, with entries from a narrow
// range, a wide one, and some infinities and NaNs. softmax_test.go holds
// them to the documented bounds with guard pages on every implementation.
func TestSoftmaxNEONBits(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 9))
	for _, n := range neonRowLengths {
		for _, m := range []int{1, 2, 3, 20} {
			x := neonRows(r, m, n)
			for _, k := range []struct {
				name   string
				f, ref func(dst, x []float32, m, n int)
			}{
				{"Softmax", rowsNEON.softmax, fallback.Softmax},
				{"LogSoftmax", rowsNEON.logSoftmax, fallback.LogSoftmax},
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

// TestSoftmaxCrossEntropyNEONBits holds the NEON SoftmaxCrossEntropy to
// the fallback's bits, loss and gradient, without a gradient (whose sums
// go in pieces, as the fallback's do), with one out of place and with one
// in place of the logits, on the rows of TestSoftmaxNEONBits and labels
// that fall on finite, infinite and NaN logits alike. loss_test.go holds
// it to the float64 reference on every implementation.
func TestSoftmaxCrossEntropyNEONBits(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 11))
	for _, n := range neonRowLengths {
		for _, m := range []int{1, 2, 3, 20, 300} {
			if m*n > 1<<17 {
				continue
			}
			labels := make([]int32, m)
			for i := range labels {
				labels[i] = int32(r.IntN(n))
			}
			// Most long rows hold a NaN or +Inf, which makes the mean
			// loss NaN: each shape runs also on rows without them.
			special := neonRows(r, m, n)
			finite := make([]float32, len(special))
			for i, v := range special {
				if v == v && v < float32(math.Inf(1)) {
					finite[i] = v
				}
			}
			for _, x := range [][]float32{special, finite} {
				sceNEONSame(t, x, labels, m, n)
			}
		}
	}
}

// sceNEONSame fails t unless rowsNEON.softmaxCrossEntropy gives the fallback's
// bits on x and labels.
func sceNEONSame(t *testing.T, x []float32, labels []int32, m, n int) {
	t.Helper()
	same := func(what string, got, want float32) {
		t.Helper()
		if !harness.SameBits(got, want) && !(got != got && want != want) {
			t.Fatalf("SoftmaxCrossEntropy %s m=%d n=%d: %s, the fallback gives %s", what, m, n, harness.F(got), harness.F(want))
		}
	}
	want := make([]float32, len(x))
	wantLoss := fallback.SoftmaxCrossEntropy(want, x, labels, m, n)
	same("loss without a gradient", rowsNEON.softmaxCrossEntropy(nil, x, labels, m, n), wantLoss)
	got := make([]float32, len(x))
	same("loss", rowsNEON.softmaxCrossEntropy(got, x, labels, m, n), wantLoss)
	in := append([]float32(nil), x...)
	same("loss in place", rowsNEON.softmaxCrossEntropy(in, in, labels, m, n), wantLoss)
	for i, w := range want {
		for how, g := range map[string]float32{"out of place": got[i], "in place": in[i]} {
			if !harness.SameBits(g, w) && !(g != g && w != w) {
				t.Fatalf("SoftmaxCrossEntropy gradient %s m=%d n=%d: [%d] = %s, the fallback gives %s", how, m, n, i, harness.F(g), harness.F(w))
			}
		}
	}
}
