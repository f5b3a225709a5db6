package kernels

// NUMERICS.md, at the repository's root, lists the promises these tests
// check; change the two together.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdnn/simdnn/internal/harness"
)

// finiteOr0 returns x, or 0 if x is NaN: a tolerance made of Inf·0 has
// no meaning, and wherever it arises the reference is NaN or infinite,
// which Within checks without it.
func finiteOr0(x float64) float64 {
	if math.IsNaN(x) {
		return 0
	}
	return x
}

func TestAxpy(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		for i, alpha := range []float32{0.7, -1.5, 0, 1, 1e-3, 0x1p-140, 1e20} {
			t.Run(fmt.Sprint("alpha=", alpha), func(t *testing.T) {
				// The SIMD levels promise the fused result: only the
				// pure-Go one may round twice (Alt).
				alt := func(in []float32, _ int) float32 {
					return float32(float32(alpha*in[1]) + in[0]) // the conversions forbid fusing
				}
				if active.name != "generic" {
					alt = nil
				}
				harness.Elementwise{
					Name:     fmt.Sprint("Axpy alpha=", alpha),
					Operands: []string{"y", "x"},
					Outputs:  1,
					Call:     func(o [][]float32) { Axpy(o[0], alpha, o[1]) },
					Gen:      func(r *rand.Rand, _ int) float32 { return mixed(r, -2, 2) },
					// α·x is exact in float64 (48 bits); adding y rounds
					// it to 53 bits, 2⁻²⁹ ULP of float32 at most.
					Ref: func(in []float32, w []float64) { w[0] = float64(alpha)*float64(in[1]) + float64(in[0]) },
					// "Within one rounding of the product and one of the
					// sum": with FMA the result is α·x + y correctly
					// rounded, within half an ULP (plus the reference's
					// own 2⁻²⁹); without, it is exactly the float32
					// product rounded, then the float32 sum rounded —
					// Alt, which also covers α·x overflowing or
					// underflowing on its own and the cancellations
					// where rounding α·x first costs many ULP of the sum.
					Tol:     func([]float32, []float64, int) (float64, float64) { return 0.5 + 0x1p-20, 0 },
					Alt:     alt,
					Aliases: [][2]int{{0, 1}},
					NoGuard: i > 0,
				}.Sweep(t, 50)
			})
		}
	})
}

func TestScale(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		for i, alpha := range []float32{0.5, -3, 0, 1, 1e-30, 0x1p-140, 1e30, float32(math.Inf(1)), float32(math.NaN())} {
			t.Run(fmt.Sprint("alpha=", alpha), func(t *testing.T) {
				harness.Elementwise{
					Name:     fmt.Sprint("Scale alpha=", alpha),
					Operands: []string{"x"},
					Outputs:  1,
					Call:     func(o [][]float32) { Scale(o[0], alpha) },
					Gen:      func(r *rand.Rand, _ int) float32 { return mixed(r, -2, 2) },
					// The product of two float32 is exact in float64:
					// the rounded reference is the exactly rounded
					// result the contract asks for, bit for bit.
					Ref:     func(in []float32, w []float64) { w[0] = float64(in[0]) * float64(alpha) },
					NoGuard: i > 0,
				}.Sweep(t, 51)
			})
		}
	})
}

// optimSpecials are the special values the optimizer sweeps mix into
// their realistic inputs, with probability 1/32.
var optimSpecials = harness.Specials()

// realistic draws a uniform value in [lo, hi), or with probability 1/32
// one of optimSpecials.
func realistic(r *rand.Rand, lo, hi float64) float32 {
	if r.IntN(32) == 0 {
		return optimSpecials[r.IntN(len(optimSpecials))]
	}
	return harness.Uniform(r, lo, hi)
}

// sgdRef is the reference of one SGDMomentum step on one element: v and
// w from harness.SGDMomentum, except that when the new v overflows
// float32 it is stored as ±Inf, and w is then updated with that, as any
// float32 state must be.
func sgdRef(w, v, g, lr, mu float32) (wNew, vNew float64) {
	wNew, vNew = harness.SGDMomentum(w, v, g, lr, mu)
	if v32 := float32(vNew); math.IsInf(float64(v32), 0) && !math.IsInf(vNew, 0) {
		wNew = float64(w) - float64(lr)*float64(v32)
	}
	return wNew, vNew
}

