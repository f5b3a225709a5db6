//go:build !purego

package asm

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/klauspost/cpuid/v2"

	"github.com/simdnn/simdnn/internal/harness"
)

// These tests call the generated functions directly, with their own
// oracles, so that a broken generator shows up here first; package kernels
// tests every implementation again through the public API.

// level is one set of generated functions and whether this CPU runs it.
type level struct {
	name string
	ok   bool
	relu func(dst, x []float32)
	axpy func(y []float32, alpha float32, x []float32)
}

var levels = []level{
	{"avx2", cpuid.CPU.Supports(AVX2...), ReLUAVX2, AxpyAVX2},
	{"avx512", cpuid.CPU.Supports(AVX512...), ReLUAVX512, AxpyAVX512},
}

// forEachLevel runs f for every level this CPU runs.
func forEachLevel(t *testing.T, f func(t *testing.T, l level)) {
	for _, l := range levels {
		t.Run(l.name, func(t *testing.T) {
			if !l.ok {
				t.Skipf("CPU lacks %s", l.name)
			}
			f(t, l)
		})
	}
}

// lengths are every length up to 300 (all tails and loop exits for both
// vector widths) and a few longer ones.
var lengths = func() []int {
	var ns []int
	for n := range 301 {
		ns = append(ns, n)
	}
	return append(ns, 511, 1000, 4099)
}()

// guarded returns n float32 flush against a guard page after them, or
// before them.
func guarded(t *testing.T, n int, after bool) []float32 {
	if after {
		return harness.GuardAfter(t, n)
	}
	return harness.GuardBefore(t, n)
}

// specials are values whose handling the kernels must get exactly right.
var specials = []float32{
	0, float32(math.Copysign(0, -1)), 1, -1,
	float32(math.Inf(1)), float32(math.Inf(-1)),
	math.Float32frombits(0x7fc00000), math.Float32frombits(0xffc00001), // quiet NaNs
	math.Float32frombits(0x7f800001), math.Float32frombits(0xff800123), // signalling NaNs
	math.Float32frombits(1), math.Float32frombits(0x80000001), // ±smallest denormal
	math.MaxFloat32, -math.MaxFloat32,
}

// fill sets s to random values of both signs with specials mixed in.
func fill(r *rand.Rand, s []float32) {
	for i := range s {
		if r.IntN(4) == 0 {
			s[i] = specials[r.IntN(len(specials))]
		} else {
			s[i] = float32(r.NormFloat64())
		}
	}
}

// wantReLU is the oracle: x where x ≥ 0 or NaN, +0 where x < 0.
func wantReLU(v float32) float32 {
	if v < 0 {
		return 0
	}
	return v
}

func TestReLU(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l level) {
		r := rand.New(rand.NewPCG(1, 2))
		for _, after := range []bool{true, false} {
			for _, n := range lengths {
				dst, x := guarded(t, n, after), guarded(t, n, after)
				fill(r, x)
				fill(r, dst)
				in := append([]float32(nil), x...)
				harness.NoFault(t, l.name, func() { l.relu(dst, x) })
				checkReLU(t, "ReLU", n, dst, in)
				harness.NoFault(t, l.name, func() { l.relu(x, x) })
				checkReLU(t, "in place", n, x, in)
			}
		}
	})
}

func checkReLU(t *testing.T, what string, n int, got, in []float32) {
	t.Helper()
	for i, v := range in {
		if w := wantReLU(v); math.Float32bits(got[i]) != math.Float32bits(w) {
			t.Fatalf("%s n=%d: [%d] = %#x for x=%#x, want %#x",
				what, n, i, math.Float32bits(got[i]), math.Float32bits(v), math.Float32bits(w))
		}
	}
}

func TestAxpy(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l level) {
		r := rand.New(rand.NewPCG(3, 4))
		for _, after := range []bool{true, false} {
			for _, n := range lengths {
				y, x := guarded(t, n, after), guarded(t, n, after)
				for i := range n {
					x[i], y[i] = float32(r.NormFloat64()), float32(r.NormFloat64())
				}
				alpha := float32(r.NormFloat64())
				y0 := append([]float32(nil), y...)
				harness.NoFault(t, l.name, func() { l.axpy(y, alpha, x) })
				for i := range n {
					if w := fma(alpha, x[i], y0[i]); got(y[i]) != got(w) {
						t.Fatalf("n=%d: y[%d] = %v, want %v = fma(%v, %v, %v)", n, i, y[i], w, alpha, x[i], y0[i])
					}
				}
				copy(y, y0)
				harness.NoFault(t, l.name, func() { l.axpy(y, alpha, y) })
				for i := range n {
					if w := fma(alpha, y0[i], y0[i]); got(y[i]) != got(w) {
						t.Fatalf("in place n=%d: y[%d] = %v, want %v", n, i, y[i], w)
					}
				}
			}
		}
	})
}

// TestAxpyFused checks that the product is not rounded before the sum:
// (1+2⁻¹²)² − 1 is 2⁻¹¹+2⁻²⁴ exactly, but 2⁻¹¹ if a*x is rounded first.
func TestAxpyFused(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l level) {
		for _, n := range []int{1, 16, 100} {
			a := float32(1 + 0x1p-12)
			x, y := make([]float32, n), make([]float32, n)
			for i := range n {
				x[i], y[i] = a, -1
			}
			l.axpy(y, a, x)
			for i, v := range y {
				if v != 0x1p-11+0x1p-24 {
					t.Fatalf("n=%d: y[%d] = %g, want the fused 2⁻¹¹+2⁻²⁴", n, i, v)
				}
			}
		}
	})
}

// fma is a·x + y computed exactly, then rounded once to float32. (Going
// through float64 would round twice.)
func fma(a, x, y float32) float32 {
	e := new(big.Float).SetPrec(1000).SetFloat64(float64(a))
	e.Mul(e, big.NewFloat(float64(x)))
	e.Add(e, big.NewFloat(float64(y)))
	f, _ := e.Float32()
	return f
}

// got returns the bits of v, so that comparisons are exact and NaN-safe.
func got(v float32) uint32 { return math.Float32bits(v) }
