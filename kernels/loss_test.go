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

// sceRef is SoftmaxCrossEntropy's reference: the loss and gradient, the
// row stats, and the loss's tolerance.
type sceRef struct {
	loss    float64
	grad    []float64
	st      rowStats
	lossTol float64
	// rowInf is set when some row's loss exceeds FLT_MAX (a label on
	// −FLT_MAX next to +FLT_MAX): that row's loss is +Inf in float32,
	// and so may the mean be, though the float64 mean is finite.
	rowInf bool
}

// newSCERef computes the reference of SoftmaxCrossEntropy.
//
// The loss's tolerance: row i's loss is ℓᵢ = log Sᵢ − dᵢ, with
// dᵢ = x[i,label] − max and Sᵢ = Σⱼ e^(x−max). Rounding dᵢ to float32
// costs 2⁻²⁴·|dᵢ|; Sᵢ carries Softmax's relative error budget,
// (8 + n/16 + ln n)·2⁻²⁴ (exp, the shifts weighted by the
// probabilities, ln n at most, and the sum), which the logarithm turns
// into that much absolute error, plus 2 ULP of log Sᵢ if it is taken in
// float32. The mean adds the error of a float32 sum of m non-negative
// terms, SumErr(m) relative, and 1 ULP for the division.
func newSCERef(x []float32, labels []int32, m, n int) sceRef {
	loss, grad := harness.SoftmaxCrossEntropy(x, labels, m, n)
	ref := sceRef{loss: loss, grad: grad, st: newRowStats(x, m, n)}
	var rows float64
	for i, l := range labels {
		d := ref.st.d[i*n+int(l)]
		ref.rowInf = ref.rowInf || ref.st.lse[i]-d > math.MaxFloat32
		rows += 0x1p-24*math.Abs(d) + (8+float64(n)/16+math.Log(float64(n)))*0x1p-24 + 2*harness.ULPAt(ref.st.lse[i])
	}
	ref.lossTol = rows/float64(m) + harness.SumErr(m)*math.Abs(loss) + harness.ULPAt(loss)
	return ref
}

// checkSCELoss checks a loss against the reference.
func checkSCELoss(e *harness.Errs, what string, ref sceRef, got float32) {
	if ref.rowInf && math.IsInf(float64(got), 1) {
		return
	}
	if !harness.Within(got, ref.loss, 0, ref.lossTol) {
		e.Errorf("%s: loss = %s, want %g within %g: %g ULP away", what, harness.F(got), ref.loss, ref.lossTol, harness.ULP(got, ref.loss))
	}
}

// checkSCEGrad checks dlogits = (p − onehot)/m. Each p carries
// Softmax's tolerance, divided by m; the division by m (or the product by
// a rounded 1/m) and the subtraction of 1/m add 2 ULP of the result, and
// where p − 1 cancels at the label, the rounding of p/m, up to
// ulp(1/m)/2, stays whole: 1 ULP of 1/m more there.
func checkSCEGrad(e *harness.Errs, what string, s harness.Shape, x []float32, labels []int32, ref sceRef, got []float32) {
	m := float64(s.M)
	for i, g := range got {
		row, j := i/s.N, i%s.N
		p := ref.grad[i] * m
		if int(labels[row]) == j {
			p += 1
		}
		ulps, abs := softmaxTol(s.N, ref.st.d[i], p)
		abs = (ulps*harness.ULPAt(p) + abs) / m
		if int(labels[row]) == j {
			abs += harness.ULPAt(1 / m)
		}
		if !harness.Within(g, ref.grad[i], 2, abs) {
			e.Errorf("%s: dlogits[%d] = %s, want %g within 2 ULP + %g: %g ULP away; logit %s, label %d",
				what, i, harness.F(g), ref.grad[i], abs, harness.ULP(g, ref.grad[i]), harness.F(x[i]), labels[row])
		}
	}
}

