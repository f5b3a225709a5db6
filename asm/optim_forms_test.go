//go:build !purego

package asm

import (
	"fmt"
	"math"
	"testing"

	"github.com/simdnn/simdnn/fallback"
	"github.com/simdnn/simdnn/internal/adam"
	"github.com/simdnn/simdnn/internal/harness"
)

// The optimizer kernels come in forms (gen/sgd.go, gen/adam.go), each with
// the signature of its fallback. The tests describe every form by its
// options and call a kernel of any form through the adapters below, with
// the operands in one slice: w, v, g for SGD (w, g without momentum); w,
// m, v, vmax, g for Adam (no vmax without AMSGrad).

// sgdForm is one form of SGD's update.
type sgdForm struct {
	name                             string
	momentum, dampened, nesterov, l2 bool
}

// sgdScalars are the float32 scalars of an SGD kernel.
type sgdScalars struct{ lr, momentum, damp, wd float32 }

// sgdForms are every form, in the order of the kernels' tables.
var sgdForms = []sgdForm{
	{name: "SGD"}, {name: "SGDL2", l2: true},
	{name: "SGDMomentum", momentum: true}, {name: "SGDMomentumL2", momentum: true, l2: true},
	{name: "SGDDampened", momentum: true, dampened: true}, {name: "SGDDampenedL2", momentum: true, dampened: true, l2: true},
	{name: "SGDNesterov", momentum: true, nesterov: true}, {name: "SGDNesterovL2", momentum: true, nesterov: true, l2: true},
}

// sgdFallbacks are the fallback's kernels of sgdForms, in order.
var sgdFallbacks = []any{
	fallback.SGD, fallback.SGDL2, fallback.SGDMomentum, fallback.SGDMomentumL2,
	fallback.SGDDampened, fallback.SGDDampenedL2, fallback.SGDNesterov, fallback.SGDNesterovL2,
}

// operands returns the names of the form's operands.
func (f sgdForm) operands() []string {
	if f.momentum {
		return []string{"w", "v", "g"}
	}
	return []string{"w", "g"}
}

// call runs k, a kernel of form f, on ops with the scalars s.
func (f sgdForm) call(k any, ops [][]float32, s sgdScalars) {
	x := s.wd // the last scalar of the forms with four
	if f.dampened {
		x = s.damp
	}
	switch k := k.(type) {
	case func(w, g []float32, lr float32):
		k(ops[0], ops[1], s.lr)
	case func(w, g []float32, lr, wd float32):
		k(ops[0], ops[1], s.lr, s.wd)
	case func(w, v, g []float32, lr, momentum float32):
		k(ops[0], ops[1], ops[2], s.lr, s.momentum)
	case func(w, v, g []float32, lr, momentum, x float32):
		k(ops[0], ops[1], ops[2], s.lr, s.momentum, x)
	case func(w, v, g []float32, lr, momentum, damp, wd float32):
		k(ops[0], ops[1], ops[2], s.lr, s.momentum, s.damp, s.wd)
	default:
		panic(f.name + ": no adapter")
	}
}

// adamForm is one form of Adam's update.
type adamForm struct {
	name                   string
	l2, decoupled, amsgrad bool
}

// adamForms are every form, in the order of the kernels' tables.
var adamForms = []adamForm{
	{name: "Adam"}, {name: "AdamL2", l2: true}, {name: "AdamW", decoupled: true},
	{name: "AdamAMSGrad", amsgrad: true}, {name: "AdamL2AMSGrad", l2: true, amsgrad: true}, {name: "AdamWAMSGrad", decoupled: true, amsgrad: true},
}

// adamFallbacks are the fallback's kernels of adamForms, in order.
var adamFallbacks = []any{
	fallback.Adam, fallback.AdamL2, fallback.AdamW,
	fallback.AdamAMSGrad, fallback.AdamL2AMSGrad, fallback.AdamWAMSGrad,
}

// operands returns the names of the form's operands.
func (f adamForm) operands() []string {
	if f.amsgrad {
		return []string{"w", "m", "v", "vmax", "g"}
	}
	return []string{"w", "m", "v", "g"}
}

// call runs k, a kernel of form f, on ops with the scalars s.
func (f adamForm) call(k any, ops [][]float32, s adam.Scalars) {
	b1, omb1, b2, omb2, size, c, eps := s.Beta1, s.OneMinusBeta1, s.Beta2, s.OneMinusBeta2, s.StepSize, s.InvSqrtBC2, s.Eps
	x := s.WeightDecay
	if f.decoupled {
		x = s.Decay
	}
	switch k := k.(type) {
	case func(w, m, v, g []float32, b1, omb1, b2, omb2, size, c, eps float32):
		k(ops[0], ops[1], ops[2], ops[3], b1, omb1, b2, omb2, size, c, eps)
	case func(w, m, v, g []float32, b1, omb1, b2, omb2, size, c, eps, x float32):
		k(ops[0], ops[1], ops[2], ops[3], b1, omb1, b2, omb2, size, c, eps, x)
	case func(w, m, v, vmax, g []float32, b1, omb1, b2, omb2, size, c, eps float32):
		k(ops[0], ops[1], ops[2], ops[3], ops[4], b1, omb1, b2, omb2, size, c, eps)
	case func(w, m, v, vmax, g []float32, b1, omb1, b2, omb2, size, c, eps, x float32):
		k(ops[0], ops[1], ops[2], ops[3], ops[4], b1, omb1, b2, omb2, size, c, eps, x)
	default:
		panic(f.name + ": no adapter")
	}
}

