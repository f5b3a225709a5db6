package nn

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// ClipGradNorm and ClipGradValue give PyTorch's clipped gradients and
// norm (fixtures from clip_grad_norm_ and clip_grad_value_).
func TestClipMatchesTorch(t *testing.T) {
	var f struct {
		Shapes [][]int
		Grads  [][]float64
		Cases  []struct {
			Kind    string
			Limit   float64
			Norm    float64
			Clipped [][]float64
		}
	}
	loadTorchFixture(t, "clip", &f)
	if len(f.Cases) == 0 {
		t.Fatal("clip.json holds no cases")
	}
	for _, c := range f.Cases {
		params := make([]*Param, len(f.Shapes))
		for i, shape := range f.Shapes {
			params[i] = newParam("p", shape...)
			for j, g := range f.Grads[i] {
				params[i].Grad[j] = float32(g)
			}
			params[i].hasGrad = true
		}
		// A parameter without a gradient takes no part.
		idle := newParam("idle", 3)
		idle.Grad[0] = 1e30
		params = append(params, idle)
		var err error
		var norm float64
		if c.Kind == "norm" {
			norm, err = ClipGradNorm(params, c.Limit)
			if d := math.Abs(norm - c.Norm); d > 1e-6*c.Norm {
				t.Errorf("norm %v: ClipGradNorm returned %v, PyTorch %v", c.Limit, norm, c.Norm)
			}
		} else {
			err = ClipGradValue(params, c.Limit)
		}
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range c.Clipped {
			assertClose(t, c.Kind+" clipped", params[i].Grad, want, 2e-7)
		}
		if idle.Grad[0] != 1e30 {
			t.Errorf("%s %v: a parameter without a gradient was clipped", c.Kind, c.Limit)
		}
	}
}

// A non-finite gradient makes ClipGradNorm fail without touching any
// gradient; out-of-range limits are refused.
func TestClipErrors(t *testing.T) {
	p := newParam("w", 3)
	copy(p.Grad, []float32{1, float32(math.Inf(1)), 2})
	p.hasGrad = true
	q := newParam("b", 2)
	copy(q.Grad, []float32{100, 100})
	q.hasGrad = true
	norm, err := ClipGradNorm([]*Param{q, p}, 1)
	if !errors.Is(err, ErrNotFinite) || !math.IsInf(norm, 1) {
		t.Errorf("norm %v, err %v; want +Inf and ErrNotFinite", norm, err)
	}
	if q.Grad[0] != 100 || q.Grad[1] != 100 {
		t.Errorf("a failed ClipGradNorm changed a gradient: %v", q.Grad)
	}
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"norm NaN", func() error { _, err := ClipGradNorm([]*Param{q}, math.NaN()); return err }(), "nn.ClipGradNorm: maxNorm = NaN"},
		{"norm negative", func() error { _, err := ClipGradNorm([]*Param{q}, -1); return err }(), "maxNorm = -1, want ≥ 0"},
		{"value +Inf", ClipGradValue([]*Param{q}, math.Inf(1)), "nn.ClipGradValue: clip = +Inf"},
		{"value negative", ClipGradValue([]*Param{q}, -0.5), "clip = -0.5, want ≥ 0"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one saying %q", c.name, c.err, c.want)
		}
	}
}

// A Trainer clips before its update, reports the norm, and refuses
// clipping limits out of range before the first step.
func TestTrainerClips(t *testing.T) {
	rng := newRNG(50)
	d := Data{X: randMatrix(rng, 16, 3), Y: randMatrix(rng, 16, 2)}
	for i := range d.Y.Data {
		d.Y.Data[i] *= 100 // large errors: large gradients
	}
	model, _ := NewSequential(NewDense(3, 2, Xavier(rng)))
	tr := &Trainer{Model: model, Loss: MSE{}, Optimizer: NewSGD(0.1), Epochs: 1, ClipNorm: 0.25}
	var norms []float64
	tr.OnStep = func(s StepInfo) error { norms = append(norms, s.GradNorm); return nil }
	before := paramValues(model)
	if _, err := tr.Fit(d); err != nil {
		t.Fatal(err)
	}
	if len(norms) != 1 || !(norms[0] > 0.25) {
		t.Fatalf("StepInfo.GradNorm %v, want one norm above the limit", norms)
	}
	// SGD moved the parameters by 0.1 times the clipped gradient, whose
	// norm is the limit.
	var moved float64
	for i, v := range paramValues(model) {
		moved += math.Pow(float64(v-before[i]), 2)
	}
	if got := math.Sqrt(moved) / 0.1; math.Abs(got-0.25) > 1e-5 {
		t.Errorf("the update's norm is %v·lr, want the clipped 0.25", got)
	}
	for _, c := range []struct {
		value, norm float64
		want        string
	}{{math.NaN(), 0, "ClipValue = NaN"}, {0, -1, "ClipNorm = -1"}} {
		tr := &Trainer{Model: model, Loss: MSE{}, Optimizer: NewSGD(0.1), Epochs: 1, ClipValue: c.value, ClipNorm: c.norm}
		if _, err := tr.Fit(d); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("err = %v, want one saying %q", err, c.want)
		}
	}
}