// genSCE draws SoftmaxCrossEntropy's operands: dlogits garbage, logits of
// the finite kinds of logitRow (a NaN row would make the whole loss NaN
// and hide the others; TestSoftmaxCrossEntropySpecials has those), the
// rows of ±1e30 and ±FLT_MAX in one matrix in four only (their losses
// of 1e30 and more swamp the others'), labels uniform in [0, n).
func genSCE(r *rand.Rand, op int, s harness.Shape, v []float32, _ [][]float32) {
	switch op {
	case 0:
		for i := range v {
			v[i] = garbage(r)
		}
	case 1:
		huge := r.IntN(4) == 0
		for i := range s.M {
			logitRow(r, v[i*s.N:(i+1)*s.N], false, huge)
		}
	case 2:
		l := make([]int32, len(v))
		for i := range l {
			l[i] = int32(r.IntN(s.N))
		}
		copy(v, harness.FromInt32(l))
	}
}

// sce is SoftmaxCrossEntropy with a gradient, for harness.Matrix:
// operands dlogits, logits and labels (int32 bits in a float32 slice).
var sce = harness.Matrix[sceRef]{
	Name:     "SoftmaxCrossEntropy",
	Operands: []string{"dlogits", "logits", "labels"},
	Outputs:  1,
	Len: func(op int, s harness.Shape) int {
		if op == 2 {
			return s.M
		}
		return s.M * s.N
	},
	Gen: genSCE,
	Call: func(o [][]float32, s harness.Shape) float32 {
		return SoftmaxCrossEntropy(o[0], o[1], harness.Int32View(o[2]), s.M, s.N)
	},
	Ref: func(in [][]float32, s harness.Shape) sceRef {
		return newSCERef(in[1], harness.Int32View(in[2]), s.M, s.N)
	},
	Check: func(e *harness.Errs, what string, s harness.Shape, in [][]float32, ref sceRef, out [][]float32, loss float32) {
		checkSCELoss(e, what, ref, loss)
		checkSCEGrad(e, what, s, in[1], harness.Int32View(in[2]), ref, out[0])
	},
}

// sceNoGrad is SoftmaxCrossEntropy with dlogits nil: operands logits and
// labels. Its Check also asks for the loss the call with a gradient
// returns, bit for bit.
var sceNoGrad = harness.Matrix[sceRef]{
	Name:     "SoftmaxCrossEntropy(nil, ...)",
	Operands: []string{"logits", "labels"},
	Outputs:  0,
	Len:      func(op int, s harness.Shape) int { return sce.Len(op+1, s) },
	Gen: func(r *rand.Rand, op int, s harness.Shape, v []float32, vals [][]float32) {
		genSCE(r, op+1, s, v, vals)
	},
	Call: func(o [][]float32, s harness.Shape) float32 {
		return SoftmaxCrossEntropy(nil, o[0], harness.Int32View(o[1]), s.M, s.N)
	},
	Ref: func(in [][]float32, s harness.Shape) sceRef {
		return newSCERef(in[0], harness.Int32View(in[1]), s.M, s.N)
	},
	Check: func(e *harness.Errs, what string, s harness.Shape, in [][]float32, ref sceRef, _ [][]float32, loss float32) {
		checkSCELoss(e, what, ref, loss)
		withGrad := SoftmaxCrossEntropy(make([]float32, s.M*s.N), in[0], harness.Int32View(in[1]), s.M, s.N)
		if math.Float32bits(withGrad) != math.Float32bits(loss) {
			e.Errorf("%s: loss = %s, but %s with a gradient", what, harness.F(loss), harness.F(withGrad))
		}
	},
}

func TestSoftmaxCrossEntropy(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		sce.Sweep(t, 40, rowShapes(), guardRowShapes())
	})
}

// TestSoftmaxCrossEntropyInPlace checks dlogits == logits, which the
// contract allows, against separate slices, bit for bit, loss included.
// It has a test of its own so that a failure here leaves the main sweep
// free to report everything else.
func TestSoftmaxCrossEntropyInPlace(t *testing.T) {
	inPlace := sce
	inPlace.Aliases = [][2]int{{0, 1}}
	forEachImpl(t, func(t *testing.T) {
		inPlace.Sweep(t, 44, rowShapes(), nil)
	})
}

