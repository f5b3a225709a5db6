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
)

// optimLevel is one level's generated optimizer kernels, in the order of
// sgdForms and adamForms, and whether this CPU runs them.
type optimLevel struct {
	name      string
	ok        bool
	sgd, adam []any
}

var optimLevels = []optimLevel{
	{"avx2", cpuid.CPU.Supports(AVX2...),
		[]any{SGDAVX2, SGDL2AVX2, SGDMomentumAVX2, SGDMomentumL2AVX2, SGDDampenedAVX2, SGDDampenedL2AVX2, SGDNesterovAVX2, SGDNesterovL2AVX2},
		[]any{AdamAVX2, AdamL2AVX2, AdamWAVX2, AdamAMSGradAVX2, AdamL2AMSGradAVX2, AdamWAMSGradAVX2}},
	{"avx512", cpuid.CPU.Supports(AVX512...),
		[]any{SGDAVX512, SGDL2AVX512, SGDMomentumAVX512, SGDMomentumL2AVX512, SGDDampenedAVX512, SGDDampenedL2AVX512, SGDNesterovAVX512, SGDNesterovL2AVX512},
		[]any{AdamAVX512, AdamL2AVX512, AdamWAVX512, AdamAMSGradAVX512, AdamL2AMSGradAVX512, AdamWAMSGradAVX512}},
}

// The oracles below write out the kernels' contract: every operation of
// the fallback's order rounded to float32 on its own. The explicit
// conversions stop the Go compiler from fusing a product into a sum.

// sgdModel returns the new w and v of form f on one element (e: w, v, g
// or w, g).
func sgdModel(f sgdForm, e []float32, s sgdScalars) (wNew, vNew float32) {
	w, g := e[0], e[len(e)-1]
	d := g
	if f.l2 {
		d = g + float32(s.wd*w)
	}
	if !f.momentum {
		return w - float32(s.lr*d), 0
	}
	share := d
	if f.dampened {
		share = float32(s.damp * d)
	}
	vNew = float32(s.momentum*e[1]) + share
	step := vNew
	if f.nesterov {
		step = d + float32(s.momentum*vNew)
	}
	return w - float32(s.lr*step), vNew
}

// adamModel returns the new w, m, v and vmax of form f on one element (e:
// w, m, v, vmax, g or w, m, v, g). max is Go's, NaN if either is.
func adamModel(f adamForm, e []float32, s adam.Scalars) (wNew, mNew, vNew, vmaxNew float32) {
	w, m, v, g := e[0], e[1], e[2], e[len(e)-1]
	if f.l2 {
		g = g + float32(s.WeightDecay*w)
	}
	mNew = float32(s.Beta1*m) + float32(s.OneMinusBeta1*g)
	vNew = float32(s.Beta2*v) + float32(float32(s.OneMinusBeta2*g)*g)
	root := vNew
	if f.amsgrad {
		vmaxNew = max(e[3], vNew)
		root = vmaxNew
	}
	den := float32(float32(math.Sqrt(float64(root)))*s.InvSqrtBC2) + s.Eps
	if f.decoupled {
		w = float32(w * s.Decay)
	}
	return w - float32(s.StepSize*mNew)/den, mNew, vNew, vmaxNew
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
	fallback.Adam(w, m, v, g, -0x1p-12, x, 0, 1, 0, 1, 1)
	return sgd || m[0] != 0x1p-11
}

// optimOperands returns the operands named, each flush against a guard
// page after or before it, filled with normal values and specials, second
// moments mostly not negative.
func optimOperands(t *testing.T, r *rand.Rand, names []string, n int, after bool) [][]float32 {
	ops := make([][]float32, len(names))
	for j, name := range names {
		ops[j] = guarded(t, n, after)
		fill(r, ops[j])
		if name == "v" || name == "vmax" {
			for i, x := range ops[j] {
				if r.IntN(4) > 0 {
					ops[j][i] = float32(math.Abs(float64(x)))
				}
			}
		}
	}
	return ops
}

