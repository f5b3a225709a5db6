package kernels

// NUMERICS.md, at the repository's root, lists the promises these tests
// check; change the two together.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
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

// sgdGen and adamGen draw a realistic optimizer state by operand name:
// weights and gradients in [−1, 1), a velocity in [−0.5, 0.5), first
// moments in [−0.1, 0.1), second moments (and their maximum) in [0, 1),
// and with probability 1/32 each a special value (not negative for
// second moments).
func sgdGen(r *rand.Rand, name string) float32 {
	if name == "v" {
		return realistic(r, -0.5, 0.5)
	}
	return realistic(r, -1, 1)
}

func adamGen(r *rand.Rand, name string) float32 {
	switch name {
	case "m":
		return realistic(r, -0.1, 0.1)
	case "v", "vmax":
		return float32(math.Abs(float64(realistic(r, 0, 1))))
	}
	return realistic(r, -1, 1)
}

// sgdName and adamName name a case by its options.
func sgdName(o SGDOptions) string {
	s := fmt.Sprintf("SGD lr=%g", o.LR)
	if o.Momentum != 0 {
		s += fmt.Sprintf(" momentum=%g", o.Momentum)
	}
	if o.Dampening != 0 {
		s += fmt.Sprintf(" dampening=%g", o.Dampening)
	}
	if o.Nesterov {
		s += " nesterov"
	}
	if o.WeightDecay != 0 {
		s += fmt.Sprintf(" wd=%g", o.WeightDecay)
	}
	return s
}

func adamName(o AdamOptions) string {
	s := fmt.Sprintf("Adam lr=%g β₁=%g β₂=%g eps=%g step=%d", o.LR, o.Beta1, o.Beta2, o.Eps, o.Step)
	if o.WeightDecay != 0 {
		s += fmt.Sprintf(" wd=%g", o.WeightDecay)
		if o.Decoupled {
			s += " decoupled"
		}
	}
	if o.AMSGrad {
		s += " amsgrad"
	}
	return s
}

// sgdIn splits the operands of an SGD element: w, v, g, or w, g without
// momentum (v is then 0).
func sgdIn(in []float32) (w, v, g float32) {
	if len(in) == 3 {
		return in[0], in[1], in[2]
	}
	return in[0], 0, in[1]
}

// sgdCase returns SGD with options o, described for harness.Elementwise:
// operands w, v (both updated) and g, or w (updated) and g without
// momentum. gen draws by operand name; it may be nil.
func sgdCase(o SGDOptions, gen func(r *rand.Rand, name string) float32) harness.Elementwise {
	ops := []string{"w", "v", "g"}
	if o.Momentum == 0 {
		ops = []string{"w", "g"}
	}
	k := harness.Elementwise{
		Name:     sgdName(o),
		Operands: ops,
		Outputs:  len(ops) - 1,
		Call: func(s [][]float32) {
			if len(s) == 3 {
				SGD(s[0], s[1], s[2], o)
			} else {
				SGD(s[0], nil, s[1], o)
			}
		},
		Ref: func(in []float32, want []float64) {
			w, v, g := sgdIn(in)
			wNew, vNew := sgdRef(w, v, g, o)
			want[0] = wNew
			if len(in) == 3 {
				want[1] = vNew
			}
		},
		Tol: func(in []float32, _ []float64, op int) (float64, float64) {
			w, v, g := sgdIn(in)
			wB, vB := sgdBounds(w, v, g, o)
			return tolOf([]bound{wB, vB}[op])
		},
	}
	if gen != nil {
		k.Gen = func(r *rand.Rand, op int) float32 { return gen(r, ops[op]) }
	}
	return k
}

// adamIn splits the operands of an Adam element: w, m, v, vmax, g, or w,
// m, v, g without AMSGrad (vmax is then 0).
func adamIn(in []float32) (w, m, v, vmax, g float32) {
	if len(in) == 5 {
		return in[0], in[1], in[2], in[3], in[4]
	}
	return in[0], in[1], in[2], 0, in[3]
}

