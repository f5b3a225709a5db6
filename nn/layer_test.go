package nn

import (
	"math"
	"strings"
	"testing"

	"github.com/simdnn/simdnn/internal/harness"
)

// A hand-computed dense layer: fixed weights and inputs, exact results.
func TestDenseFixed(t *testing.T) {
	d := NewDense(3, 2, nil)
	copy(d.Weight.Value, []float32{1, 0, -1, 0.5, 0.5, 0.5})
	copy(d.Bias.Value, []float32{0, -1})
	x, _ := MatrixOf(2, 3, []float32{1, 2, 3, -1, 0, 1})
	y, err := d.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "y", y.Data, []float64{-2, 2, -2, -1}, 0)

	dy, _ := MatrixOf(2, 2, []float32{1, 0, 0, 2})
	dx, err := d.Backward(dy, true)
	if err != nil {
		t.Fatal(err)
	}
	// dX = dY·W, dW = dYᵀ·X, db = column sums of dY.
	assertClose(t, "dx", dx.Data, []float64{1, 0, -1, 1, 1, 1}, 0)
	assertClose(t, "dW", d.Weight.Grad, []float64{1, 2, 3, -2, 0, 2}, 0)
	assertClose(t, "db", d.Bias.Grad, []float64{1, 2}, 0)
}

// Dense against the float64 reference on shapes around the kernels'
// tiles, forward and backward, with gradients accumulating over two
// backward passes.
func TestDenseReference(t *testing.T) {
	rng := newRNG(1)
	for _, s := range []struct{ rows, in, out int }{{1, 1, 1}, {3, 5, 7}, {17, 33, 10}, {64, 100, 130}} {
		d := NewDense(s.in, s.out, Xavier(rng))
		for i := range d.Bias.Value {
			d.Bias.Value[i] = float32(rng.NormFloat64())
		}
		x := randMatrix(rng, s.rows, s.in)
		y, err := d.Forward(x)
		if err != nil {
			t.Fatal(err)
		}
		assertClose(t, "y", y.Data, refDense(x.Data, d.Weight.Value, d.Bias.Value, s.rows, s.in, s.out), 1e-5)

		dy := randMatrix(rng, s.rows, s.out)
		wantDX := make([]float64, s.rows*s.in)
		wantDW := make([]float64, s.out*s.in)
		wantDB := make([]float64, s.out)
		for i := range s.rows {
			for j := range s.out {
				g := float64(dy.Data[i*s.out+j])
				wantDB[j] += 2 * g
				for k := range s.in {
					wantDX[i*s.in+k] += g * float64(d.Weight.Value[j*s.in+k])
					wantDW[j*s.in+k] += 2 * g * float64(x.Data[i*s.in+k])
				}
			}
		}
		d.Weight.ZeroGrad()
		d.Bias.ZeroGrad()
		for range 2 { // the second pass adds to the first: 2× the gradients
			if _, err := d.Backward(dy, false); err != nil {
				t.Fatal(err)
			}
		}
		dx, err := d.Backward(dy, true)
		if err != nil {
			t.Fatal(err)
		}
		assertClose(t, "dx", dx.Data, wantDX, 1e-5)
		for i := range wantDW {
			wantDW[i] *= 1.5 // three passes
		}
		for i := range wantDB {
			wantDB[i] *= 1.5
		}
		assertClose(t, "dW", d.Weight.Grad, wantDW, 1e-5)
		assertClose(t, "db", d.Bias.Grad, wantDB, 1e-5)
	}
}