// sgdTol returns SGDMomentum's tolerance for w (op 0) and v (op 1).
//
// v = μ·v + g rounds μ·v (by up to 2⁻²⁴·|μ·v|, which cancellation
// against g does not shrink) unless it is fused, then the sum (half an
// ULP). w = w − lr·v uses the stored v, off by that much, times lr; lr·v
// rounds once more, 2⁻²⁴·lr·|v|, unless fused; the subtraction half an
// ULP of w. So: half an ULP, plus 2⁻²⁴·|μv| for v and
// 2⁻²³·lr·(|v| + |μv|) for w, plus 2⁻¹⁴⁹ for products that underflow.
func sgdTol(in []float32, want []float64, op int, lr, mu float32) (ulps, abs float64) {
	muv := math.Abs(float64(mu) * float64(in[1]))
	if op == 1 {
		return 0.5, finiteOr0(0x1p-24*muv) + 0x1p-149
	}
	return 0.5, finiteOr0(0x1p-23*float64(lr)*(math.Abs(want[1])+muv)) + 0x1p-149
}

// sgdMomentum returns SGDMomentum with lr and momentum, described for
// harness.Elementwise: operands w, v (both updated) and g.
func sgdMomentum(lr, mu float32, gen func(r *rand.Rand, op int) float32) harness.Elementwise {
	return harness.Elementwise{
		Name:     fmt.Sprintf("SGDMomentum lr=%g momentum=%g", lr, mu),
		Operands: []string{"w", "v", "g"},
		Outputs:  2,
		Call:     func(o [][]float32) { SGDMomentum(o[0], o[1], o[2], lr, mu) },
		Gen:      gen,
		Ref:      func(in []float32, w []float64) { w[0], w[1] = sgdRef(in[0], in[1], in[2], lr, mu) },
		Tol: func(in []float32, want []float64, op int) (float64, float64) {
			return sgdTol(in, want, op, lr, mu)
		},
	}
}

// optimLRs are the learning rates the optimizer tests use.
var optimLRs = []float32{1e-3, 0.01, 0.1}

func TestSGDMomentum(t *testing.T) {
	gen := func(r *rand.Rand, op int) float32 {
		return []func() float32{
			func() float32 { return realistic(r, -1, 1) },     // w
			func() float32 { return realistic(r, -0.5, 0.5) }, // v
			func() float32 { return realistic(r, -1, 1) },     // g
		}[op]()
	}
	forEachImpl(t, func(t *testing.T) {
		for i, lr := range optimLRs {
			for j, mu := range []float32{0, 0.9, 0.99} {
				t.Run(fmt.Sprintf("lr=%g/momentum=%g", lr, mu), func(t *testing.T) {
					k := sgdMomentum(lr, mu, gen)
					k.NoGuard = i+j > 0 // see harness.Elementwise.NoGuard
					k.Sweep(t, 52)
				})
			}
		}
	})
}

// adamRef is the reference of one Adam step on one element: harness.Adam,
// except where float32 must overflow: when the new m or v overflows, it is
// stored as ±Inf and w is updated with that; and when the update
// lr/(1−β₁ᵗ)·m/(√v/√(1−β₂ᵗ) + eps) itself exceeds FLT_MAX (a large m with
// a small v, which training never makes), whatever order a kernel
// computes it in, it reaches ±Inf before it meets w.
func adamRef(w, m, v, g, lr, b1, b2, eps float32, step int) (wNew, mNew, vNew float64) {
	wNew, mNew, vNew = harness.Adam(w, m, v, g, lr, b1, b2, eps, step)
	m32, v32 := float64(float32(mNew)), float64(float32(vNew))
	bc1 := 1 - math.Pow(float64(b1), float64(step))
	bc2 := 1 - math.Pow(float64(b2), float64(step))
	u := float64(lr) / bc1 * m32 / (math.Sqrt(v32)/math.Sqrt(bc2) + float64(eps))
	u32 := float64(float32(u))
	overflow := func(x32, x float64) bool { return math.IsInf(x32, 0) && !math.IsInf(x, 0) }
	if overflow(m32, mNew) || overflow(v32, vNew) || overflow(u32, u) {
		wNew = float64(w) - u32
	}
	return wNew, mNew, vNew
}

