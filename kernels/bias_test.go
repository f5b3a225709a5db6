package kernels

// NUMERICS.md, at the repository's root, lists the promises these tests
// check; change the two together.

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdnn/simdnn/internal/harness"
)

// biasLDs are the leading dimensions the bias kernels are tested with:
// the row length, one more (every row starts at another alignment) and
// seven more.
func biasLDs(n int) []int { return []int{max(1, n), n + 1, n + 7} }

// fillMatrix fills the s-shaped matrix v with draw() inside the m×n
// window and the canary in the padding past n, which the kernels must
// neither change nor read (a NaN read there would reach the result).
func fillMatrix(r *rand.Rand, s harness.Shape, v []float32, draw func(*rand.Rand) float32) {
	for i := range v {
		if i%s.LD < s.N {
			v[i] = draw(r)
		} else {
			v[i] = harness.Canary()
		}
	}
}

// mixedUnit draws mixed(r, −1, 1).
func mixedUnit(r *rand.Rand) float32 { return mixed(r, -1, 1) }

// biasAdd is the BiasAdd kernel described for harness.Matrix: operands c
// and bias.
var biasAdd = harness.Matrix[[]float64]{
	Name:     "BiasAdd",
	Operands: []string{"c", "bias"},
	Outputs:  1,
	Len: func(op int, s harness.Shape) int {
		if op == 0 {
			return s.Len()
		}
		return s.N
	},
	Gen: func(r *rand.Rand, op int, s harness.Shape, v []float32, _ [][]float32) {
		if op == 0 {
			fillMatrix(r, s, v, mixedUnit)
			return
		}
		for i := range v {
			v[i] = mixedUnit(r)
		}
	},
	Call: func(o [][]float32, s harness.Shape) float32 {
		BiasAdd(o[0], s.LD, s.M, s.N, o[1])
		return 0
	},
	Ref: func(in [][]float32, s harness.Shape) []float64 {
		return harness.BiasAdd(in[0], s.LD, s.M, s.N, in[1])
	},
	// The sum of two float32 is exact in float64 or, when it is not,
	// rounding it to float64 and then to float32 still gives the
	// correctly rounded float32 sum (53 ≥ 2·24 + 2), so the reference
	// rounds to the one result the contract allows. The padding must
	// hold its canary bits.
	Check: func(e *harness.Errs, what string, s harness.Shape, in [][]float32, ref []float64, out [][]float32, _ float32) {
		for i, got := range out[0] {
			if i%s.LD >= s.N {
				if math.Float32bits(got) != harness.CanaryBits {
					e.Errorf("%s: padding c[%d] = %s, want the canary", what, i, harness.F(got))
				}
				continue
			}
			if !harness.Within(got, ref[i], 0, 0) {
				e.Errorf("%s: c[%d] = %s, want %s (c = %s + bias = %s)", what, i, harness.F(got), harness.F(float32(ref[i])), harness.F(in[0][i]), harness.F(in[1][i%s.LD]))
			}
		}
	},
}

func TestBiasAdd(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		biasAdd.Sweep(t, 20, harness.WithLD(harness.Shapes(), biasLDs), harness.WithLD(harness.GuardShapes(), biasLDs))
	})
}

// biasGradRef is the reference of BiasGrad: the column sums, the column
// sums of absolute values, and those of the finite entries only.
type biasGradRef struct{ sum, abs, finite []float64 }

// newBiasGradRef returns the reference of BiasGrad on dy.
func newBiasGradRef(dy []float32, s harness.Shape) biasGradRef {
	sum, abs := harness.BiasGrad(dy, s.LD, s.M, s.N)
	finite := make([]float64, s.N)
	for i := range s.M {
		for j := range s.N {
			if v := float64(dy[i*s.LD+j]); !math.IsInf(v, 0) && !math.IsNaN(v) {
				finite[j] += math.Abs(v)
			}
		}
	}
	return biasGradRef{sum, abs, finite}
}

