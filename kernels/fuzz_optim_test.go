package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdnn/simdnn/internal/harness"
)

// FuzzOptim holds SGDMomentum and Adam, on every implementation, to the
// tolerances of sgdTol and adamTol against the float64 reference (the
// implementations differ in fused multiply-adds, so not in bits), and to
// the fallback NaN for NaN, on fuzzed lengths, offsets, hyperparameters
// and state. The state w, v (m) and g starts realistic and is patched with
// any values the fuzzer finds (fuzzOperands), specials included, their
// magnitude capped at 2⁴⁰ so that g² and the update cannot overflow in
// one order of operations and not in another (huge and infinite values
// are TestOptimizerSpecials'). The hyperparameters are folded into the
// ranges the tolerances are derived for, edges included: lr and
// momentum in [0, 1], β₁ and β₂ in [1/2, 1) (so that 1 − β is exact),
// eps in [2⁻³⁰, 1], step from 1 to 65536.
func FuzzOptim(f *testing.F) {
	for i, n := range []int{0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 67, 100, 257} {
		sp := harness.Specials()
		// Specials at the first and last elements of each operand (the
		// indices wrap around the 4n elements of Adam's operands).
		var at []int
		var vals []float32
		for j := range 8 {
			at = append(at, j*n/2+j%2*(n-1))
			vals = append(vals, sp[(i+j)%len(sp)])
		}
		lr := []float32{1e-3, 0.01, 0.1, 1, 0}[i%5]
		mu := []float32{0.9, 0, 0.99, 1}[i%4]
		b1 := []float32{0.9, 0.5, 0.99}[i%3]
		b2 := []float32{0.999, 0.5, 0.9999}[i%3]
		eps := []float32{1e-8, 0x1p-30, 1}[i%3]
		step := []uint16{0, 1, 9, 999, 65535}[i%5]
		f.Add(uint16(n), uint8(i), lr, mu, b1, b2, eps, step, fuzzPatch(at, vals))
	}
	f.Fuzz(func(t *testing.T, n16 uint16, trial uint8, lr, mu, b1, b2, eps float32, step16 uint16, data []byte) {
		n := int(n16) % 520
		lr, mu = unitInterval(lr), unitInterval(mu)
		b1, b2 = 0.5+unitInterval(b1)/2, 0.5+unitInterval(b2)/2
		b1, b2 = min(b1, 1-0x1p-24), min(b2, 1-0x1p-24)
		if eps = float32(math.Abs(float64(eps))); eps == 0 || eps != eps || eps > 1 {
			eps = 1
		}
		eps = max(eps, 0x1p-30)
		step := int(step16) + 1
		seed := uint64(math.Float32bits(lr))<<32 | uint64(step16)<<16 | uint64(n16)
		gen := func(r *rand.Rand, op int) float32 {
			switch op {
			case 0:
				return harness.Uniform(r, -1, 1) // w
			case 1:
				return harness.Uniform(r, -0.1, 0.1) // v of SGD, m of Adam
			case 2:
				return harness.Uniform(r, 0, 0.1) // v of Adam
			}
			return harness.Uniform(r, -1, 1) // g
		}
		capped := func(op int, v float32) float32 {
			v = tameExp(v, -200, 40)
			if op == 2 {
				v = float32(math.Abs(float64(v))) // a second moment is ≥ 0
			}
			return v
		}
		ops := fuzzOperands(data, seed, gen, capped, n, n, n, n)
		w, m, v, g := ops[0], ops[1], ops[2], ops[3]
		tr := int(trial) % harness.Offsets
		fuzzElementwise(t, sgdMomentum(lr, mu, nil), [][]float32{w, m, g}, tr, false)
		fuzzElementwise(t, adamCase(lr, b1, b2, eps, step, nil), [][]float32{w, m, v, g}, tr, false)
	})
}

// unitInterval folds v into [0, 1]: |v| if at most 1, else 1/|v|; NaN and
// ±Inf give 0.
func unitInterval(v float32) float32 {
	a := math.Abs(float64(v))
	switch {
	case a != a || math.IsInf(a, 0):
		return 0
	case a > 1:
		return float32(1 / a)
	}
	return float32(a)
}