// adamCase returns Adam with options o, described for
// harness.Elementwise: operands w, m, v, vmax (all updated) and g; no vmax
// without AMSGrad. gen draws by operand name; it may be nil.
func adamCase(o AdamOptions, gen func(r *rand.Rand, name string) float32) harness.Elementwise {
	ops := []string{"w", "m", "v", "g"}
	if o.AMSGrad {
		ops = []string{"w", "m", "v", "vmax", "g"}
	}
	var last []float32
	var bs [4]bound
	bc1, bc2 := biasCorrections(o)
	k := harness.Elementwise{
		Name:     adamName(o),
		Operands: ops,
		Outputs:  len(ops) - 1,
		Call: func(s [][]float32) {
			if len(s) == 5 {
				Adam(s[0], s[1], s[2], s[3], s[4], o)
			} else {
				Adam(s[0], s[1], s[2], nil, s[3], o)
			}
		},
		Ref: func(in []float32, want []float64) {
			w, m, v, vmax, g := adamIn(in)
			want[0], want[1], want[2], want[3] = adamRef(w, m, v, vmax, g, o, bc1, bc2)
		},
		Tol: func(in []float32, _ []float64, op int) (float64, float64) {
			// The four outputs' tolerances come from one computation,
			// made once per element.
			if !slices.Equal(in, last) {
				last = append(last[:0], in...)
				w, m, v, vmax, g := adamIn(in)
				bs[0], bs[1], bs[2], bs[3] = adamBounds(w, m, v, vmax, g, o, bc1, bc2)
			}
			return tolOf(bs[op])
		},
	}
	if gen != nil {
		k.Gen = func(r *rand.Rand, op int) float32 { return gen(r, ops[op]) }
	}
	return k
}

// optimSweep runs k's sweep (harness.Lengths at every offset, in place,
// and against guard pages unless k.NoGuard), then every length from 68
// to 300 once (with -short every seventh), at an offset that varies with
// it.
func optimSweep(t *testing.T, k harness.Elementwise, seed uint64) {
	t.Helper()
	k.Sweep(t, seed)
	r := rand.New(rand.NewPCG(seed, 300))
	errs := &harness.Errs{T: t}
	step := 1
	if testing.Short() {
		step = 7
	}
	for n := 68; n <= 300; n += step {
		vals := make([][]float32, len(k.Operands))
		for j := range vals {
			vals[j] = make([]float32, n)
			for i := range vals[j] {
				vals[j][i] = k.Gen(r, j)
			}
		}
		k.Once(errs, fmt.Sprintf("%s n=%d", k.Name, n), vals, n%harness.Offsets)
	}
}

// optimLRs are the learning rates the optimizer tests use.
var optimLRs = []float64{1e-3, 0.01, 0.1}

// sgdForms returns SGD's eight forms, each a kernel of its own, at
// learning rate lr with PyTorch's usual values: no momentum, momentum,
// dampened momentum and Nesterov momentum, each without and with weight
// decay.
func sgdForms(lr float64) []SGDOptions {
	var os []SGDOptions
	for _, o := range []SGDOptions{{}, {Momentum: 0.9}, {Momentum: 0.9, Dampening: 0.1}, {Momentum: 0.9, Nesterov: true}} {
		for _, wd := range []float64{0, 1e-2} {
			o.LR, o.WeightDecay = lr, wd
			os = append(os, o)
		}
	}
	return os
}

// adamForms returns Adam's six forms, each a kernel of its own, at
// learning rate lr and step t with PyTorch's defaults: no weight decay,
// Adam's, AdamW's, each without and with AMSGrad.
func adamForms(lr float64, t int) []AdamOptions {
	var os []AdamOptions
	for _, ams := range []bool{false, true} {
		for _, o := range []AdamOptions{{}, {WeightDecay: 1e-2}, {WeightDecay: 1e-2, Decoupled: true}} {
			o.LR, o.Beta1, o.Beta2, o.Eps, o.Step, o.AMSGrad = lr, 0.9, 0.999, 1e-8, t, ams
			os = append(os, o)
		}
	}
	return os
}

func TestSGD(t *testing.T) {
	lrs := optimLRs
	if testing.Short() {
		lrs = lrs[:1]
	}
	forEachImpl(t, func(t *testing.T) {
		for i, lr := range lrs {
			for _, o := range sgdForms(lr) {
				t.Run(sgdName(o), func(t *testing.T) {
					k := sgdCase(o, sgdGen)
					k.NoGuard = i > 0 // one guard sweep per form (kernel)
					optimSweep(t, k, 52)
				})
			}
		}
		// Other values than the usual: the bounds hold for any.
		for _, o := range []SGDOptions{
			{LR: 0.5, Momentum: 0.99, WeightDecay: 0.3},
			{LR: 0.05, Momentum: 0.5, Dampening: 0.9, WeightDecay: 5e-4},
			{LR: 1, Momentum: 0.1, Nesterov: true},
			{LR: 0.3, WeightDecay: 1},
		} {
			t.Run(sgdName(o), func(t *testing.T) {
				k := sgdCase(o, sgdGen)
				k.NoGuard = true
				optimSweep(t, k, 55)
			})
		}
	})
}

