//go:build !purego

package asm

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/simdnn/simdnn/internal/adam"
	"github.com/simdnn/simdnn/internal/harness"
)

// The NEON optimizer kernels promise the fallback's operations with the
// products fused that the Go compiler fuses on arm64. The models below
// write that out with an exact fused multiply-add (big.Float), so that
// they do not depend on what the compiler fuses in this file; the
// fallback must then match them too, or the compiler has changed and the
// kernels' doc comments with it.

// The NEON kernels of sgdForms and adamForms, in order.
var (
	sgdNEON  = []any{SGDNEON, SGDL2NEON, SGDMomentumNEON, SGDMomentumL2NEON, SGDDampenedNEON, SGDDampenedL2NEON, SGDNesterovNEON, SGDNesterovL2NEON}
	adamNEON = []any{AdamNEON, AdamL2NEON, AdamWNEON, AdamAMSGradNEON, AdamL2AMSGradNEON, AdamWAMSGradNEON}
)

// fmaExact is a·x + y computed exactly, then rounded once to float32
// (through float64 it would round twice). Finite operands only.
func fmaExact(a, x, y float32) float32 {
	e := new(big.Float).SetPrec(1000).SetFloat64(float64(a))
	e.Mul(e, big.NewFloat(float64(x)))
	e.Add(e, big.NewFloat(float64(y)))
	f, _ := e.Float32()
	return f
}

// sgdFusedModel returns the new w and v of form f on one element (e: w, v,
// g or w, g), fused as fallback/sgd.go says.
func sgdFusedModel(f sgdForm, e []float32, s sgdScalars) (wNew, vNew float32) {
	w, g := e[0], e[len(e)-1]
	d := g
	if f.l2 {
		d = fmaExact(s.wd, w, g)
	}
	if !f.momentum {
		return fmaExact(-s.lr, d, w), 0
	}
	share := d
	if f.dampened {
		share = float32(s.damp * d)
	}
	vNew = fmaExact(s.momentum, e[1], share)
	step := vNew
	if f.nesterov {
		step = fmaExact(s.momentum, vNew, d)
	}
	return fmaExact(-s.lr, step, w), vNew
}

// adamFusedModel returns the new w, m, v and vmax of form f on one element
// (e: w, m, v, vmax, g or w, m, v, g), fused as fallback/adam.go says.
func adamFusedModel(f adamForm, e []float32, s adam.Scalars) (wNew, mNew, vNew, vmaxNew float32) {
	w, m, v, g := e[0], e[1], e[2], e[len(e)-1]
	if f.l2 {
		g = fmaExact(s.WeightDecay, w, g)
	}
	mNew = fmaExact(s.Beta1, m, float32(s.OneMinusBeta1*g))
	vNew = fmaExact(s.Beta2, v, float32(float32(s.OneMinusBeta2*g)*g))
	root := vNew
	if f.amsgrad {
		vmaxNew = max(e[3], vNew)
		root = vmaxNew
	}
	den := fmaExact(float32(math.Sqrt(float64(root))), s.InvSqrtBC2, s.Eps)
	if f.decoupled {
		w = float32(w * s.Decay)
	}
	return w - float32(s.StepSize*mNew)/den, mNew, vNew, vmaxNew
}

// neonLengths are the lengths of the optimizer tests: every tail of the
// 16-float group (12-float with AMSGrad's five slices) and the 4-float
// vector, and longer ones.
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

// optimInputs returns the operands named, each against a guard page,
// filled with normal values (finite, for the models) or, with specials,
// the values of harness.Specials mixed in; second moments mostly not
// negative.
func optimInputs(t *testing.T, r *rand.Rand, names []string, n int, specials, after bool) [][]float32 {
	sp := harness.Specials()
	ops := make([][]float32, len(names))
	for j, name := range names {
		ops[j] = neonGuarded(t, n, after)
		for i := range ops[j] {
			x := float32(r.NormFloat64())
			if specials && r.IntN(5) == 0 {
				x = sp[r.IntN(len(sp))]
			}
			if (name == "v" || name == "vmax") && r.IntN(4) > 0 {
				x = float32(math.Abs(float64(x)))
			}
			ops[j][i] = x
		}
	}
	return ops
}

// fusedModelApplies reports whether the fused models take the element
// e of the operands names: finite values (fmaExact's), and second moments
// not negative (whose roots the models take).
func fusedModelApplies(names []string, e []float32) bool {
	adam := names[1] == "m"
	for j, x := range e {
		if math.IsInf(float64(x), 0) || x != x || adam && (names[j] == "v" || names[j] == "vmax") && x < 0 {
			return false
		}
	}
	return true
}

// TestOptimNEON holds every NEON SGD and Adam kernel, with every set of
// optimHypers, to the fallback bit for bit, and both to the fused model
// where it applies, on every length of neonLengths with each operand
// flush against a guard page.
func TestOptimNEON(t *testing.T) {
	var ks []optimKernel
	for _, h := range optimHypers {
		for fi := range sgdForms {
			ks = append(ks, sgdKernel("NEON", fi, sgdNEON[fi], h.sgd(), sgdFusedModel))
		}
		for fi := range adamForms {
			ks = append(ks, adamKernel("NEON", fi, adamNEON[fi], h, adamFusedModel))
		}
	}
	r := rand.New(rand.NewPCG(21, 22))
	for _, k := range ks {
		model := k.model
		k.model = func(e []float32) []float32 {
			if !fusedModelApplies(k.operands, e) {
				return nil
			}
			return model(e)
		}
		// Both guard pages, one with specials: under emulation, all
		// four combinations take long.
		for _, specials := range []bool{false, true} {
			after := !specials
			for _, n := range neonLengths {
				ops := optimInputs(t, r, k.operands, n, specials, after)
				k.check(t, fmt.Sprintf("n=%d specials=%v after=%v", n, specials, after), ops, true)
			}
		}
	}
}
