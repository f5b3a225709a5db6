//go:build !purego

package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/klauspost/cpuid/v2"

	"github.com/simdnn/simdnn/fallback"
	"github.com/simdnn/simdnn/internal/adam"
	"github.com/simdnn/simdnn/internal/harness"
)

// optimLevels are the generated optimizer kernels and whether this CPU
// runs them.
var optimLevels = []struct {
	name string
	ok   bool
	sgd  func(w, v, g []float32, lr, momentum float32)
	adam func(w, m, v, g []float32, beta1, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, invSqrtBC2, eps float32)
}{
	{"avx2", cpuid.CPU.Supports(AVX2...), SGDMomentumAVX2, AdamAVX2},
	{"avx512", cpuid.CPU.Supports(AVX512...), SGDMomentumAVX512, AdamAVX512},
}

// The oracles below write out the kernels' contract: every operation of
// the fallback's order rounded to float32 on its own. The explicit
// conversions stop the Go compiler from fusing a product into a sum.

func sgdModel(w, v, g, lr, mu float32) (wNew, vNew float32) {
	vNew = float32(mu*v) + g
	return w - float32(lr*vNew), vNew
}

func adamModel(w, m, v, g, b1, b2, size, c, eps float32) (wNew, mNew, vNew float32) {
	mNew = float32(b1*m) + float32((1-b1)*g)
	vNew = float32(b2*v) + float32(float32((1-b2)*g)*g)
	den := float32(float32(math.Sqrt(float64(vNew)))*c) + eps
	return w - float32(size*mNew)/den, mNew, vNew
}

// fallbackFuses reports whether package fallback was compiled to fuse a
// product into a sum (GOAMD64=v3 and up lets the compiler do so), probing
// each optimizer: with x = 1+2⁻¹², x·x − 1 is 2⁻¹¹+2⁻²⁴ fused and 2⁻¹¹
// rounded first. Then the fallback no longer agrees bit for bit with the
// unfused kernels, and the tests compare with the model only.
func fallbackFuses() bool {
	x := float32(1 + 0x1p-12)
	// v = momentum·v + g = x·x − 1.
	w, v, g := []float32{0}, []float32{x}, []float32{-1}
	fallback.SGDMomentum(w, v, g, 0, x)
	sgd := v[0] != 0x1p-11
	// m = β₁·m + (1−β₁)·g = −2⁻¹²·2¹² + x·x with β₁ = −2⁻¹².
	m, v, g := []float32{0x1p12}, []float32{0}, []float32{x}
	fallback.Adam(w, m, v, g, 0, -0x1p-12, 0, 1, 1)
	return sgd || m[0] != 0x1p-11
}

func TestSGDMomentum(t *testing.T) {
	fuses := fallbackFuses()
	for _, l := range optimLevels {
		t.Run(l.name, func(t *testing.T) {
			if !l.ok {
				t.Skipf("CPU lacks %s", l.name)
			}
			r := rand.New(rand.NewPCG(9, 10))
			for _, p := range [][2]float32{{0.01, 0.9}, {0.1, 0}, {1e-3, 0.99}, {float32(r.NormFloat64()), float32(r.Float64())}} {
				lr, mu := p[0], p[1]
				for _, after := range []bool{true, false} {
					for _, n := range streamLengths {
						what := fmt.Sprintf("lr=%g momentum=%g n=%d after=%v", lr, mu, n, after)
						w, v, g := guarded(t, n, after), guarded(t, n, after), guarded(t, n, after)
						fill(r, w)
						fill(r, v)
						fill(r, g)
						w0, v0 := append([]float32(nil), w...), append([]float32(nil), v...)
						harness.NoFault(t, l.name, func() { l.sgd(w, v, g, lr, mu) })
						for i := range n {
							ww, wv := sgdModel(w0[i], v0[i], g[i], lr, mu)
							if !same(w[i], ww) || !same(v[i], wv) {
								t.Fatalf("%s: [%d] w, v = %#x, %#x from w=%#x v=%#x g=%#x, want %#x, %#x",
									what, i, got(w[i]), got(v[i]), got(w0[i]), got(v0[i]), got(g[i]), got(ww), got(wv))
							}
						}
						if fuses {
							continue
						}
						fw, fv := append([]float32(nil), w0...), append([]float32(nil), v0...)
						fallback.SGDMomentum(fw, fv, g, lr, mu)
						for i := range n {
							if !same(w[i], fw[i]) || !same(v[i], fv[i]) {
								t.Fatalf("%s: [%d] w, v = %#x, %#x, fallback gives %#x, %#x", what, i, got(w[i]), got(v[i]), got(fw[i]), got(fv[i]))
							}
						}
					}
				}
			}
		})
	}
}