func TestSoftmaxCrossEntropyNoGrad(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		sceNoGrad.Sweep(t, 41, rowShapes(), guardRowShapes())
	})
}

// TestSoftmaxCrossEntropySpecials checks the contract on special rows:
// m = 0 gives NaN; rows of ±1e4, ±1e30 and ±FLT_MAX give a finite loss
// and gradient within the sweep's bounds (when the loss itself is
// representable: a label on −FLT_MAX next to +FLT_MAX costs 2·FLT_MAX);
// masked −Inf entries get a gradient of 0; a NaN row (a NaN or +Inf, or
// all −Inf) gives a NaN loss and a row of NaN gradients, and leaves the
// other rows' gradients alone.
func TestSoftmaxCrossEntropySpecials(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		errs := &harness.Errs{T: t}
		for _, dl := range [][]float32{nil, {}} {
			if got := SoftmaxCrossEntropy(dl, nil, nil, 0, 5); !isNaN(got) {
				errs.Errorf("SoftmaxCrossEntropy(m=0) = %s, want NaN", harness.F(got))
			}
		}
		finite := []float32{0.5, -2, 3}
		for _, row := range specialRows() {
			n := len(row)
			for lab := range n {
				// A label on a masked (−Inf) logit: the loss is −log 0.
				maskedLabel := math.IsInf(float64(row[lab]), -1) && !nanRow(row)
				// The special row between two ordinary ones.
				s := harness.Shape{M: 3, N: n, LD: n}
				x := make([]float32, 0, 3*n)
				for i := range 3 {
					for j := range n {
						v := finite[(i+j)%3]
						if i == 1 {
							v = row[j]
						}
						x = append(x, v)
					}
				}
				labels := []int32{int32(n - 1), int32(lab), 0}
				ref := newSCERef(x, labels, 3, n)
				what := fmt.Sprintf("SoftmaxCrossEntropy with row %v, label %d", row, lab)
				var outs harness.Outputs
				dl := outs.Make("dlogits", 3*n)
				loss := SoftmaxCrossEntropy(dl, x, labels, 3, n)
				outs.Check(errs, what)
				if nanRow(row) {
					if !isNaN(loss) {
						errs.Errorf("%s: loss = %s, want NaN", what, harness.F(loss))
					}
					for i, g := range dl {
						if isNaN(g) != (i/n == 1) {
							errs.Errorf("%s: dlogits[%d] = %s, want NaN in row 1 only", what, i, harness.F(g))
						}
					}
					continue
				}
				representable := math.Abs(ref.loss) <= math.MaxFloat32 && math.Abs(ref.st.d[n+lab]) <= math.MaxFloat32
				if maskedLabel && !math.IsInf(float64(loss), 1) {
					errs.Errorf("%s: loss = %s, want +Inf for a label on a −Inf logit", what, harness.F(loss))
				}
				if representable && !maskedLabel {
					if isNaN(loss) || math.IsInf(float64(loss), 0) {
						errs.Errorf("%s: loss = %s, want finite %g", what, harness.F(loss), ref.loss)
					}
					checkSCELoss(errs, what, ref, loss)
				}
				checkSCEGrad(errs, what, s, x, labels, ref, dl)
				for j, v := range row {
					want := float32(0) // p = 0 at a masked entry
					if j == lab {
						want = -1.0 / 3 // 0 − 1, over m = 3 rows
					}
					if math.IsInf(float64(v), -1) && dl[n+j] != want {
						errs.Errorf("%s: dlogits[%d] = %s, want %g for a masked entry", what, n+j, harness.F(dl[n+j]), want)
					}
				}
			}
		}
	})
}

// mseRef is MSE's reference: the loss and gradient.
type mseRef struct {
	loss float64
	grad []float64
}

