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

// rowShapes are the shapes of the row-wise sweeps: harness.Shapes but
// for m > 0 rows of n = 0, which TestSoftmaxEmptyRows has to itself (and
// which leave SoftmaxCrossEntropy no valid label).
func rowShapes() []harness.Shape {
	var ss []harness.Shape
	for _, s := range harness.Shapes() {
		if s.N > 0 || s.M == 0 {
			ss = append(ss, s)
		}
	}
	return ss
}

// guardRowShapes are harness.GuardShapes without m > 0 rows of n = 0.
func guardRowShapes() []harness.Shape {
	var ss []harness.Shape
	for _, s := range harness.GuardShapes() {
		if s.N > 0 {
			ss = append(ss, s)
		}
	}
	return ss
}

// TestSoftmaxEmptyRows calls the row-wise kernels with m > 0 rows of
// n = 0 entries, which their argument checks accept: there is nothing to
// compute, and nothing may be written or panic.
func TestSoftmaxEmptyRows(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		for _, m := range []int{1, 3} {
			for _, k := range []struct {
				name string
				f    func(a, b, c []float32)
			}{
				{"Softmax", func(a, b, _ []float32) { Softmax(a, b, m, 0) }},
				{"LogSoftmax", func(a, b, _ []float32) { LogSoftmax(a, b, m, 0) }},
				{"SoftmaxGrad", func(a, b, c []float32) { SoftmaxGrad(a, b, c, m, 0) }},
			} {
				func() {
					defer func() {
						if r := recover(); r != nil {
							t.Errorf("%s(m=%d, n=0) panicked: %v", k.name, m, r)
						}
					}()
					a, b, c := harness.Place(nil, 1), harness.Place(nil, 2), harness.Place(nil, 3)
					k.f(a.S, b.S, c.S)
					errs := &harness.Errs{T: t}
					errs.CheckCanaries(fmt.Sprintf("%s(m=%d, n=0)", k.name, m), []string{"a", "b", "c"}, []harness.Placed{a, b, c})
				}()
			}
		}
	})
}

// logitRow fills row with logits of a kind drawn at random: mostly
// uniform in [−s, s) for s = 1, 10 or 50; rows near ±1e4, and rows that
// mix ±1e4, ±1e30 and ±FLT_MAX, which overflow exp without the shift by
// the maximum (unless huge is false); with special set, also rows with
// masked (−Inf) entries, with a NaN or a +Inf, and rows all −Inf.
func logitRow(r *rand.Rand, row []float32, special, huge bool) {
	k := r.IntN(5)
	if huge {
		k = r.IntN(6)
	}
	if special {
		k = r.IntN(10)
	}
	for j := range row {
		switch k {
		case 0, 1, 2:
			s := []float64{1, 10, 50}[k]
			row[j] = harness.Uniform(r, -s, s)
		case 3:
			row[j] = float32(1e4 + float64(harness.Uniform(r, -10, 10)))
		case 4:
			row[j] = float32(-1e4 + float64(harness.Uniform(r, -10, 10)))
		case 5:
			big := []float32{1e4, 1e30, math.MaxFloat32, 0, 1}
			row[j] = big[r.IntN(len(big))]
			if r.IntN(2) == 0 {
				row[j] = -row[j]
			}
		case 6, 7: // masked: about a third of the entries −Inf
			row[j] = harness.Uniform(r, -5, 5)
			if r.IntN(3) == 0 {
				row[j] = float32(math.Inf(-1))
			}
		case 8:
			row[j] = float32(math.Inf(-1))
		case 9:
			row[j] = harness.Uniform(r, -5, 5)
		}
	}
	if k == 9 && len(row) > 0 {
		row[r.IntN(len(row))] = []float32{float32(math.NaN()), float32(math.Inf(1))}[r.IntN(2)]
	}
}

// logits fills v, m rows of n, with logitRow.
func logits(r *rand.Rand, s harness.Shape, v []float32, special bool) {
	for i := range s.M {
		logitRow(r, v[i*s.N:(i+1)*s.N], special, true)
	}
}

// rowStats holds, for each entry of m rows of n, x − max of its row, and
// for each row its maximum and log Σ e^(x − max), all in float64.
type rowStats struct {
	d        []float64
	max, lse []float64
}

