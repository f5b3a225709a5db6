package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdnn/simdnn/internal/harness"
)

// FuzzOptim holds SGD and Adam, in the forms the fuzzed options pick, on
// every implementation, to the bounds of sgdBounds and adamBounds
// against the float64 reference, and to the fallback: bit for bit where
// sameOptimBits holds, NaN for NaN everywhere. Lengths, offsets,
// hyper-parameters and state are fuzzed. The state w, v (m, vmax) and g
// starts realistic and is patched with any values the fuzzer finds
// (fuzzOperands), specials included, their magnitude capped at 2⁴⁰ so
// that g² and the update cannot overflow in one order of operations and
// not in another (huge and infinite values are TestOptimizerSpecials').
// The hyper-parameters are folded into the ranges PyTorch's optimizers
// take, edges included: lr, momentum, dampening and weight decay in
// [0, 1], β₁ and β₂ in [0, 1), eps in [2⁻³⁰, 1], step from 1 to 65536.
// The bits of opts choose the forms: weight decay or not, decoupled,
// AMSGrad, momentum or not, dampened, Nesterov.
func FuzzOptim(f *testing.F) {
	for i, n := range []int{0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 67, 100, 257} {
		sp := harness.Specials()
		// Specials at the first and last elements of each operand (the
		// indices wrap around the 5n elements of Adam's operands).
		var at []int
		var vals []float32
		for j := range 10 {
			at = append(at, j*n/2+j%2*(n-1))
			vals = append(vals, sp[(i+j)%len(sp)])
		}
		lr := []float64{1e-3, 0.01, 0.1, 1, 0}[i%5]
		mu := []float64{0.9, 0, 0.99, 1}[i%4]
		b1 := []float64{0.9, 0.5, 0.99, 0}[i%4]
		b2 := []float64{0.999, 0.5, 0.9999}[i%3]
		eps := []float64{1e-8, 0x1p-30, 1}[i%3]
		wd := []float64{0, 1e-2, 0.5}[i%3]
		step := []uint16{0, 1, 9, 999, 65535}[i%5]
		f.Add(uint16(n), uint8(i), uint8(i*7), lr, mu, wd, wd/2, b1, b2, eps, step, fuzzPatch(at, vals))
	}
	f.Fuzz(func(t *testing.T, n16 uint16, trial, opts uint8, lr, mu, wd, damp, b1, b2, eps float64, step16 uint16, data []byte) {
		n := int(n16) % 520
		lr, mu, wd, damp = unitInterval(lr), unitInterval(mu), unitInterval(wd), unitInterval(damp)
		b1, b2 = min(unitInterval(b1), 1-0x1p-24), min(unitInterval(b2), 1-0x1p-24)
		if eps = math.Abs(eps); eps == 0 || eps != eps || eps > 1 {
			eps = 1
		}
		eps = max(eps, 0x1p-30)
		step := int(step16) + 1
		seed := math.Float64bits(lr) ^ uint64(opts)<<32 | uint64(step16)<<16 | uint64(n16)
		gen := func(r *rand.Rand, op int) float32 {
			switch op {
			case 0:
				return harness.Uniform(r, -1, 1) // w
			case 1:
				return harness.Uniform(r, -0.1, 0.1) // v of SGD, m of Adam
			case 2, 3:
				return harness.Uniform(r, 0, 0.1) // v and vmax of Adam
			}
			return harness.Uniform(r, -1, 1) // g
		}
		capped := func(op int, v float32) float32 {
			v = tameExp(v, -200, 40)
			if op == 2 || op == 3 {
				v = float32(math.Abs(float64(v))) // a second moment is ≥ 0
			}
			return v
		}
		ops := fuzzOperands(data, seed, gen, capped, n, n, n, n, n)
		w, m, v, vmax, g := ops[0], ops[1], ops[2], ops[3], ops[4]
		tr := int(trial) % harness.Offsets
		bits := sameOptimBits()

		so := SGDOptions{LR: lr}
		if opts&1 != 0 {
			so.WeightDecay = wd
		}
		if opts&8 != 0 {
			so.Momentum = mu
			switch {
			case opts&16 != 0 && mu > 0:
				so.Nesterov = true
			case opts&32 != 0:
				so.Dampening = damp
			}
		}
		if so.Momentum == 0 {
			fuzzElementwise(t, sgdCase(so, nil), [][]float32{w, g}, tr, bits)
		} else {
			fuzzElementwise(t, sgdCase(so, nil), [][]float32{w, m, g}, tr, bits)
		}

		ao := AdamOptions{LR: lr, Beta1: b1, Beta2: b2, Eps: eps, Step: step, Decoupled: opts&2 != 0, AMSGrad: opts&4 != 0}
		if opts&1 != 0 {
			ao.WeightDecay = wd
		}
		if ao.AMSGrad {
			fuzzElementwise(t, adamCase(ao, nil), [][]float32{w, m, v, vmax, g}, tr, bits)
		} else {
			fuzzElementwise(t, adamCase(ao, nil), [][]float32{w, m, v, g}, tr, bits)
		}
	})
}

// unitInterval folds v into [0, 1]: |v| if at most 1, else 1/|v|; NaN and
// ±Inf give 0.
func unitInterval(v float64) float64 {
	a := math.Abs(v)
	switch {
	case a != a || math.IsInf(a, 0):
		return 0
	case a > 1:
		return 1 / a
	}
	return a
}
