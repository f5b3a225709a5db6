package nn

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// Evaluate reports a NaN or infinite output as an error wrapping
// ErrNotFinite that names the sample, never as a score: the argmax of a
// row of NaNs would otherwise count as class 0.
func TestEvaluateNotFinite(t *testing.T) {
	rng := newRNG(20)
	d := Data{X: randMatrix(rng, 10, 3), Labels: make([]int32, 10)} // every label 0
	for _, c := range []struct {
		name string
		set  func(*Dense)
		want string
	}{
		{"NaN weights", func(l *Dense) {
			for i := range l.Weight.Value {
				l.Weight.Value[i] = float32(math.NaN())
			}
		}, "output 0 of sample 0 is NaN"},
		{"Inf bias", func(l *Dense) { l.Bias.Value[1] = float32(math.Inf(1)) }, "output 1 of sample 0 is +Inf"},
	} {
		layer := NewDense(3, 2, Xavier(rng))
		c.set(layer)
		model, _ := NewSequential(layer)
		for _, bs := range []int{0, 3} {
			m, err := Evaluate(model, SoftmaxCrossEntropy{}, d, bs)
			if !errors.Is(err, ErrNotFinite) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "nn.Evaluate") {
				t.Errorf("%s, batch %d: Evaluate = %+v, %v; want an error wrapping ErrNotFinite saying %q", c.name, bs, m, err, c.want)
			}
		}
	}
	// A non-finite output in a later batch is named by its index in the
	// data, not in the batch.
	layer := NewDense(3, 2, Xavier(rng))
	model, _ := NewSequential(layer)
	layer.Weight.Value[0] = 1e30
	x := d.X.Clone()
	x.Data[3*7] = 1e30 // sample 7: 1e60 overflows float32
	_, err := Evaluate(model, SoftmaxCrossEntropy{}, Data{X: x, Labels: d.Labels}, 4)
	if !errors.Is(err, ErrNotFinite) || !strings.Contains(err.Error(), "of sample 7 is") {
		t.Errorf("overflow at sample 7: err = %v", err)
	}
}

// Fit checks the training and the validation data in full before its
// first step, and names a bad sample by its index in the data.
func TestFitChecksDataFirst(t *testing.T) {
	rng := newRNG(21)
	const n = 12
	cls := Data{X: randMatrix(rng, n, 3), Labels: make([]int32, n)}
	for i := range cls.Labels {
		cls.Labels[i] = int32(i % 5)
	}
	reg := Data{X: cls.X, Y: randMatrix(rng, n, 5)}
	with := func(d Data, f func(*Data)) Data {
		d.X = d.X.Clone()
		if d.Y.Data != nil {
			d.Y = d.Y.Clone()
		}
		if d.Labels != nil {
			d.Labels = append([]int32(nil), d.Labels...)
		}
		f(&d)
		return d
	}
	nan := float32(math.NaN())
	for _, c := range []struct {
		name       string
		loss       Loss
		train, val Data
		want       []string
		notFinite  bool
	}{
		{"label at sample 5", SoftmaxCrossEntropy{}, with(cls, func(d *Data) { d.Labels[5] = 9 }), Data{},
			[]string{"training data", "label 9 of sample 5", "[0, 5)"}, false},
		{"negative label", SoftmaxCrossEntropy{}, with(cls, func(d *Data) { d.Labels[11] = -1 }), Data{},
			[]string{"label -1 of sample 11"}, false},
		{"validation label", SoftmaxCrossEntropy{}, cls, with(cls, func(d *Data) { d.Labels[7] = 5 }),
			[]string{"validation data", "label 5 of sample 7"}, false},
		{"validation width", SoftmaxCrossEntropy{}, cls, Data{X: randMatrix(rng, 4, 2), Labels: make([]int32, 4)},
			[]string{"validation data", "inputs are 4×2", "takes 3 columns"}, false},
		{"validation rows", SoftmaxCrossEntropy{}, cls, Data{X: randMatrix(rng, 4, 3), Labels: make([]int32, 3)},
			[]string{"validation data", "3 labels for 4 samples"}, false},
		{"no labels", SoftmaxCrossEntropy{}, reg, Data{}, []string{"training data", "needs labels"}, false},
		{"no targets", MSE{}, cls, Data{}, []string{"training data", "needs target values"}, false},
		{"target width", MSE{}, with(reg, func(d *Data) { d.Y = randMatrix(rng, n, 4) }), Data{},
			[]string{"targets are 12×4", "gives 5 columns"}, false},
		{"validation target width", BCEWithLogits{}, reg, Data{X: reg.X, Y: randMatrix(rng, n, 6)},
			[]string{"validation data", "targets are 12×6"}, false},
		{"NaN input", MSE{}, with(reg, func(d *Data) { d.X.Set(9, 2, nan) }), Data{},
			[]string{"training data", "input 2 of sample 9 is NaN"}, true},
		{"Inf target", MSE{}, with(reg, func(d *Data) { d.Y.Set(10, 1, float32(math.Inf(-1))) }), Data{},
			[]string{"target 1 of sample 10 is -Inf"}, true},
		{"NaN validation input", SoftmaxCrossEntropy{}, cls, with(cls, func(d *Data) { d.X.Set(6, 0, nan) }),
			[]string{"validation data", "input 0 of sample 6 is NaN"}, true},
		{"NaN validation target", MSE{}, reg, with(reg, func(d *Data) { d.Y.Set(3, 4, nan) }),
			[]string{"validation data", "target 4 of sample 3 is NaN"}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			model, _ := NewSequential(NewDense(3, 8, He(rng)), ReLU(), NewDense(8, 5, Xavier(rng)))
			before := paramValues(model)
			steps := 0
			tr := &Trainer{Model: model, Loss: c.loss, Optimizer: NewSGD(0.1), BatchSize: 2, Epochs: 2,
				Validation: c.val, OnStep: func(StepInfo) error { steps++; return nil }}
			_, err := tr.Fit(c.train)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range append(c.want, "nn.Trainer.Fit") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if errors.Is(err, ErrNotFinite) != c.notFinite {
				t.Errorf("errors.Is(%q, ErrNotFinite) = %v, want %v", err, !c.notFinite, c.notFinite)
			}
			if steps != 0 {
				t.Errorf("%d steps ran before the error", steps)
			}
			equalBits(t, "parameters", paramValues(model), before)
		})
	}
}