func TestAdam(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		// The bias corrections, which the learning rate and the step
		// make, are the same scalars for every form: the form without
		// options meets every learning rate at steps 1, 10 and 1000 (but
		// with -short), the others the smallest at step 1 and the
		// largest at step 1000.
		for i, lr := range optimLRs {
			for j, step := range []int{1, 10, 1000} {
				corner := i == 0 && j == 0 || i == 2 && j == 2
				for k, o := range adamForms(lr, step) {
					if !corner && (k > 0 || testing.Short()) {
						continue
					}
					t.Run(adamName(o), func(t *testing.T) {
						k := adamCase(o, adamGen)
						k.NoGuard = i+j > 0 // one guard sweep per form (kernel)
						optimSweep(t, k, 53)
					})
				}
			}
		}
		// Other values than PyTorch's defaults: the bounds hold for any.
		for _, o := range []AdamOptions{
			{LR: 0.05, Beta1: 0.5, Beta2: 0.9, Eps: 1e-3, WeightDecay: 0.1, Step: 7},
			{LR: 0.05, Beta1: 0.5, Beta2: 0.9, Eps: 1e-3, WeightDecay: 0.1, Decoupled: true, AMSGrad: true, Step: 7},
			{LR: 1, Beta1: 0.99, Beta2: 0.9999, Eps: 1e-6, WeightDecay: 1, Decoupled: true, Step: 2},
			{LR: 3e-4, Beta1: 0, Beta2: 0.5, Eps: 0.1, WeightDecay: 2, AMSGrad: true, Step: 3},
		} {
			t.Run(adamName(o), func(t *testing.T) {
				k := adamCase(o, adamGen)
				k.NoGuard = true
				optimSweep(t, k, 56)
			})
		}
	})
}

// TestAdamBetaRounding checks that 1 − β is computed in float64 and
// rounded once, as PyTorch computes it: after one step from zero moments,
// v is float32(1 − 0.999)·g² and m float32(1 − 0.9)·g, to float32
// rounding (the kernels round (1−β₂)·g, then its product with g: within
// 1.5 ULP), where 1 − float32(0.999) would make v 1.3e-5 of itself, over
// a hundred ULPs, smaller.
func TestAdamBetaRounding(t *testing.T) {
	r := rand.New(rand.NewPCG(57, 58))
	const n = 1000
	g := make([]float32, n)
	for i := range g {
		g[i] = harness.Uniform(r, -2, 2)
	}
	omb1, omb2 := float64(float32(1-0.9)), float64(float32(1-0.999))
	wrong2 := float64(1 - float32(0.999))
	forEachImpl(t, func(t *testing.T) {
		w, m, v := make([]float32, n), make([]float32, n), make([]float32, n)
		Adam(w, m, v, nil, g, AdamOptions{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 1})
		for i, gi := range g {
			want, bad := omb2*float64(gi)*float64(gi), wrong2*float64(gi)*float64(gi)
			if !harness.Within(v[i], want, 1.5, 0) {
				t.Fatalf("g=%g: v = %g, want float32(1−0.999)·g² = %g within 1.5 ULP: %g ULP away", gi, v[i], want, harness.ULP(v[i], want))
			}
			if gi != 0 && harness.Within(v[i], bad, 50, 0) {
				t.Fatalf("g=%g: v = %g is within 50 ULP of (1−float32(0.999))·g² = %g", gi, v[i], bad)
			}
			if want := omb1 * float64(gi); !harness.Within(m[i], want, 0.5, 0) {
				t.Fatalf("g=%g: m = %g, want float32(1−0.9)·g = %g correctly rounded: %g ULP away", gi, m[i], want, harness.ULP(m[i], want))
			}
		}
	})
}

// TestSGDFirstStep checks the documented way to take PyTorch's first
// momentum step, which sets v = d: a zero v and Dampening 0 give d
// exactly (here without weight decay, d = g; −0 may come out +0), on
// every form with momentum, whatever Dampening the later steps use.
func TestSGDFirstStep(t *testing.T) {
	r := rand.New(rand.NewPCG(59, 60))
	const n = 300
	w, g := make([]float32, n), make([]float32, n)
	for i := range w {
		w[i], g[i] = realistic(r, -1, 1), realistic(r, -1, 1)
	}
	forEachImpl(t, func(t *testing.T) {
		for _, o := range sgdForms(0.1) {
			if o.Momentum == 0 || o.WeightDecay != 0 {
				continue
			}
			o.Dampening = 0
			ws, v := append([]float32(nil), w...), make([]float32, n)
			SGD(ws, v, g, o)
			for i, d := range g {
				if !harness.SameBits(v[i], d) && !(isNaN(v[i]) && isNaN(d)) && !(v[i] == 0 && d == 0) {
					t.Fatalf("%s: v[%d] = %s after the first step, want g = %s", sgdName(o), i, harness.F(v[i]), harness.F(d))
				}
			}
		}
	})
}