// newRowStats computes the rowStats of x. A row with a NaN gets NaN.
func newRowStats(x []float32, m, n int) rowStats {
	st := rowStats{d: make([]float64, m*n), max: make([]float64, m), lse: make([]float64, m)}
	for i := range m {
		mx := math.Inf(-1)
		for _, v := range x[i*n : (i+1)*n] {
			mx = math.Max(mx, float64(v))
		}
		var s float64
		for j := range n {
			st.d[i*n+j] = float64(x[i*n+j]) - mx
			s += math.Exp(st.d[i*n+j])
		}
		st.max[i], st.lse[i] = mx, math.Log(s)
	}
	return st
}

// softmaxTol returns Softmax's tolerance at an entry whose reference is p,
// in a row of n, with x − max = d.
//
// The bound is the doc comment's. Its |d| term is there because 8 + n/16
// ULP (plus 2⁻¹²⁶ where p underflows) alone does not hold once logits
// are spread wider than a few units:
// x − max rounded to float32 is off by up to ulp(d)/2 ≤ 2⁻²⁴·|d|, which
// e^d turns into a relative error of 2⁻²⁴·|d|, up to |d| ULP. This is the
// conditioning of e^d, not a flaw of one kernel: the float64 subtraction is
// the only cure. Measured on the generic kernel with logits uniform in
// [−10, 10], [−50, 50]: up to 18 and 65 ULP, always within |d| + 2 ULP.
// So the bound checked is 8 + n/16 + |d| ULP; |d| is capped at 104, past
// which e^d underflows anyway.
func softmaxTol(n int, d, p float64) (ulps, abs float64) {
	ulps = 8 + float64(n)/16
	if !math.IsNaN(d) {
		ulps += math.Min(math.Abs(d), 104)
	}
	if p < 0x1p-126 {
		abs = 0x1p-126
	}
	return ulps, abs
}

// softmaxRef is Softmax's reference: the probabilities and the row stats.
type softmaxRef struct {
	p  []float64
	st rowStats
}

// softmax is the Softmax kernel for harness.Matrix: operands dst and x.
var softmax = harness.Matrix[softmaxRef]{
	Name:     "Softmax",
	Operands: []string{"dst", "x"},
	Outputs:  1,
	Len:      func(_ int, s harness.Shape) int { return s.M * s.N },
	Gen: func(r *rand.Rand, op int, s harness.Shape, v []float32, _ [][]float32) {
		if op == 0 {
			for i := range v {
				v[i] = garbage(r)
			}
			return
		}
		logits(r, s, v, true)
	},
	Call: func(o [][]float32, s harness.Shape) float32 {
		Softmax(o[0], o[1], s.M, s.N)
		return 0
	},
	Ref: func(in [][]float32, s harness.Shape) softmaxRef {
		return softmaxRef{harness.Softmax(in[1], s.M, s.N), newRowStats(in[1], s.M, s.N)}
	},
	Check: func(e *harness.Errs, what string, s harness.Shape, in [][]float32, ref softmaxRef, out [][]float32, _ float32) {
		for i, got := range out[0] {
			ulps, abs := softmaxTol(s.N, ref.st.d[i], ref.p[i])
			if !harness.Within(got, ref.p[i], ulps, abs) {
				e.Errorf("%s: dst[%d] = %s, want %g within %g ULP + %g: %g ULP away; x = %s, row max %g",
					what, i, harness.F(got), ref.p[i], ulps, abs, harness.ULP(got, ref.p[i]), harness.F(in[1][i]), ref.st.max[i/s.N])
			}
		}
	},
	Aliases: [][2]int{{0, 1}},
}

func TestSoftmax(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		softmax.Sweep(t, 30, rowShapes(), guardRowShapes())
	})
}

// logSoftmaxTol returns LogSoftmax's tolerance, the bound its doc comment
// states, at an entry of a row of n with maximum mx and log Σ e^(x−max) =
// lse. The kernel computes (x − max) − log Σ: both terms are ≤ 0 and ≥ 0,
// so the result is at least as large in magnitude as either, and rounding
// x − max, rounding log Σ and the final subtraction cost ½ ULP of the
// result each (2 ULP). The sum's relative error, (8 + n/16 + ln n)·2⁻²⁴
// as in Softmax (ln n bounds Σ pⱼ·|dⱼ|, the weighted error of the shifts),
// is an absolute error of the logarithm.
func logSoftmaxTol(n int, mx, lse float64) (ulps, abs float64) {
	if math.IsNaN(mx+lse) || math.IsInf(mx+lse, 0) {
		return 2, 0
	}
	return 2, (8 + float64(n)/16 + math.Log(float64(n))) * 0x1p-24
}

