package fallback

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestExpSplitTail checks what Sigmoid and Tanh rely on: hi + lo from
// expSplit is eˣ to well below float32's rounding, and hi is what Exp
// returns. The reference is math.Exp in float64.
func TestExpSplitTail(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const n = 1 << 16
	x := make([]float32, n)
	for i := range x {
		// Results from about 2⁻¹⁰⁰ (below that the tail is a denormal
		// and loses bits) up to the overflow threshold. The whole range,
		// swept once, gives 2⁻²⁵·⁵ at most.
		x[i] = float32(-69.3 + r.Float64()*(88.72+69.3))
	}
	hi, lo, e := make([]float32, n), make([]float32, n), make([]float32, n)
	expSplit(hi, lo, x)
	Exp(e, x)
	worst := 0.0
	for i, v := range x {
		want := math.Exp(float64(v))
		rel := math.Abs(float64(hi[i])+float64(lo[i])-want) / want
		if rel > worst {
			worst = rel
		}
		if rel > 0x1p-25 {
			t.Errorf("expSplit(%g) = %g + %g, %g relative from %g", v, hi[i], lo[i], rel, want)
		}
		if e[i] != hi[i] {
			t.Errorf("Exp(%g) = %g, expSplit's hi = %g", v, e[i], hi[i])
		}
	}
	t.Logf("largest relative error of hi + lo: 2^%.2f", math.Log2(worst))
}

// benchUnary reports the time per element of f on 4096 inputs drawn from
// a normal distribution of standard deviation sd, as activations are.
func benchUnary(b *testing.B, f func(dst, x []float32), sd float64) {
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, 4096)
	for i := range x {
		x[i] = float32(r.NormFloat64() * sd)
	}
	dst := make([]float32, len(x))
	b.SetBytes(4 * int64(len(x)))
	for b.Loop() {
		f(dst, x)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(x)), "ns/elem")
}

func BenchmarkExp(b *testing.B)     { benchUnary(b, Exp, 4) }
func BenchmarkTanh(b *testing.B)    { benchUnary(b, Tanh, 2) }
func BenchmarkSigmoid(b *testing.B) { benchUnary(b, Sigmoid, 4) }
