package nn

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// Training, Dropout zeroes a fraction p of its input, as a binomial
// count allows, and scales the rest by PyTorch's float32 1/(1−p); its
// Backward drops and scales the same elements; outside training it
// passes input and gradient through.
func TestDropout(t *testing.T) {
	var f struct {
		Dropout []struct{ P, Scale float64 }
	}
	loadTorchFixture(t, "dropout", &f)
	if len(f.Dropout) == 0 {
		t.Fatal("dropout.json holds no cases")
	}
	const rows, cols = 400, 250
	x := NewMatrix(rows, cols)
	for i := range x.Data {
		x.Data[i] = float32(i%7) - 3.5
	}
	for _, c := range f.Dropout {
		d, err := NewDropout(c.P, 7)
		if err != nil {
			t.Fatal(err)
		}
		if d.scale != float32(c.Scale) {
			t.Errorf("p = %v: scale %v, PyTorch's %v", c.P, d.scale, c.Scale)
		}
		d.SetTraining(true)
		y, err := d.Forward(x)
		if err != nil {
			t.Fatal(err)
		}
		dropped := 0
		for i, v := range y.Data {
			switch v {
			case 0:
				dropped++
			case x.Data[i] * d.scale:
			default:
				t.Fatalf("p = %v: y[%d] = %v, want 0 or %v·%v", c.P, i, v, x.Data[i], d.scale)
			}
		}
		n := float64(len(y.Data))
		if sigma := math.Sqrt(n * c.P * (1 - c.P)); math.Abs(float64(dropped)-n*c.P) > 5*sigma {
			t.Errorf("p = %v: %d of %v dropped, want %v ± 5·%.0f", c.P, dropped, n, n*c.P, sigma)
		}
		dx, err := d.Backward(x, true)
		if err != nil {
			t.Fatal(err)
		}
		equalBits(t, "Backward", dx.Data, y.Data)

		d.SetTraining(false)
		if y, _ := d.Forward(x); &y.Data[0] != &x.Data[0] {
			t.Errorf("p = %v: outside training Forward does not return its input", c.P)
		}
		if dx, _ := d.Backward(x, true); &dx.Data[0] != &x.Data[0] {
			t.Errorf("p = %v: outside training Backward does not return dy", c.P)
		}
	}

	for _, p := range []float64{0, 1} {
		d, _ := NewDropout(p, 1)
		d.SetTraining(true)
		y, _ := d.Forward(x)
		dx, _ := d.Backward(x, true)
		for i := range y.Data {
			want := x.Data[i] * float32(1-p)
			if y.Data[i] != want || dx.Data[i] != want {
				t.Fatalf("p = %v: y[%d] = %v, dx = %v, want %v", p, i, y.Data[i], dx.Data[i], want)
			}
		}
	}
	for _, p := range []float64{-0.1, 1.5, math.NaN()} {
		if _, err := NewDropout(p, 1); err == nil || !strings.Contains(err.Error(), "nn.NewDropout: p = ") || errors.Is(err, ErrNotFinite) != math.IsNaN(p) {
			t.Errorf("NewDropout(%v): err = %v", p, err)
		}
	}
}

// frozenDropout is a Dropout that draws the same elements at every
// Forward, so that GradCheck's finite differences see one function.
type frozenDropout struct {
	*Dropout
	state []byte
}

func (f *frozenDropout) Forward(x Matrix) (Matrix, error) {
	if err := f.src.UnmarshalBinary(f.state); err != nil {
		panic(err)
	}
	return f.Dropout.Forward(x)
}

// GradCheck agrees with the gradients that flow back through Dropout.
func TestDropoutGradCheck(t *testing.T) {
	rng := newRNG(8)
	batch := Data{X: randMatrix(rng, 8, 4), Labels: []int32{0, 1, 2, 0, 1, 2, 2, 1}}
	d, _ := NewDropout(0.4, 3)
	state, _ := d.src.MarshalBinary()
	model, err := NewSequential(NewDense(4, 6, Xavier(rng)), Tanh(), &frozenDropout{d, state}, NewDense(6, 3, Xavier(rng)))
	if err != nil {
		t.Fatal(err)
	}
	model.SetTraining(true)
	res, err := GradCheck(model, SoftmaxCrossEntropy{}, batch, 1e-2, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.RelErr > 2e-3 {
			t.Errorf("%s: RelErr %.3g", r.Name, r.RelErr)
		}
	}
}

// A Trainer trains with dropout on and leaves the model in inference;
// Evaluate and a Predictor see no dropout.
func TestDropoutModes(t *testing.T) {
	rng := newRNG(9)
	d, _ := NewDropout(0.5, 4)
	model, _ := NewSequential(NewDense(4, 16, He(rng)), ReLU(), d, NewDense(16, 3, Xavier(rng)))
	batch := Data{X: randMatrix(rng, 32, 4), Labels: make([]int32, 32)}
	want, _ := model.Forward(batch.X)
	want = want.Clone()
	tr := &Trainer{Model: model, Loss: SoftmaxCrossEntropy{}, Optimizer: NewSGD(0)}
	lossTrain, err := tr.Step(batch)
	if err != nil {
		t.Fatal(err)
	}
	if model.Training() || d.training {
		t.Error("the model is still training after Trainer.Step")
	}
	m, err := Evaluate(model, SoftmaxCrossEntropy{}, batch, 0)
	if err != nil {
		t.Fatal(err)
	}
	if float32(m.Loss) == lossTrain {
		t.Errorf("the step's loss %v equals the inference loss: dropout was off while training", lossTrain)
	}
	got, _ := model.Forward(batch.X)
	equalBits(t, "Forward outside training", got.Data, want.Data)
	pred, err := model.Predictor()
	if err != nil {
		t.Fatal(err)
	}
	out := NewMatrix(32, 3)
	if err := pred.Predict(out, batch.X); err != nil {
		t.Fatal(err)
	}
	equalBits(t, "Predictor", out.Data, want.Data)
}