// adamTol returns Adam's tolerance for w (op 0), m (op 1) and v (op 2).
//
// m = β₁m + (1−β₁)g: 1−β₁ is exact in float32 for β₁ in [1/2, 1]
// (Sterbenz); each product rounds by 2⁻²⁴ of itself unless fused, and
// cancellation keeps that whole; the sum rounds by half an ULP.
// v = β₂v + (1−β₂)g²: (1−β₂)·g·g rounds twice, β₂v once, the sum half an
// ULP; g² may underflow, 2⁻¹⁴⁹.
// w = w − s·m/(√v·c + eps), s = lr/(1−β₁ᵗ) and c = 1/√(1−β₂ᵗ) rounded to
// float32: the update u carries seven roundings (s, c, √, ·c, + eps, /,
// ·s), 8·2⁻²⁴ relative with their products, half of v's relative error
// through the root, and m's error times s/(√v·c + eps); the subtraction
// rounds by half an ULP of w. A product s·m that underflows before the
// division by √v·c + eps (≥ eps, so up to 1e8 times) loses 2⁻¹⁵⁰ there:
// 2⁻¹⁴⁸/(√v·c + eps) more covers it and one more underflow.
func adamTol(in []float32, want []float64, op int, lr, b1, b2, eps float32, step int) (ulps, abs float64) {
	m, v, g := float64(in[1]), float64(in[2]), float64(in[3])
	mAbs := 0x1p-24*(math.Abs(float64(b1)*m)+math.Abs((1-float64(b1))*g)) + 0x1p-149
	vAbs := 0x1p-23*(1-float64(b2))*g*g + 0x1p-24*float64(b2)*math.Abs(v) + 0x1p-149
	switch op {
	case 1:
		return 0.5, finiteOr0(mAbs)
	case 2:
		return 0.5, finiteOr0(vAbs)
	}
	bc1 := 1 - math.Pow(float64(b1), float64(step))
	bc2 := 1 - math.Pow(float64(b2), float64(step))
	s, c := float64(lr)/bc1, 1/math.Sqrt(bc2)
	den := math.Sqrt(want[2])*c + float64(eps)
	u := math.Abs(s * want[1] / den)
	dm := 0.5*harness.ULPAt(want[1]) + mAbs
	relV := 0.0
	if want[2] > 0 {
		relV = (0.5*harness.ULPAt(want[2]) + vAbs) / want[2]
	}
	return 0.5, finiteOr0(u*(8*0x1p-24+relV/2)+s*dm/den+0x1p-148/den) + 0x1p-149
}

// adamCase returns Adam with its hyperparameters, described for
// harness.Elementwise: operands w, m, v (all three updated) and g.
func adamCase(lr, b1, b2, eps float32, step int, gen func(r *rand.Rand, op int) float32) harness.Elementwise {
	return harness.Elementwise{
		Name:     fmt.Sprintf("Adam lr=%g β₁=%g β₂=%g eps=%g step=%d", lr, b1, b2, eps, step),
		Operands: []string{"w", "m", "v", "g"},
		Outputs:  3,
		Call:     func(o [][]float32) { Adam(o[0], o[1], o[2], o[3], lr, b1, b2, eps, step) },
		Gen:      gen,
		Ref: func(in []float32, w []float64) {
			w[0], w[1], w[2] = adamRef(in[0], in[1], in[2], in[3], lr, b1, b2, eps, step)
		},
		Tol: func(in []float32, want []float64, op int) (float64, float64) {
			return adamTol(in, want, op, lr, b1, b2, eps, step)
		},
	}
}

// The hyperparameters of the Adam tests: PyTorch's defaults.
const (
	beta1, beta2 = 0.9, 0.999
	adamEps      = 1e-8
)

func TestAdam(t *testing.T) {
	// A realistic state: weights in [−1, 1), first moments of gradients
	// in [−1, 1), second moments up to 1, and, with probability 1/32
	// each, special values.
	gen := func(r *rand.Rand, op int) float32 {
		switch op {
		case 1:
			return realistic(r, -0.1, 0.1)
		case 2:
			v := realistic(r, 0, 1)
			if v < 0 {
				v = -v
			}
			return v
		}
		return realistic(r, -1, 1)
	}
	forEachImpl(t, func(t *testing.T) {
		for i, lr := range optimLRs {
			for j, step := range []int{1, 2, 10, 1000} {
				t.Run(fmt.Sprintf("lr=%g/step=%d", lr, step), func(t *testing.T) {
					k := adamCase(lr, beta1, beta2, adamEps, step, gen)
					k.NoGuard = i+j > 0
					k.Sweep(t, 53)
				})
			}
		}
	})
}