// Each activation's forward pass against math's float64 functions, and
// its backward pass against the analytic derivative.
func TestActivationReference(t *testing.T) {
	rng := newRNG(2)
	x := randMatrix(rng, 7, 13)
	for i := range x.Data {
		x.Data[i] *= 4
	}
	x.Data[0] = 0
	dy := randMatrix(rng, 7, 13)
	sig := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	for _, c := range []struct {
		a      *Activation
		f, df  func(float64) float64
		tol    float64
		isSoft bool
	}{
		{Identity(), func(v float64) float64 { return v }, func(float64) float64 { return 1 }, 0, false},
		{ReLU(), func(v float64) float64 { return math.Max(v, 0) }, func(v float64) float64 { return b2f(v > 0) }, 0, false},
		{LeakyReLU(0.1), func(v float64) float64 { return math.Max(v, 0) + 0.1*math.Min(v, 0) }, func(v float64) float64 { return 0.1 + 0.9*b2f(v > 0) }, 1e-7, false},
		{Tanh(), math.Tanh, func(v float64) float64 { return 1 - math.Tanh(v)*math.Tanh(v) }, 1e-6, false},
		{Sigmoid(), sig, func(v float64) float64 { return sig(v) * (1 - sig(v)) }, 1e-6, false},
		{Softmax(), nil, nil, 1e-6, true},
	} {
		t.Run(c.a.String(), func(t *testing.T) {
			y, err := c.a.Forward(x)
			if err != nil {
				t.Fatal(err)
			}
			dx, err := c.a.Backward(dy, true)
			if err != nil {
				t.Fatal(err)
			}
			wantY := make([]float64, len(x.Data))
			wantDX := make([]float64, len(x.Data))
			if c.isSoft {
				for i := range x.Rows {
					row := x.Data[i*x.Cols : (i+1)*x.Cols]
					var sum, dot float64
					for _, v := range row {
						sum += math.Exp(float64(v))
					}
					for j, v := range row {
						wantY[i*x.Cols+j] = math.Exp(float64(v)) / sum
						dot += wantY[i*x.Cols+j] * float64(dy.Data[i*x.Cols+j])
					}
					for j := range row {
						k := i*x.Cols + j
						wantDX[k] = wantY[k] * (float64(dy.Data[k]) - dot)
					}
				}
			} else {
				for i, v := range x.Data {
					wantY[i] = c.f(float64(v))
					wantDX[i] = c.df(float64(v)) * float64(dy.Data[i])
				}
			}
			assertClose(t, "y", y.Data, wantY, c.tol)
			assertClose(t, "dx", dx.Data, wantDX, 4*c.tol)
		})
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// A model whose activations NewSequential fuses into the Dense layers
// gives bit-identical outputs and gradients to the same layers run one
// by one, unfused.
func TestFusedEqualsUnfused(t *testing.T) {
	for _, act := range []func() *Activation{ReLU, Tanh, Sigmoid, func() *Activation { return LeakyReLU(0.01) }} {
		rng := newRNG(3)
		d1 := NewDense(20, 30, He(rng))
		d2 := NewDense(30, 5, He(rng))
		a := act()
		model, err := NewSequential(d1, a, d2)
		if err != nil {
			t.Fatal(err)
		}
		if !a.fused {
			t.Fatalf("%v was not fused", a)
		}
		u1, u2, ua := NewDense(20, 30, nil), NewDense(30, 5, nil), act()
		copy(u1.Weight.Value, d1.Weight.Value)
		copy(u2.Weight.Value, d2.Weight.Value)
		for i := range u1.Bias.Value {
			u1.Bias.Value[i] = float32(rng.NormFloat64())
			d1.Bias.Value[i] = u1.Bias.Value[i]
		}
		x := randMatrix(rng, 33, 20)
		x.Data[0] = float32(math.NaN())
		got, err := model.Forward(x)
		if err != nil {
			t.Fatal(err)
		}
		h, _ := u1.Forward(x)
		h, _ = ua.Forward(h)
		want, _ := u2.Forward(h)
		equalBits(t, a.String()+" forward", got.Data, want.Data)

		dy := randMatrix(rng, 33, 5)
		model.ZeroGrad()
		gotDX, err := model.Backward(dy, true)
		if err != nil {
			t.Fatal(err)
		}
		g, _ := u2.Backward(dy, true)
		g, _ = ua.Backward(g, true)
		wantDX, _ := u1.Backward(g, true)
		equalBits(t, a.String()+" dx", gotDX.Data, wantDX.Data)
		equalBits(t, a.String()+" dW", d1.Weight.Grad, u1.Weight.Grad)
		equalBits(t, a.String()+" db", d1.Bias.Grad, u1.Bias.Grad)
	}
}

func equalBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range got {
		if !harness.SameBits(got[i], want[i]) {
			t.Fatalf("%s[%d] = %v, want %v", what, i, got[i], want[i])
		}
	}
}

// Without activations, stacked Dense layers are one linear map: the
// model equals a single Dense layer with weight W₂·W₁ and bias W₂·b₁ + b₂.
func TestLinearLayersCollapse(t *testing.T) {
	rng := newRNG(4)
	l1, l2 := NewDense(6, 8, Xavier(rng)), NewDense(8, 3, Xavier(rng))
	for i := range l1.Bias.Value {
		l1.Bias.Value[i] = float32(rng.NormFloat64())
	}
	model, err := NewSequential(l1, Identity(), l2)
	if err != nil {
		t.Fatal(err)
	}
	w := make([]float64, 3*6) // W₂·W₁
	b := make([]float64, 3)   // W₂·b₁ + b₂
	for i := range 3 {
		b[i] = float64(l2.Bias.Value[i])
		for k := range 8 {
			b[i] += float64(l2.Weight.Value[i*8+k]) * float64(l1.Bias.Value[k])
			for j := range 6 {
				w[i*6+j] += float64(l2.Weight.Value[i*8+k]) * float64(l1.Weight.Value[k*6+j])
			}
		}
	}
	x := randMatrix(rng, 10, 6)
	y, err := model.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]float64, 10*3)
	for r := range 10 {
		for i := range 3 {
			want[r*3+i] = b[i]
			for j := range 6 {
				want[r*3+i] += w[i*6+j] * float64(x.Data[r*6+j])
			}
		}
	}
	assertClose(t, "y", y.Data, want, 1e-5)
}