// biasGrad is the BiasGrad kernel described for harness.Matrix: operands
// db and dy.
var biasGrad = harness.Matrix[biasGradRef]{
	Name:     "BiasGrad",
	Operands: []string{"db", "dy"},
	Outputs:  1,
	Len: func(op int, s harness.Shape) int {
		if op == 0 {
			return s.N
		}
		return s.Len()
	},
	Gen: func(r *rand.Rand, op int, s harness.Shape, v []float32, _ [][]float32) {
		if op == 0 {
			for i := range v {
				v[i] = garbage(r) // db is overwritten, never read
			}
			return
		}
		// A quarter of the columns get mixed values, specials and huge
		// ones; the others stay uniform in [−1, 1), so that a tall
		// column still tests the sum's accuracy rather than holding a
		// NaN or an Inf almost surely.
		wild := make([]bool, s.N)
		for j := range wild {
			wild[j] = r.IntN(4) == 0
		}
		fillMatrix(r, s, v, mixedUnit)
		for i := range v {
			if j := i % s.LD; j < s.N && !wild[j] {
				v[i] = harness.Uniform(r, -1, 1)
			}
		}
	},
	Call: func(o [][]float32, s harness.Shape) float32 {
		BiasGrad(o[0], o[1], s.LD, s.M, s.N)
		return 0
	},
	Ref: func(in [][]float32, s harness.Shape) biasGradRef {
		return newBiasGradRef(in[1], s)
	},
	Check: checkBiasGrad,
}

// checkBiasGrad checks db against the contract's bound, m·ε·Σᵢ|dY[i,j]|
// with ε = 2⁻²⁴, which covers any order of m−1 float32 additions and
// the final rounding. Half an ULP more lets a sum that is exactly 0 come
// out as −0, and m = 0 must give zeros whatever db held.
//
// The bound assumes no partial sum overflows. When the finite entries of
// a column can add up past FLT_MAX, a float32 partial sum may become ±Inf
// in some order, and then meet the column's opposite infinity, or another
// partial sum's, as NaN: any of NaN and ±Inf is then a right answer.
func checkBiasGrad(e *harness.Errs, what string, s harness.Shape, _ [][]float32, ref biasGradRef, out [][]float32, _ float32) {
	for j, got := range out[0] {
		bound := float64(s.M) * 0x1p-24 * ref.abs[j]
		overflows := ref.finite[j]*(1+float64(s.M)*0x1p-24) >= math.MaxFloat32
		if overflows && (isNaN(got) || math.IsInf(float64(got), 0)) {
			continue
		}
		if !harness.Within(got, ref.sum[j], 0.5, bound) {
			e.Errorf("%s: db[%d] = %s, want %g within %g", what, j, harness.F(got), ref.sum[j], bound)
		}
	}
}

func TestBiasGrad(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		biasGrad.Sweep(t, 21, harness.WithLD(harness.Shapes(), biasLDs), harness.WithLD(harness.GuardShapes(), biasLDs))
	})
}

// TestBiasSpecials runs both bias kernels on every pair of special values:
// BiasAdd with C[i,j] = sp[i] and bias[j] = sp[j]; BiasGrad with the
// columns (sp[i], sp[j]) and (sp[i], sp[j], 1). NaN and Inf propagate as
// in the additions, so the references' float64 sums are the contract.
func TestBiasSpecials(t *testing.T) {
	sp := harness.Specials()
	k := len(sp)
	forEachImpl(t, func(t *testing.T) {
		errs := &harness.Errs{T: t}
		var outs harness.Outputs
		for _, ld := range []int{k, k + 3} {
			s := harness.Shape{M: k, N: k, LD: ld}
			c := make([]float32, s.Len())
			for i := range c {
				c[i] = harness.Canary()
				if i%ld < k {
					c[i] = sp[i/ld]
				}
			}
			c = outs.Place("c", c)
			in := [][]float32{append([]float32{}, c...), sp}
			BiasAdd(c, ld, k, k, sp)
			biasAdd.Check(errs, "BiasAdd on specials "+s.String(), s, in, harness.BiasAdd(in[0], ld, k, k, sp), [][]float32{c}, 0)
		}
		for m := 2; m <= 3; m++ {
			s := harness.Shape{M: m, N: k * k, LD: k * k}
			dy := make([]float32, s.Len())
			for i := range k {
				for j := range k {
					dy[i*k+j], dy[s.LD+i*k+j] = sp[i], sp[j]
					if m == 3 {
						dy[2*s.LD+i*k+j] = 1
					}
				}
			}
			db := outs.Make("db", s.N)
			BiasGrad(db, dy, s.LD, s.M, s.N)
			checkBiasGrad(errs, "BiasGrad on specials "+s.String(), s, nil, newBiasGradRef(dy, s), [][]float32{db}, 0)
		}
		outs.Check(errs, "TestBiasSpecials")
	})
}
