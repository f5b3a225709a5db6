//go:build !purego

package asm

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/simdnn/simdnn/fallback"
	"github.com/simdnn/simdnn/internal/adam"
	"github.com/simdnn/simdnn/internal/harness"
)

// The NEON optimizer kernels promise the fallback's operations with the
// products fused that the Go compiler fuses on arm64. The models below
// write that out with an exact fused multiply-add (big.Float), so that
// they do not depend on what the compiler fuses in this file; the
// fallback must then match them too, or the compiler has changed and the
// kernels' doc comments with it.

// fmaExact is a·x + y computed exactly, then rounded once to float32
// (through float64 it would round twice). Finite operands only.
func fmaExact(a, x, y float32) float32 {
	e := new(big.Float).SetPrec(1000).SetFloat64(float64(a))
	e.Mul(e, big.NewFloat(float64(x)))
	e.Add(e, big.NewFloat(float64(y)))
	f, _ := e.Float32()
	return f
}

func sgdFusedModel(w, v, g, lr, mu float32) (wNew, vNew float32) {
	vNew = fmaExact(mu, v, g)
	return fmaExact(-lr, vNew, w), vNew
}

func adamFusedModel(w, m, v, g, b1, b2, size, c, eps float32) (wNew, mNew, vNew float32) {
	mNew = fmaExact(b1, m, float32((1-b1)*g))
	vNew = fmaExact(b2, v, float32(float32((1-b2)*g)*g))
	den := fmaExact(float32(math.Sqrt(float64(vNew))), c, eps)
	return w - float32(size*mNew)/den, mNew, vNew
}

// sameBits reports whether a and b are the same float32, any NaN
// matching any NaN (the kernels promise no NaN payloads).
func sameBits(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || (a != a && b != b)
}

// neonLengths are the lengths of the optimizer tests: every tail of the
// 16-float group and the 4-float vector, and longer ones.
var neonLengths = func() []int {
	var ns []int
	for n := range 70 {
		ns = append(ns, n)
	}
	return append(ns, 255, 1000)
}()

// neonGuarded returns n float32 flush against a guard page after them,
// or before them.
func neonGuarded(t *testing.T, n int, after bool) []float32 {
	if after {
		return harness.GuardAfter(t, n)
	}
	return harness.GuardBefore(t, n)
}

// optimInputs fills the slices with normal values (finite, for the
// models) or, with specials, mixes in the values of harness.Specials; v
// (second moments) mostly non-negative.
func optimInputs(r *rand.Rand, specials bool, v []float32, others ...[]float32) {
	sp := harness.Specials()
	for _, s := range append(others, v) {
		for i := range s {
			s[i] = float32(r.NormFloat64())
			if specials && r.IntN(5) == 0 {
				s[i] = sp[r.IntN(len(sp))]
			}
		}
	}
	for i := range v {
		if r.IntN(4) > 0 {
			v[i] = float32(math.Abs(float64(v[i])))
		}
	}
}

func TestSGDMomentumNEON(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for _, p := range [][2]float32{{0.01, 0.9}, {0.1, 0}, {1e-3, 0.99}} {
		lr, mu := p[0], p[1]
		for _, specials := range []bool{false, true} {
			for _, after := range []bool{true, false} {
				for _, n := range neonLengths {
					what := fmt.Sprintf("lr=%g momentum=%g n=%d specials=%v after=%v", lr, mu, n, specials, after)
					w, v, g := neonGuarded(t, n, after), neonGuarded(t, n, after), neonGuarded(t, n, after)
					optimInputs(r, specials, v, w, g)
					fw, fv := append([]float32(nil), w...), append([]float32(nil), v...)
					w0, v0 := append([]float32(nil), w...), append([]float32(nil), v...)
					harness.NoFault(t, what, func() { SGDMomentumNEON(w, v, g, lr, mu) })
					fallback.SGDMomentum(fw, fv, g, lr, mu)
					for i := range n {
						if !specials {
							ww, wv := sgdFusedModel(w0[i], v0[i], g[i], lr, mu)
							if !sameBits(w[i], ww) || !sameBits(v[i], wv) {
								t.Fatalf("%s: [%d] w, v = %#x, %#x, the fused model %#x, %#x", what, i, got(w[i]), got(v[i]), got(ww), got(wv))
							}
							if !sameBits(fw[i], ww) || !sameBits(fv[i], wv) {
								t.Fatalf("%s: [%d] the fallback gives w, v = %#x, %#x, the fused model %#x, %#x: the compiler fuses differently", what, i, got(fw[i]), got(fv[i]), got(ww), got(wv))
							}
						}
						if !sameBits(w[i], fw[i]) || !sameBits(v[i], fv[i]) {
							t.Fatalf("%s: [%d] w, v = %#x, %#x, the fallback %#x, %#x", what, i, got(w[i]), got(v[i]), got(fw[i]), got(fv[i]))
						}
					}
				}
			}
		}
	}
}

