package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdnn/simdnn/internal/harness"
)

// TestOptimizerSteps runs every form of SGD and Adam for 1000 steps on a
// vector of 67, from zero state, with fresh gradients each step (a scale
// that shrinks, as in training), and checks every step against the
// reference applied to the state the kernel left: the tolerances are
// those of one step, and the bias corrections of every step from 1 to
// 1000 are met. The dampened forms take their first step with Dampening
// 0, as SGD's doc comment asks. Every form runs at lr = 0.01, the two
// without options at 1e-3 and 0.1 too. With -short, 200 steps.
func TestOptimizerSteps(t *testing.T) {
	const n = 67
	steps := 1000
	if testing.Short() {
		steps = 200
	}
	forEachImpl(t, func(t *testing.T) {
		for _, lr := range optimLRs {
			var sgds []SGDOptions
			for _, o := range sgdForms(lr) {
				if lr == 0.01 || o == (SGDOptions{LR: lr, Momentum: 0.9}) {
					sgds = append(sgds, o)
				}
			}
			var adams []AdamOptions
			for _, o := range adamForms(lr, 0) {
				if lr == 0.01 || o == (AdamOptions{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}) {
					adams = append(adams, o)
				}
			}
			r := rand.New(rand.NewPCG(54, uint64(lr*1e4)))
			errs := &harness.Errs{T: t}
			w, g := make([]float32, n), make([]float32, n)
			for i := range w {
				w[i] = harness.Uniform(r, -1, 1)
			}
			var outs harness.Outputs
			zeros := make([]float32, n)
			// Each form's state: w, then v; or w, m, v, vmax.
			state := func(name string, k int) [][]float32 {
				s := [][]float32{outs.Place(name+" w", w)}
				for j := 1; j < k; j++ {
					s = append(s, outs.Place(fmt.Sprint(name, " state ", j), zeros))
				}
				return s
			}
			sgdState := make([][][]float32, len(sgds))
			for i, o := range sgds {
				sgdState[i] = state(sgdName(o), len(sgdCase(o, nil).Operands)-1)
			}
			adamState := make([][][]float32, len(adams))
			for i, o := range adams {
				adamState[i] = state(adamName(o), len(adamCase(o, nil).Operands)-1)
			}
			for step := 1; step <= steps; step++ {
				scale := 1 / math.Sqrt(float64(step))
				for i := range g {
					g[i] = harness.Uniform(r, -scale, scale)
				}
				what := fmt.Sprintf("step %d", step)
				for i, o := range sgds {
					if step == 1 {
						o.Dampening = 0
					}
					checkCall(errs, sgdCase(o, nil), append(sgdState[i], g), what)
				}
				for i, o := range adams {
					o.Step = step
					checkCall(errs, adamCase(o, nil), append(adamState[i], g), what)
				}
				outs.Check(errs, what)
			}
		}
	})
}

// checkCall runs k once on ops, whose outputs it updates in place, and
// checks every output element against k's reference from the values
// before the call.
func checkCall(errs *harness.Errs, k harness.Elementwise, ops [][]float32, what string) {
	errs.T.Helper()
	before := make([][]float32, len(ops))
	for j, o := range ops {
		before[j] = append([]float32(nil), o...)
	}
	k.Call(ops)
	in := make([]float32, len(ops))
	want := make([]float64, len(ops))
	for i := range ops[0] {
		for j := range ops {
			in[j] = before[j][i]
		}
		k.Ref(in, want)
		for j := range k.Outputs {
			got := ops[j][i]
			if ulps, abs := k.Tol(in, want, j); !harness.Within(got, want[j], ulps, abs) {
				errs.Errorf("%s %s on %v: %s[%d] = %s, want %g within %g ULP + %g: %g ULP away",
					k.Name, what, in, k.Operands[j], i, harness.F(got), want[j], ulps, abs, harness.ULP(got, want[j]))
			}
		}
	}
}

// TestOptimizerSpecials runs every form of SGD and Adam on every
// combination of special values of w and g, with states v (and m, vmax)
// from the specials too (second moments not negative), against the
// references: NaN in gives NaN out (in the outputs that depend on it),
// infinities propagate as the float32 arithmetic does. AMSGrad's vmax
// cycles through its specials along the combinations of the others,
// which meets every pair of v and vmax.
func TestOptimizerSpecials(t *testing.T) {
	sp := harness.Specials()
	var vs []float32 // second moments are ≥ 0
	for _, v := range sp {
		if !(v < 0) {
			vs = append(vs, v)
		}
	}
	var sgdOps [3][]float32
	for _, w := range sp {
		for _, v := range sp {
			for _, g := range sp {
				sgdOps[0], sgdOps[1], sgdOps[2] = append(sgdOps[0], w), append(sgdOps[1], v), append(sgdOps[2], g)
			}
		}
	}
	var adamOps [5][]float32
	for _, w := range sp {
		for _, m := range sp {
			for _, v := range vs {
				for _, g := range sp {
					vmax := vs[len(adamOps[0])%len(vs)]
					for j, x := range []float32{w, m, v, vmax, g} {
						adamOps[j] = append(adamOps[j], x)
					}
				}
			}
		}
	}
	forEachImpl(t, func(t *testing.T) {
		errs := &harness.Errs{T: t}
		for _, o := range sgdForms(0.01) {
			ops := sgdOps[:]
			if o.Momentum == 0 {
				ops = [][]float32{sgdOps[0], sgdOps[2]}
			}
			checkSpecials(errs, sgdCase(o, nil), ops)
		}
		for _, o := range adamForms(0.01, 3) {
			ops := adamOps[:]
			if !o.AMSGrad {
				ops = [][]float32{adamOps[0], adamOps[1], adamOps[2], adamOps[4]}
			}
			checkSpecials(errs, adamCase(o, nil), ops)
		}
	})
}

// checkSpecials runs k once on copies of ops, each between canaries, and
// checks every output element against k's reference and tolerance.
// Within matches a NaN only with a NaN: an output is NaN exactly where its
// float64 reference is, that is where a NaN operand it depends on (or an
// Inf − Inf, 0·Inf) reaches it.
func checkSpecials(errs *harness.Errs, k harness.Elementwise, ops [][]float32) {
	errs.T.Helper()
	var outs harness.Outputs
	placed := make([][]float32, len(ops))
	for j, o := range ops {
		placed[j] = outs.Place(k.Operands[j], o)
	}
	checkCall(errs, k, placed, "on the specials")
	outs.Check(errs, k.Name+" on the specials")
}