// logSoftmax is the LogSoftmax kernel for harness.Matrix.
var logSoftmax = harness.Matrix[softmaxRef]{
	Name:     "LogSoftmax",
	Operands: []string{"dst", "x"},
	Outputs:  1,
	Len:      softmax.Len,
	Gen:      softmax.Gen,
	Call: func(o [][]float32, s harness.Shape) float32 {
		LogSoftmax(o[0], o[1], s.M, s.N)
		return 0
	},
	Ref: func(in [][]float32, s harness.Shape) softmaxRef {
		return softmaxRef{harness.LogSoftmax(in[1], s.M, s.N), newRowStats(in[1], s.M, s.N)}
	},
	Check: func(e *harness.Errs, what string, s harness.Shape, in [][]float32, ref softmaxRef, out [][]float32, _ float32) {
		for i, got := range out[0] {
			row := i / s.N
			ulps, abs := logSoftmaxTol(s.N, ref.st.max[row], ref.st.lse[row])
			if !harness.Within(got, ref.p[i], ulps, abs) {
				e.Errorf("%s: dst[%d] = %s, want %g within %g ULP + %g: %g ULP away; x = %s, row max %g",
					what, i, harness.F(got), ref.p[i], ulps, abs, harness.ULP(got, ref.p[i]), harness.F(in[1][i]), ref.st.max[row])
			}
		}
	},
	Aliases: [][2]int{{0, 1}},
}

func TestLogSoftmax(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		logSoftmax.Sweep(t, 31, rowShapes(), guardRowShapes())
	})
}

// softmaxGradRef is SoftmaxGrad's reference: dx, and for each row
// Σⱼ|y·dy|, which scales the error of the dot product.
type softmaxGradRef struct {
	dx     []float64
	absDot []float64
}

// gradSpecials are the special values SoftmaxGrad's sweep mixes into dy:
// all but ±FLT_MAX, whose products can overflow a float32 dot product
// that float64 holds (a contract on intermediate overflow nobody states).
var gradSpecials = func() []float32 {
	var s []float32
	for _, v := range harness.Specials() {
		if v == v && math.Abs(float64(v)) == math.MaxFloat32 {
			continue
		}
		s = append(s, v)
	}
	return s
}()

// sprinkle puts one value of specials at a random place in about one row
// in eight of the m rows of n in v: a special value spoils its whole row
// (its dot product), and the other rows must still test accuracy.
func sprinkle(r *rand.Rand, v []float32, m, n int, specials []float32) {
	for i := range m {
		if n > 0 && r.IntN(8) == 0 {
			v[i*n+r.IntN(n)] = specials[r.IntN(len(specials))]
		}
	}
}

// softmaxGrad is the SoftmaxGrad kernel for harness.Matrix: operands dx,
// y and dy. y is mostly a softmax output (rows of probabilities), some
// rows arbitrary values in [−1, 1): the contract does not restrict y.
var softmaxGrad = harness.Matrix[softmaxGradRef]{
	Name:     "SoftmaxGrad",
	Operands: []string{"dx", "y", "dy"},
	Outputs:  1,
	Len:      func(_ int, s harness.Shape) int { return s.M * s.N },
	Gen: func(r *rand.Rand, op int, s harness.Shape, v []float32, _ [][]float32) {
		switch op {
		case 0:
			for i := range v {
				v[i] = garbage(r)
			}
		case 1:
			for i := range s.M {
				row := v[i*s.N : (i+1)*s.N]
				logitRow(r, row, false, false)
				if r.IntN(4) > 0 {
					for j, p := range harness.Softmax(row, 1, s.N) {
						row[j] = float32(p)
					}
				} else {
					for j := range row {
						row[j] = harness.Uniform(r, -1, 1)
					}
				}
			}
		case 2:
			for i := range v {
				v[i] = harness.Uniform(r, -1, 1)
			}
			sprinkle(r, v, s.M, s.N, gradSpecials)
		}
	},
	Call: func(o [][]float32, s harness.Shape) float32 {
		SoftmaxGrad(o[0], o[1], o[2], s.M, s.N)
		return 0
	},
	Ref: func(in [][]float32, s harness.Shape) softmaxGradRef {
		ref := softmaxGradRef{harness.SoftmaxGrad(in[1], in[2], s.M, s.N), make([]float64, s.M)}
		for i := range s.M {
			for j := range s.N {
				ref.absDot[i] += math.Abs(float64(in[1][i*s.N+j]) * float64(in[2][i*s.N+j]))
			}
		}
		return ref
	},
	Check: checkSoftmaxGrad,
	// dx may be y or dy.
	Aliases: [][2]int{{0, 1}, {0, 2}},
}