func TestAdamNEON(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	type hyper struct {
		lr, b1, b2, eps float32
		step            int
	}
	for _, h := range []hyper{
		{1e-3, 0.9, 0.999, 1e-8, 1},
		{1e-3, 0.9, 0.999, 1e-8, 2},
		{0.01, 0.9, 0.999, 1e-8, 1000},
		{0.1, 0.5, 0.9, 1e-3, 7},
	} {
		size, c := adam.Scalars(h.lr, h.b1, h.b2, h.step)
		for _, specials := range []bool{false, true} {
			for _, after := range []bool{true, false} {
				for _, n := range neonLengths {
					what := fmt.Sprintf("%+v n=%d specials=%v after=%v", h, n, specials, after)
					w, m := neonGuarded(t, n, after), neonGuarded(t, n, after)
					v, g := neonGuarded(t, n, after), neonGuarded(t, n, after)
					optimInputs(r, specials, v, w, m, g)
					w0, m0, v0 := append([]float32(nil), w...), append([]float32(nil), m...), append([]float32(nil), v...)
					fw, fm, fv := append([]float32(nil), w...), append([]float32(nil), m...), append([]float32(nil), v...)
					harness.NoFault(t, what, func() { AdamNEON(w, m, v, g, h.b1, 1-h.b1, h.b2, 1-h.b2, size, c, h.eps) })
					fallback.Adam(fw, fm, fv, g, h.lr, h.b1, h.b2, h.eps, h.step)
					for i := range n {
						if !specials && v0[i] >= 0 {
							ww, wm, wv := adamFusedModel(w0[i], m0[i], v0[i], g[i], h.b1, h.b2, size, c, h.eps)
							if !sameBits(w[i], ww) || !sameBits(m[i], wm) || !sameBits(v[i], wv) {
								t.Fatalf("%s: [%d] w, m, v = %#x, %#x, %#x from w=%#x m=%#x v=%#x g=%#x, the fused model %#x, %#x, %#x",
									what, i, got(w[i]), got(m[i]), got(v[i]), got(w0[i]), got(m0[i]), got(v0[i]), got(g[i]), got(ww), got(wm), got(wv))
							}
							if !sameBits(fw[i], ww) || !sameBits(fm[i], wm) || !sameBits(fv[i], wv) {
								t.Fatalf("%s: [%d] the fallback gives w, m, v = %#x, %#x, %#x, the fused model %#x, %#x, %#x: the compiler fuses differently",
									what, i, got(fw[i]), got(fm[i]), got(fv[i]), got(ww), got(wm), got(wv))
							}
						}
						if !sameBits(w[i], fw[i]) || !sameBits(m[i], fm[i]) || !sameBits(v[i], fv[i]) {
							t.Fatalf("%s: [%d] w, m, v = %#x, %#x, %#x, the fallback %#x, %#x, %#x",
								what, i, got(w[i]), got(m[i]), got(v[i]), got(fw[i]), got(fm[i]), got(fv[i]))
						}
					}
				}
			}
		}
	}
}

// got returns the bits of v, for messages.
func got(v float32) uint32 { return math.Float32bits(v) }