// TestOptimizerSteps runs SGDMomentum and Adam for 1000 steps on a vector
// of 67, from zero state, with fresh gradients each step (a scale that
// shrinks, as in training), and checks every step against the reference
// applied to the state the kernel left: the tolerances are those of one
// step, and the bias corrections of every step from 1 to 1000 are met.
func TestOptimizerSteps(t *testing.T) {
	const n, steps = 67, 1000
	forEachImpl(t, func(t *testing.T) {
		for _, lr := range optimLRs {
			r := rand.New(rand.NewPCG(54, uint64(lr*1e4)))
			errs := &harness.Errs{T: t}
			w, g := make([]float32, n), make([]float32, n)
			for i := range w {
				w[i] = harness.Uniform(r, -1, 1)
			}
			var outs harness.Outputs
			zeros := make([]float32, n)
			sw, sv := outs.Place("SGDMomentum w", w), outs.Place("SGDMomentum v", zeros)
			aw, am, av := outs.Place("Adam w", w), outs.Place("Adam m", zeros), outs.Place("Adam v", zeros)
			for step := 1; step <= steps; step++ {
				scale := 1 / math.Sqrt(float64(step))
				for i := range g {
					g[i] = harness.Uniform(r, -scale, scale)
				}
				what := fmt.Sprintf("lr=%g step %d", lr, step)

				sgd := sgdMomentum(lr, 0.9, nil)
				in := []float32{0, 0, 0}
				want := make([]float64, 3)
				before := [][]float32{append([]float32{}, sw...), append([]float32{}, sv...)}
				SGDMomentum(sw, sv, g, lr, 0.9)
				for i := range n {
					in[0], in[1], in[2] = before[0][i], before[1][i], g[i]
					sgd.Ref(in, want)
					for k, got := range []float32{sw[i], sv[i]} {
						if ulps, abs := sgd.Tol(in, want, k); !harness.Within(got, want[k], ulps, abs) {
							errs.Errorf("SGDMomentum %s: %s[%d] = %s, want %g: %g ULP away", what, sgd.Operands[k], i, harness.F(got), want[k], harness.ULP(got, want[k]))
						}
					}
				}

				ad := adamCase(lr, beta1, beta2, adamEps, step, nil)
				in = []float32{0, 0, 0, 0}
				want = make([]float64, 4)
				before = [][]float32{append([]float32{}, aw...), append([]float32{}, am...), append([]float32{}, av...)}
				Adam(aw, am, av, g, lr, beta1, beta2, adamEps, step)
				for i := range n {
					in[0], in[1], in[2], in[3] = before[0][i], before[1][i], before[2][i], g[i]
					ad.Ref(in, want)
					for k, got := range []float32{aw[i], am[i], av[i]} {
						if ulps, abs := ad.Tol(in, want, k); !harness.Within(got, want[k], ulps, abs) {
							errs.Errorf("Adam %s: %s[%d] = %s, want %g: %g ULP away", what, ad.Operands[k], i, harness.F(got), want[k], harness.ULP(got, want[k]))
						}
					}
				}
				outs.Check(errs, what)
			}
		}
	})
}

// TestOptimizerSpecials runs both optimizers on every combination of
// special values of w and g, with states v (and m) from the specials too,
// against the references: NaN in gives NaN out (in the outputs that
// depend on it), infinities propagate as the float32 arithmetic does.
func TestOptimizerSpecials(t *testing.T) {
	sp := harness.Specials()
	var vs []float32 // second moments are ≥ 0
	for _, v := range sp {
		if !(v < 0) {
			vs = append(vs, v)
		}
	}
	forEachImpl(t, func(t *testing.T) {
		errs := &harness.Errs{T: t}
		sgd := sgdMomentum(0.01, 0.9, nil)
		var ops [3][]float32
		for _, w := range sp {
			for _, v := range sp {
				for _, g := range sp {
					ops[0], ops[1], ops[2] = append(ops[0], w), append(ops[1], v), append(ops[2], g)
				}
			}
		}
		checkSpecials(errs, sgd, ops[:])

		ad := adamCase(0.01, beta1, beta2, adamEps, 3, nil)
		var aops [4][]float32
		for _, w := range sp {
			for _, m := range sp {
				for _, v := range vs {
					for _, g := range sp {
						aops[0], aops[1], aops[2], aops[3] = append(aops[0], w), append(aops[1], m), append(aops[2], v), append(aops[3], g)
					}
				}
			}
		}
		checkSpecials(errs, ad, aops[:])
	})
}

// checkSpecials runs k once on ops and checks every output element
// against k's reference and tolerance. Within matches a NaN only with a
// NaN: an output is NaN exactly where its float64 reference is, that is
// where a NaN operand it depends on (or an Inf − Inf, 0·Inf) reaches it.
func checkSpecials(errs *harness.Errs, k harness.Elementwise, ops [][]float32) {
	vals := make([][]float32, len(ops))
	var outs harness.Outputs
	for j, o := range ops {
		vals[j] = append([]float32{}, o...)
		ops[j] = outs.Place(k.Operands[j], o)
	}
	k.Call(ops)
	outs.Check(errs, k.Name+" on the specials")
	in := make([]float32, len(ops))
	want := make([]float64, len(ops))
	for i := range ops[0] {
		for j := range ops {
			in[j] = vals[j][i]
		}
		k.Ref(in, want)
		for j := range k.Outputs {
			got := ops[j][i]
			ulps, abs := k.Tol(in, want, j)
			if !harness.Within(got, want[j], ulps, abs) {
				errs.Errorf("%s on %v: %s = %s, want %g", k.Name, in, k.Operands[j], harness.F(got), want[j])
			}
		}
	}
}