// GradCheck agrees with the analytic gradients of models with every
// activation and every loss, and catches a layer whose backward pass is
// wrong.
func TestGradCheck(t *testing.T) {
	rng := newRNG(5)
	x := randMatrix(rng, 8, 4)
	labels := []int32{0, 1, 2, 0, 1, 2, 2, 1}
	y := randMatrix(rng, 8, 3)
	for i := range y.Data {
		y.Data[i] = y.Data[i]/2 + 0.5 // in [0, 1) for BCE
	}
	batch := Data{X: x, Y: y, Labels: labels}
	for _, loss := range []Loss{MSE{}, SoftmaxCrossEntropy{}, BCEWithLogits{}} {
		for _, act := range []func() *Activation{Identity, Tanh, Sigmoid, Softmax, ReLU, func() *Activation { return LeakyReLU(0.2) }} {
			first := NewDense(4, 6, Xavier(rng))
			// Keep the pre-activations at least 0.5 − 4·0.1 away from
			// ReLU's kink, farther than a step of h can move them: a
			// difference quotient across the kink is meaningless.
			for i := range first.Weight.Value {
				first.Weight.Value[i] *= 0.1
			}
			for i := range first.Bias.Value {
				first.Bias.Value[i] = 0.5 - float32(i%2)
			}
			model, err := NewSequential(first, act(), NewDense(6, 3, Xavier(rng)), Tanh())
			if err != nil {
				t.Fatal(err)
			}
			res, err := GradCheck(model, loss, batch, 1e-2, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(res) != 4 {
				t.Fatalf("%d results, want 4", len(res))
			}
			for _, r := range res {
				if r.RelErr > 2e-3 {
					t.Errorf("%v, %v: %s: RelErr %.3g (abs %.3g at %d)", model, loss, r.Name, r.RelErr, r.MaxAbsErr, r.Worst)
				}
			}
		}
	}

	model, _ := NewSequential(NewDense(4, 6, Xavier(rng)), &wrongGrad{}, NewDense(6, 3, Xavier(rng)))
	res, err := GradCheck(model, MSE{}, batch, 1e-2, 0)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].RelErr < 0.1 {
		t.Errorf("GradCheck missed a backward pass that doubles the gradient: %+v", res[0])
	}
}

// wrongGrad is the identity with a backward pass that returns twice the
// gradient.
type wrongGrad struct{ buf buffer }

func (w *wrongGrad) Forward(x Matrix) (Matrix, error) { return x, nil }
func (w *wrongGrad) Backward(dy Matrix, _ bool) (Matrix, error) {
	g := w.buf.get(dy.Rows, dy.Cols)
	for i, v := range dy.Data {
		g.Data[i] = 2 * v
	}
	return g, nil
}
func (w *wrongGrad) Params() []*Param         { return nil }
func (w *wrongGrad) Widths(in int) (int, int) { return in, in }
func (w *wrongGrad) String() string           { return "wrongGrad" }

func TestSequentialString(t *testing.T) {
	m, err := NewSequential(NewDense(784, 256, nil), ReLU(), NewDense(256, 10, nil), LeakyReLU(0.01))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m.String(), "Sequential(Dense(784→256), ReLU, Dense(256→10), LeakyReLU(0.01))"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if !strings.Contains(strings.Join(m.names, " "), "2.weight") {
		t.Errorf("parameter names %q lack 2.weight", m.names)
	}
}
