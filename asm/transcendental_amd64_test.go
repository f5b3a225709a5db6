//go:build !purego

package asm

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdnn/simdnn/fallback"
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