// checkSoftmaxGrad checks dx = y ⊙ (dy − ⟨y, dy⟩). The dot product in
// float32 is off by at most SumErr(n)·Σ|y·dy| (its rounding to float32
// included); the difference dyⱼ − dot carries that error whole, however
// the two cancel, and yⱼ scales it. Rounding the difference and the
// product adds a relative error of 2·2⁻²⁴, under 2 ULP; products that
// underflow add n·2⁻¹⁴⁹ at most.
func checkSoftmaxGrad(e *harness.Errs, what string, s harness.Shape, in [][]float32, ref softmaxGradRef, out [][]float32, _ float32) {
	for i, got := range out[0] {
		y := math.Abs(float64(in[1][i]))
		abs := y*harness.SumErr(s.N)*ref.absDot[i/s.N] + float64(s.N)*0x1p-149
		if y == 0 || math.IsNaN(abs) {
			abs = float64(s.N) * 0x1p-149
		}
		if !harness.Within(got, ref.dx[i], 2, abs) {
			e.Errorf("%s: dx[%d] = %s, want %g within 2 ULP + %g: %g ULP away; y = %s, dy = %s",
				what, i, harness.F(got), ref.dx[i], abs, harness.ULP(got, ref.dx[i]), harness.F(in[1][i]), harness.F(in[2][i]))
		}
	}
}

func TestSoftmaxGrad(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		softmaxGrad.Sweep(t, 32, rowShapes(), guardRowShapes())
	})
}

// specialRows are the rows whose handling the contracts of Softmax,
// LogSoftmax and SoftmaxCrossEntropy spell out: rows of ±1e4, ±1e30 and
// ±FLT_MAX (finite results), rows with masked −Inf entries (probability
// 0), and the NaN rows: with a NaN, with +Inf, all −Inf.
func specialRows() [][]float32 {
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	const fmax = math.MaxFloat32
	return [][]float32{
		{1e4, -1e4, 0, 1},
		{1e4, 1e4, 1e4 - 1, 1e4 - 2},
		{-1e4, -1e4 + 1, -1e4 + 3},
		{1e30, -1e30, 1e30, 0},
		{fmax, -fmax, 0, fmax},
		{-fmax, -fmax, -fmax},
		{fmax, fmax},
		{1, 2, -inf, 3, -inf},
		{-inf, 0},
		{-inf, -inf, -inf},
		{1, nan, 2},
		{nan},
		{1, inf, 2},
		{inf, inf},
		{-inf, inf},
		{0x1p-149, -0x1p-149, 0, float32(math.Copysign(0, -1))},
	}
}

// nanRow reports whether a row is one the contracts make all NaN: it
// holds a NaN or +Inf, or it is all −Inf.
func nanRow(row []float32) bool {
	allNegInf := true
	for _, v := range row {
		if v != v || math.IsInf(float64(v), 1) {
			return true
		}
		allNegInf = allNegInf && math.IsInf(float64(v), -1)
	}
	return allNegInf
}