func TestAdam(t *testing.T) {
	fuses := fallbackFuses()
	for _, l := range optimLevels {
		t.Run(l.name, func(t *testing.T) {
			if !l.ok {
				t.Skipf("CPU lacks %s", l.name)
			}
			r := rand.New(rand.NewPCG(11, 12))
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
				for _, after := range []bool{true, false} {
					for _, n := range streamLengths {
						what := fmt.Sprintf("%+v n=%d after=%v", h, n, after)
						w, m := guarded(t, n, after), guarded(t, n, after)
						v, g := guarded(t, n, after), guarded(t, n, after)
						fill(r, w)
						fill(r, m)
						fill(r, v)
						fill(r, g)
						for i := range v {
							if r.IntN(4) > 0 { // mostly valid second moments
								v[i] = float32(math.Abs(float64(v[i])))
							}
						}
						w0 := append([]float32(nil), w...)
						m0, v0 := append([]float32(nil), m...), append([]float32(nil), v...)
						harness.NoFault(t, l.name, func() {
							l.adam(w, m, v, g, h.b1, 1-h.b1, h.b2, 1-h.b2, size, c, h.eps)
						})
						for i := range n {
							ww, wm, wv := adamModel(w0[i], m0[i], v0[i], g[i], h.b1, h.b2, size, c, h.eps)
							if !same(w[i], ww) || !same(m[i], wm) || !same(v[i], wv) {
								t.Fatalf("%s: [%d] w, m, v = %#x, %#x, %#x from w=%#x m=%#x v=%#x g=%#x, want %#x, %#x, %#x",
									what, i, got(w[i]), got(m[i]), got(v[i]), got(w0[i]), got(m0[i]), got(v0[i]), got(g[i]), got(ww), got(wm), got(wv))
							}
						}
						if fuses {
							continue
						}
						fw := append([]float32(nil), w0...)
						fm, fv := append([]float32(nil), m0...), append([]float32(nil), v0...)
						fallback.Adam(fw, fm, fv, g, h.lr, h.b1, h.b2, h.eps, h.step)
						for i := range n {
							if !same(w[i], fw[i]) || !same(m[i], fm[i]) || !same(v[i], fv[i]) {
								t.Fatalf("%s: [%d] w, m, v = %#x, %#x, %#x, fallback gives %#x, %#x, %#x",
									what, i, got(w[i]), got(m[i]), got(v[i]), got(fw[i]), got(fm[i]), got(fv[i]))
							}
						}
					}
				}
			}
		})
	}
}

// TestOptimUnfused checks that the kernels round the products before the
// sums, as the fallback does: with x = 1+2⁻¹², x·x − 1 is 2⁻¹¹ rounded
// first and 2⁻¹¹+2⁻²⁴ fused.
func TestOptimUnfused(t *testing.T) {
	x := float32(1 + 0x1p-12)
	for _, l := range optimLevels {
		t.Run(l.name, func(t *testing.T) {
			if !l.ok {
				t.Skipf("CPU lacks %s", l.name)
			}
			for _, n := range []int{1, 16, 100} {
				w, v, g := make([]float32, n), make([]float32, n), make([]float32, n)
				for i := range n {
					v[i], g[i] = x, -1
				}
				l.sgd(w, v, g, 0, x)
				for i := range n {
					if v[i] != 0x1p-11 {
						t.Fatalf("SGDMomentum n=%d: v[%d] = %g, want the unfused 2⁻¹¹", n, i, v[i])
					}
				}
				// m = β₁·m + (1−β₁)·g with β₁ = x, m = x, 1−β₁ passed as
				// 1 and g = −1.
				m, vv := make([]float32, n), make([]float32, n)
				for i := range n {
					m[i], g[i], w[i] = x, -1, 0
				}
				l.adam(w, m, vv, g, x, 1, 0, 0, 0, 1, 1)
				for i := range n {
					if m[i] != 0x1p-11 {
						t.Fatalf("Adam n=%d: m[%d] = %g, want the unfused 2⁻¹¹", n, i, m[i])
					}
				}
			}
		})
	}
}

// TestStreamInstruments checks the streaming baselines that the
// benchmarks run beside the kernels: every slice but the last
// gains the last one, element by element, and nothing is touched beyond
// the slices (each ends, then starts, at a guard page).
func TestStreamInstruments(t *testing.T) {
	for _, l := range []struct {
		name string
		ok   bool
		s21  func(y, x []float32)
		s32  func(w, v, g []float32)
		s43  func(w, m, v, g []float32)
		a21  func(dst, x, y []float32)
	}{
		{"avx2", cpuid.CPU.Supports(AVX2...), Stream21AVX2, Stream32AVX2, Stream43AVX2, Add21AVX2},
		{"avx512", cpuid.CPU.Supports(AVX512...), Stream21AVX512, Stream32AVX512, Stream43AVX512, Add21AVX512},
	} {
		t.Run(l.name, func(t *testing.T) {
			if !l.ok {
				t.Skipf("CPU lacks %s", l.name)
			}
			r := rand.New(rand.NewPCG(7, 8))
			for _, n := range append(harness.GuardLengths(), 1000, 4099) {
				for _, after := range []bool{true, false} {
					s := make([][]float32, 4)
					want := make([][]float32, 4)
					for i := range s {
						s[i] = guarded(t, n, after)
						for j := range s[i] {
							s[i][j] = float32(r.IntN(1 << 20))
						}
						want[i] = append([]float32(nil), s[i]...)
					}
					for i := range 3 {
						for j := range want[i] {
							want[i][j] += s[3][j]
						}
					}
					harness.NoFault(t, l.name, func() { l.s43(s[0], s[1], s[2], s[3]) })
					harness.NoFault(t, l.name, func() { l.s32(s[0], s[1], s[3]) })
					harness.NoFault(t, l.name, func() { l.s21(s[0], s[3]) })
					for j := range want[0] {
						want[0][j] += 2 * s[3][j]
						want[1][j] += s[3][j]
					}
					for i := range s {
						for j, v := range s[i] {
							if v != want[i][j] {
								t.Fatalf("n=%d: slice %d[%d] = %g, want %g", n, i, j, v, want[i][j])
							}
						}
					}
					dst := guarded(t, n, !after)
					harness.NoFault(t, l.name, func() { l.a21(dst, s[1], s[2]) })
					for j, v := range dst {
						if want := s[1][j] + s[2][j]; v != want {
							t.Fatalf("n=%d: Add21 dst[%d] = %g, want %g", n, j, v, want)
						}
					}
				}
			}
		})
	}
}