// checkMSELoss checks MSE's loss. Each term (p − t)² is off by three
// roundings (the difference, doubled by the square, and the square),
// ≤ 3·2⁻²⁴ relative; the float32 sum of the N non-negative terms adds
// SumErr(N) relative, the division 1 ULP; squares that underflow add
// 2⁻¹⁴⁹ each, 2⁻¹⁴⁹ once divided by N. Nothing cancels: the bound is
// relative, (3 + 2²⁴·SumErr(N)) ULP + 1 ULP.
func checkMSELoss(e *harness.Errs, what string, n int, ref mseRef, got float32) {
	ulps := 4 + harness.SumErr(n)*0x1p24
	if !harness.Within(got, ref.loss, ulps, 0x1p-149) {
		e.Errorf("%s: loss = %s, want %g within %g ULP: %g ULP away", what, harness.F(got), ref.loss, ulps, harness.ULP(got, ref.loss))
	}
}

// mseGen fills v, MSE's operand op: dpred garbage; pred and target
// uniform in [−2, 2), and in one call in four a special value or two, but
// not ±FLT_MAX, so that pred − target cannot overflow float32 where
// float64 holds it (the contract says nothing of intermediate overflow).
// A special value spoils the whole loss, so most calls have none.
func mseGen(r *rand.Rand, op int, v []float32) {
	for i := range v {
		if op == 0 {
			v[i] = garbage(r)
		} else {
			v[i] = harness.Uniform(r, -2, 2)
		}
	}
	if op > 0 && len(v) > 0 && r.IntN(4) == 0 {
		for range 1 + r.IntN(2) {
			v[r.IntN(len(v))] = gradSpecials[r.IntN(len(gradSpecials))]
		}
	}
}

// mse is MSE for harness.Matrix: operands dpred, pred and target of
// length n (m is 1).
var mse = harness.Matrix[mseRef]{
	Name:     "MSE",
	Operands: []string{"dpred", "pred", "target"},
	Outputs:  1,
	Len:      func(_ int, s harness.Shape) int { return s.N },
	Gen: func(r *rand.Rand, op int, _ harness.Shape, v []float32, _ [][]float32) {
		mseGen(r, op, v)
	},
	Call: func(o [][]float32, _ harness.Shape) float32 { return MSE(o[0], o[1], o[2]) },
	Ref: func(in [][]float32, _ harness.Shape) mseRef {
		loss, grad := harness.MSE(in[1], in[2])
		return mseRef{loss, grad}
	},
	// The gradient 2·(p − t)/N rounds three times (the difference, and
	// the product by 2/N or the division), 3 ULP, plus 2⁻¹⁴⁹ where it
	// underflows. MSE of nothing is NaN.
	Check: func(e *harness.Errs, what string, s harness.Shape, in [][]float32, ref mseRef, out [][]float32, loss float32) {
		checkMSELoss(e, what, s.N, ref, loss)
		for i, g := range out[0] {
			if !harness.Within(g, ref.grad[i], 3, 0x1p-149) {
				e.Errorf("%s: dpred[%d] = %s, want %g: %g ULP away; pred %s, target %s",
					what, i, harness.F(g), ref.grad[i], harness.ULP(g, ref.grad[i]), harness.F(in[1][i]), harness.F(in[2][i]))
			}
		}
	},
	// dpred may be pred or target.
	Aliases: [][2]int{{0, 1}, {0, 2}},
}

// mseNoGrad is MSE with dpred nil: operands pred and target. Its Check
// also asks for the loss the call with a gradient returns, bit for bit.
var mseNoGrad = harness.Matrix[mseRef]{
	Name:     "MSE(nil, ...)",
	Operands: []string{"pred", "target"},
	Outputs:  0,
	Len:      mse.Len,
	Gen: func(r *rand.Rand, op int, s harness.Shape, v []float32, vals [][]float32) {
		mse.Gen(r, op+1, s, v, vals)
	},
	Call: func(o [][]float32, _ harness.Shape) float32 { return MSE(nil, o[0], o[1]) },
	Ref:  func(in [][]float32, s harness.Shape) mseRef { return mse.Ref(append([][]float32{nil}, in...), s) },
	Check: func(e *harness.Errs, what string, s harness.Shape, in [][]float32, ref mseRef, _ [][]float32, loss float32) {
		checkMSELoss(e, what, s.N, ref, loss)
		withGrad := MSE(make([]float32, s.N), in[0], in[1])
		if math.Float32bits(withGrad) != math.Float32bits(loss) {
			e.Errorf("%s: loss = %s, but %s with a gradient", what, harness.F(loss), harness.F(withGrad))
		}
	},
}