// optimHyper are the hyper-parameters the kernel tests run with, as the
// float64 options kernels takes, turned into each kernel's scalars.
type optimHyper struct {
	lr, momentum, dampening, wd, b1, b2, eps float64
	step                                     int
}

// optimHypers are PyTorch's usual values and some others.
var optimHypers = []optimHyper{
	{1e-3, 0.9, 0.1, 1e-2, 0.9, 0.999, 1e-8, 1},
	{1e-3, 0.9, 0.1, 1e-2, 0.9, 0.999, 1e-8, 2},
	{0.01, 0.99, 0.5, 5e-4, 0.9, 0.999, 1e-8, 1000},
	{0.1, 0.5, 0.9, 0.3, 0.5, 0.9, 1e-3, 7},
}

func (h optimHyper) sgd() sgdScalars {
	return sgdScalars{float32(h.lr), float32(h.momentum), float32(1 - h.dampening), float32(h.wd)}
}

func (h optimHyper) adam() adam.Scalars {
	return adam.NewScalars(h.lr, h.b1, h.b2, h.eps, h.wd, h.step)
}

// state returns the operands' values before a call, copied.
func state(ops [][]float32) [][]float32 {
	c := make([][]float32, len(ops))
	for i, o := range ops {
		c[i] = append([]float32(nil), o...)
	}
	return c
}

// at returns element i of every operand.
func at(ops [][]float32, i int) []float32 {
	e := make([]float32, len(ops))
	for j, o := range ops {
		e[j] = o[i]
	}
	return e
}

// optimKernel is one generated optimizer kernel with its scalars bound,
// as the tests run it: call runs it on ops, fallback runs the fallback of
// its form, and model returns the new value of each output from the
// operands' elements e before the call, or nil where it has none.
type optimKernel struct {
	what           string
	operands       []string
	call, fallback func(ops [][]float32)
	model          func(e []float32) []float32
}

// sgdKernel returns k, a kernel of form fi of sgdForms, with the scalars
// s and the model.
func sgdKernel(name string, fi int, k any, s sgdScalars, model func(f sgdForm, e []float32, s sgdScalars) (w, v float32)) optimKernel {
	f := sgdForms[fi]
	return optimKernel{
		what:     fmt.Sprintf("%s%s %+v", f.name, name, s),
		operands: f.operands(),
		call:     func(ops [][]float32) { f.call(k, ops, s) },
		fallback: func(ops [][]float32) { f.call(sgdFallbacks[fi], ops, s) },
		model: func(e []float32) []float32 {
			w, v := model(f, e, s)
			return []float32{w, v}
		},
	}
}

// adamKernel returns k, a kernel of form fi of adamForms, with the
// scalars of h and the model.
func adamKernel(name string, fi int, k any, h optimHyper, model func(f adamForm, e []float32, s adam.Scalars) (w, m, v, vmax float32)) optimKernel {
	f, s := adamForms[fi], h.adam()
	return optimKernel{
		what:     fmt.Sprintf("%s%s %+v", f.name, name, h),
		operands: f.operands(),
		call:     func(ops [][]float32) { f.call(k, ops, s) },
		fallback: func(ops [][]float32) { f.call(adamFallbacks[fi], ops, s) },
		model: func(e []float32) []float32 {
			w, m, v, vmax := model(f, e, s)
			return []float32{w, m, v, vmax}
		},
	}
}

// check runs k on ops, each against a guard page, and compares every
// output element with the model and, with fallbackToo, with the
// fallback, bit for bit (any NaN matching any NaN); where both apply the
// fallback must match the model too. what describes ops.
func (k optimKernel) check(t *testing.T, what string, ops [][]float32, fallbackToo bool) {
	t.Helper()
	what = k.what + " " + what
	before := state(ops)
	harness.NoFault(t, what, func() { k.call(ops) })
	var fb [][]float32
	if fallbackToo {
		fb = state(before)
		k.fallback(fb)
	}
	for i := range len(ops[0]) {
		e := at(before, i)
		want := k.model(e)
		for j := range len(ops) - 1 {
			name := k.operands[j]
			if want != nil && !harness.SameBits(ops[j][i], want[j]) {
				t.Fatalf("%s: [%d] from %v: %s = %#x, the model %#x", what, i, e, name, f32bits(ops[j][i]), f32bits(want[j]))
			}
			if fb == nil {
				continue
			}
			if !harness.SameBits(ops[j][i], fb[j][i]) {
				t.Fatalf("%s: [%d] from %v: %s = %#x, the fallback %#x", what, i, e, name, f32bits(ops[j][i]), f32bits(fb[j][i]))
			}
		}
	}
}

// f32bits returns the bits of v, for messages.
func f32bits(v float32) uint32 { return math.Float32bits(v) }