// TestSoftmaxSpecials checks Softmax and LogSoftmax on specialRows, each
// as its own 1-row call and all of them padded to one width in a single
// call, against the contracts: NaN rows all NaN, −Inf entries 0 (and −Inf
// for LogSoftmax), everything else finite and within the sweep's
// tolerance of the reference.
func TestSoftmaxSpecials(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		errs := &harness.Errs{T: t}
		var outs harness.Outputs
		defer outs.Check(errs, "TestSoftmaxSpecials")
		for _, row := range specialRows() {
			n := len(row)
			what := fmt.Sprintf("row %v", row)
			dst := outs.Make("dst "+what, n)
			Softmax(dst, row, 1, n)
			p := harness.Softmax(row, 1, n)
			st := newRowStats(row, 1, n)
			for j, got := range dst {
				switch {
				case nanRow(row):
					if !isNaN(got) {
						errs.Errorf("Softmax %s: dst[%d] = %s, want NaN", what, j, harness.F(got))
					}
				case math.IsInf(float64(row[j]), -1):
					if got != 0 {
						errs.Errorf("Softmax %s: dst[%d] = %s, want 0 for a masked entry", what, j, harness.F(got))
					}
				default:
					ulps, abs := softmaxTol(n, st.d[j], p[j])
					if isNaN(got) || math.IsInf(float64(got), 0) || !harness.Within(got, p[j], ulps, abs) {
						errs.Errorf("Softmax %s: dst[%d] = %s, want %g", what, j, harness.F(got), p[j])
					}
				}
			}
			LogSoftmax(dst, row, 1, n)
			lp := harness.LogSoftmax(row, 1, n)
			for j, got := range dst {
				switch {
				case nanRow(row):
					if !isNaN(got) {
						errs.Errorf("LogSoftmax %s: dst[%d] = %s, want NaN", what, j, harness.F(got))
					}
				case math.IsInf(float64(row[j]), -1):
					if !math.IsInf(float64(got), -1) {
						errs.Errorf("LogSoftmax %s: dst[%d] = %s, want −Inf for a masked entry", what, j, harness.F(got))
					}
				default:
					ulps, abs := logSoftmaxTol(n, st.max[0], st.lse[0])
					if isNaN(got) || !harness.Within(got, lp[j], ulps, abs) {
						errs.Errorf("LogSoftmax %s: dst[%d] = %s, want %g", what, j, harness.F(got), lp[j])
					}
					// Finite wherever the exact value is in range
					// (Within accepts ±Inf beyond it).
					inRange := math.Abs(lp[j]) <= math.MaxFloat32
					if finite := !math.IsInf(float64(got), 0); finite != inRange {
						errs.Errorf("LogSoftmax %s: dst[%d] = %s for %g: finite is %v, want %v", what, j, harness.F(got), lp[j], finite, inRange)
					}
				}
			}
		}
		// All the rows in one call, padded with masked entries to the
		// widest, so that the special rows sit next to each other.
		rows := specialRows()
		n := 0
		for _, row := range rows {
			n = max(n, len(row))
		}
		m := len(rows)
		x := make([]float32, m*n)
		for i, row := range rows {
			for j := range n {
				x[i*n+j] = float32(math.Inf(-1))
				if j < len(row) {
					x[i*n+j] = row[j]
				}
			}
		}
		s := harness.Shape{M: m, N: n, LD: n}
		in := [][]float32{nil, x}
		dst := outs.Make("dst of the special rows", m*n)
		Softmax(dst, x, m, n)
		softmax.Check(errs, "Softmax on the special rows", s, in, softmax.Ref(in, s), [][]float32{dst}, 0)
		LogSoftmax(dst, x, m, n)
		logSoftmax.Check(errs, "LogSoftmax on the special rows", s, in, logSoftmax.Ref(in, s), [][]float32{dst}, 0)
	})
}

// TestSoftmaxGradNaN checks that a NaN in y or dy makes its whole row of
// dx NaN and leaves the other rows alone.
func TestSoftmaxGradNaN(t *testing.T) {
	const m, n = 3, 37
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(33, 0))
		for _, which := range []int{1, 2} {
			for _, at := range []int{0, 5, 17, 36} {
				y, dy := make([]float32, m*n), make([]float32, m*n)
				for i := range y {
					y[i], dy[i] = harness.Uniform(r, 0, 0.1), harness.Uniform(r, -1, 1)
				}
				[][]float32{nil, y, dy}[which][n+at] = float32(math.NaN())
				var outs harness.Outputs
				dx := outs.Make("dx", m*n)
				SoftmaxGrad(dx, y, dy, m, n)
				outs.Check(&harness.Errs{T: t}, "SoftmaxGrad with a NaN")
				for i, v := range dx {
					if (i/n == 1) != isNaN(v) {
						t.Errorf("SoftmaxGrad with a NaN in %s[%d]: dx[%d] = %s", []string{"", "y", "dy"}[which], n+at, i, harness.F(v))
					}
				}
			}
		}
	})
}