// vectorShapes are the shapes 1×n, n of harness.Lengths, for MSE.
func vectorShapes(ls []int) []harness.Shape {
	var ss []harness.Shape
	for _, n := range ls {
		ss = append(ss, harness.Shape{M: 1, N: n, LD: n})
	}
	return ss
}

func TestMSE(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		mse.Sweep(t, 42, vectorShapes(harness.Lengths()), vectorShapes(harness.GuardLengths()))
	})
}

func TestMSENoGrad(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		mseNoGrad.Sweep(t, 43, vectorShapes(harness.Lengths()), vectorShapes(harness.GuardLengths()))
	})
}

// TestMSESpecials runs MSE on every pair (pred, target) of special values,
// one pair per call (N = 1, so the loss is (p − t)² and the gradient
// 2·(p − t)), with and without dpred, and checks the empty call's NaN.
func TestMSESpecials(t *testing.T) {
	sp := harness.Specials()
	forEachImpl(t, func(t *testing.T) {
		errs := &harness.Errs{T: t}
		for _, dp := range [][]float32{nil, {}} {
			if got := MSE(dp, []float32{}, []float32{}); !isNaN(got) {
				errs.Errorf("MSE of nothing = %s, want NaN", harness.F(got))
			}
		}
		for _, p := range sp {
			for _, tg := range sp {
				what := fmt.Sprintf("MSE(pred=%s, target=%s)", harness.F(p), harness.F(tg))
				in := [][]float32{nil, {p}, {tg}}
				ref := mse.Ref(in, harness.Shape{M: 1, N: 1, LD: 1})
				var outs harness.Outputs
				dp := outs.Make("dpred", 1) // overwritten, never read
				loss := MSE(dp, in[1], in[2])
				outs.Check(errs, what)
				mse.Check(errs, what, harness.Shape{M: 1, N: 1, LD: 1}, in, ref, [][]float32{dp}, loss)
				if l := MSE(nil, in[1], in[2]); math.Float32bits(l) != math.Float32bits(loss) {
					errs.Errorf("%s without dpred = %s, with %s", what, harness.F(l), harness.F(loss))
				}
			}
		}
	})
}

// TestMSEOverflow checks MSE's documented overflow order on every
// implementation: differences of 1e20 make the loss +Inf while their
// gradients stay finite, and a difference past the float32 range makes
// the loss +Inf with the gradient, so an infinite gradient never comes
// with a finite loss.
func TestMSEOverflow(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		for _, n := range []int{1, 5, 40} {
			pred, target := make([]float32, n), make([]float32, n)
			for i := range pred {
				pred[i] = 1e20
			}
			d := make([]float32, n)
			if loss := MSE(d, pred, target); !math.IsInf(float64(loss), 1) {
				t.Errorf("n=%d, differences 1e20: loss %g, want +Inf", n, loss)
			}
			for i, g := range d {
				if want := 2e20 / float32(n); g != want {
					t.Fatalf("n=%d, differences 1e20: d[%d] = %g, want %g", n, i, g, want)
				}
			}
			pred[n-1], target[n-1] = 3e38, -3e38
			loss := MSE(d, pred, target)
			if !math.IsInf(float64(d[n-1]), 1) || !math.IsInf(float64(loss), 1) {
				t.Errorf("n=%d, a difference of 6e38: loss %g, gradient %g; want +Inf and +Inf", n, loss, d[n-1])
			}
		}
	})
}
