//go:build !purego

package asm

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdnn/simdnn/fallback"
	"github.com/simdnn/simdnn/internal/harness"
)

// Exp, Tanh and Sigmoid run fallback's algorithm with its roundings, so
// they are held to the fallback bit for bit (any NaN where it gives NaN);
// their accuracy against float64 is package kernels' sweep's business.

var transKernels = []actKernel{
	{
		name:   "Exp",
		slices: 2,
		levels: map[string]func([][]float32, float32){
			"avx2":   func(o [][]float32, _ float32) { ExpAVX2(o[0], o[1]) },
			"avx512": func(o [][]float32, _ float32) { ExpAVX512(o[0], o[1]) },
		},
		ref:     func(o [][]float32, _ float32) { fallback.Exp(o[0], o[1]) },
		aliases: []int{1},
	},
	{
		name:   "Tanh",
		slices: 2,
		levels: map[string]func([][]float32, float32){
			"avx2":   func(o [][]float32, _ float32) { TanhAVX2(o[0], o[1]) },
			"avx512": func(o [][]float32, _ float32) { TanhAVX512(o[0], o[1]) },
		},
		ref:     func(o [][]float32, _ float32) { fallback.Tanh(o[0], o[1]) },
		aliases: []int{1},
	},
	{
		name:   "Sigmoid",
		slices: 2,
		levels: map[string]func([][]float32, float32){
			"avx2":   func(o [][]float32, _ float32) { SigmoidAVX2(o[0], o[1]) },
			"avx512": func(o [][]float32, _ float32) { SigmoidAVX512(o[0], o[1]) },
		},
		ref:     func(o [][]float32, _ float32) { fallback.Sigmoid(o[0], o[1]) },
		aliases: []int{1},
	},
}

// TestTranscendental runs each kernel on every length with guard pages
// after and before, out of place and in place, and then on a million
// inputs spread over the ranges where the results are neither saturated
// nor trivial, and on every float32 exponent with random mantissas.
func TestTranscendental(t *testing.T) {
	for ki, k := range transKernels {
		t.Run(k.name, func(t *testing.T) {
			forEachLevel(t, func(t *testing.T, l level) {
				fn := k.levels[l.name]
				r := rand.New(rand.NewPCG(uint64(ki), 7))
				for _, after := range []bool{true, false} {
					for _, n := range actLengths {
						actOnce(t, k, l.name, fn, r, n, after, 0)
					}
				}
				n := 1 << 20
				if testing.Short() {
					n = 1 << 16
				}
				x := make([]float32, n)
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
				in := append([]float32(nil), x...)
				out := make([]float32, n)
				fn([][]float32{out, x}, 0)
				checkAct(t, k, "wide", 0, out, [][]float32{make([]float32, n), in})
			})
		})
	}
}

// expFastULP is the accuracy ExpFast documents against the float64 e^x.
const expFastULP = 2

// TestExpFast checks ExpFast against math.Exp in float64: within
// expFastULP on every length with guard pages after and before, out of
// place and in place, on the special values exactly, and on a sample of
// every float32 bit pattern (every 4099th with -short, every 17th
// otherwise), whose largest error it logs.
func TestExpFast(t *testing.T) {
	levels := map[string]func(dst, x []float32){"avx2": ExpFastAVX2, "avx512": ExpFastAVX512}
	forEachLevel(t, func(t *testing.T, l level) {
		fn := levels[l.name]
		check := func(what string, got, x []float32) {
			t.Helper()
			for i, v := range x {
				if want := math.Exp(float64(v)); !harness.Within(got[i], want, expFastULP, 0) {
					t.Fatalf("%s n=%d: ExpFast(%s) = %s, want %.9g within %d ULP (%.3f away)",
						what, len(x), harness.F(v), harness.F(got[i]), want, expFastULP, harness.ULP(got[i], want))
				}
			}
		}
		r := rand.New(rand.NewPCG(5, 6))
		for _, after := range []bool{true, false} {
			for _, n := range actLengths {
				dst, x := guarded(t, n, after), guarded(t, n, after)
				actFill(r, x)
				in := append([]float32(nil), x...)
				harness.NoFault(t, l.name, func() { fn(dst, x) })
				check("guarded", dst, in)
				harness.NoFault(t, l.name, func() { fn(x, x) })
				check("in place", x, in)
			}
		}

		inf, nan := float32(math.Inf(1)), float32(math.NaN())
		exact := map[float32]float32{0: 1, -inf: 0, inf: inf, -200: 0, 200: inf, -math.MaxFloat32: 0, math.MaxFloat32: inf}
		for x, want := range exact {
			got := []float32{0}
			fn(got, []float32{x})
			if got[0] != want {
				t.Errorf("ExpFast(%g) = %g, want %g", x, got[0], want)
			}
		}
		got := []float32{0, 0}
		fn(got, []float32{nan, -nan})
		if got[0] == got[0] || got[1] == got[1] {
			t.Errorf("ExpFast(NaN) = %g, %g, want NaN", got[0], got[1])
		}

		stride := uint64(17)
		if testing.Short() {
			stride = 4099
		}
		const chunk = 1 << 16
		x, y := make([]float32, 0, chunk), make([]float32, chunk)
		worst, worstX := 0.0, float32(0)
		for b := uint64(0); b < 1<<32; b += stride {
			x = append(x, math.Float32frombits(uint32(b)))
			if len(x) < chunk && b+stride < 1<<32 {
				continue
			}
			fn(y[:len(x)], x)
			check("sample", y[:len(x)], x)
			for i, v := range x {
				if u := harness.ULP(y[i], math.Exp(float64(v))); u > worst && !math.IsInf(u, 0) {
					worst, worstX = u, v
				}
			}
			x = x[:0]
		}
		t.Logf("largest error %.3f ULP, at x = %s", worst, harness.F(worstX))
	})
}