// TestOptimKernels holds every generated SGD and Adam kernel, with every
// set of optimHypers, to the model and (unless it fuses) to the fallback,
// bit for bit, on every length of streamLengths with each operand flush
// against a guard page after it, then before it.
func TestOptimKernels(t *testing.T) {
	fuses := fallbackFuses()
	for _, l := range optimLevels {
		t.Run(l.name, func(t *testing.T) {
			if !l.ok {
				t.Skipf("CPU lacks %s", l.name)
			}
			var ks []optimKernel
			for _, h := range optimHypers {
				for fi := range sgdForms {
					ks = append(ks, sgdKernel(l.name, fi, l.sgd[fi], h.sgd(), sgdModel))
				}
				for fi := range adamForms {
					ks = append(ks, adamKernel(l.name, fi, l.adam[fi], h, adamModel))
				}
			}
			r := rand.New(rand.NewPCG(9, 10))
			for _, k := range ks {
				for _, after := range []bool{true, false} {
					for _, n := range streamLengths {
						ops := optimOperands(t, r, k.operands, n, after)
						k.check(t, fmt.Sprintf("n=%d after=%v", n, after), ops, !fuses)
					}
				}
			}
		})
	}
}

// TestOptimUnfused checks that the kernels round the products before the
// sums, as the fallback does: with x = 1+2⁻¹², x·x − 1 is 2⁻¹¹ rounded
// first and 2⁻¹¹+2⁻²⁴ fused. Every form's velocity or first moment is
// such a sum.
func TestOptimUnfused(t *testing.T) {
	x := float32(1 + 0x1p-12)
	for _, l := range optimLevels {
		t.Run(l.name, func(t *testing.T) {
			if !l.ok {
				t.Skipf("CPU lacks %s", l.name)
			}
			for _, n := range []int{1, 16, 100, 130} {
				fill := func(v float32) []float32 {
					s := make([]float32, n)
					for i := range s {
						s[i] = v
					}
					return s
				}
				for fi, f := range sgdForms {
					if !f.momentum {
						continue
					}
					// v = momentum·v + damp·g with v = momentum = x and
					// damp·g = −1.
					v := fill(x)
					f.call(l.sgd[fi], [][]float32{fill(0), v, fill(-1)}, sgdScalars{lr: 0, momentum: x, damp: 1})
					if v[n-1] != 0x1p-11 {
						t.Fatalf("%s n=%d: v = %g, want the unfused 2⁻¹¹", f.name, n, v[n-1])
					}
				}
				for fi, f := range adamForms {
					// m = β₁·m + (1−β₁)·g with β₁ = x, m = x, 1−β₁
					// passed as 1 and g = −1.
					m := fill(x)
					ops := [][]float32{fill(0), m, fill(0), fill(-1)}
					if f.amsgrad {
						ops = [][]float32{fill(0), m, fill(0), fill(0), fill(-1)}
					}
					f.call(l.adam[fi], ops, adam.Scalars{Beta1: x, OneMinusBeta1: 1, InvSqrtBC2: 1, Eps: 1, Decay: 1})
					if m[n-1] != 0x1p-11 {
						t.Fatalf("%s n=%d: m = %g, want the unfused 2⁻¹¹", f.name, n, m[n-1])
					}
				}
			}
		})
	}
}

// TestAMSGradNaN checks the maximum of AMSGrad against Go's max on the
// pairs of specials the random sweep may miss: NaN in either operand
// (each NaN of specials, quiet and signalling, of both signs), and every
// ordering of zeros, infinities and numbers; the new v is never −0.
func TestAMSGradNaN(t *testing.T) {
	var vmaxes, vs []float32
	for _, a := range specials {
		for _, b := range specials {
			vmaxes, vs = append(vmaxes, a), append(vs, b)
		}
	}
	n := len(vs)
	s := adam.Scalars{Beta2: 1, InvSqrtBC2: 1, Eps: 1, Decay: 1} // v passes through: v = 1·v + 0
	for _, l := range optimLevels {
		t.Run(l.name, func(t *testing.T) {
			if !l.ok {
				t.Skipf("CPU lacks %s", l.name)
			}
			for fi, f := range adamForms {
				if !f.amsgrad {
					continue
				}
				ops := [][]float32{make([]float32, n), make([]float32, n), append([]float32(nil), vs...), append([]float32(nil), vmaxes...), make([]float32, n)}
				f.call(l.adam[fi], ops, s)
				for i := range n {
					want := max(vmaxes[i], ops[2][i])
					if !same(ops[3][i], want) {
						t.Errorf("%s: max(vmax=%#x, v=%#x) = %#x, Go's max %#x", f.name, got(vmaxes[i]), got(ops[2][i]), got(ops[3][i]), got(want))
					}
				}
			}
		})
	}
}
