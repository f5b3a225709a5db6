package nn

import (
	"strings"
	"testing"
)

// Bad input gives an error that names the operation and the shapes, never
// a panic.
func TestErrors(t *testing.T) {
	rng := newRNG(12)
	newModel := func() *Sequential {
		m, err := NewSequential(NewDense(784, 256, He(rng)), ReLU(), NewDense(256, 10, He(rng)))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	model := newModel()
	good := Data{X: NewMatrix(4, 784), Labels: []int32{0, 1, 2, 9}}
	step := func(d Data) error {
		_, err := (&Trainer{Model: model, Loss: SoftmaxCrossEntropy{}, Optimizer: NewSGD(0.1)}).Step(d)
		return err
	}
	for _, c := range []struct {
		name string
		err  func() error
		want []string
	}{
		{"wrong width", func() error { _, err := model.Forward(NewMatrix(32, 785)); return err }, []string{"Forward", "input is 32×785, want cols = 784"}},
		{"Dense wrong width", func() error { _, err := NewDense(784, 256, nil).Forward(NewMatrix(32, 785)); return err }, []string{"nn.Dense(784→256).Forward: input is 32×785, want cols = 784"}},
		{"empty batch", func() error { _, err := model.Forward(NewMatrix(0, 784)); return err }, []string{"empty batch"}},
		{"short data", func() error {
			_, err := model.Forward(Matrix{Rows: 2, Cols: 784, Data: make([]float32, 784)})
			return err
		}, []string{"2×784", "len(Data)=784"}},
		{"label out of range", func() error {
			return step(Data{X: good.X, Labels: []int32{0, 1, 10, 2}})
		}, []string{"SoftmaxCrossEntropy", "label 10 of sample 2", "[0, 10)"}},
		{"negative label", func() error { return step(Data{X: good.X, Labels: []int32{0, -1, 1, 2}}) }, []string{"label -1 of sample 1"}},
		{"labels per batch", func() error { return step(Data{X: good.X, Labels: []int32{0, 1}}) }, []string{"2 labels", "4×10"}},
		{"no targets", func() error {
			_, err := (&Trainer{Model: model, Loss: MSE{}, Optimizer: NewSGD(0.1)}).Step(good)
			return err
		}, []string{"nn.MSE", "no target values"}},
		{"target shape", func() error {
			_, err := (&Trainer{Model: model, Loss: MSE{}, Optimizer: NewSGD(0.1)}).Step(Data{X: good.X, Y: NewMatrix(4, 9)})
			return err
		}, []string{"nn.MSE", "targets are 4×9", "predictions 4×10"}},
		{"target rows", func() error {
			_, err := (&Trainer{Model: model, Loss: MSE{}, Optimizer: NewSGD(0.1)}).Step(Data{X: good.X, Y: NewMatrix(3, 10)})
			return err
		}, []string{"nn.MSE", "targets are 3×10", "predictions 4×10"}},
		{"BCE target rows", func() error {
			_, err := (&Trainer{Model: model, Loss: BCEWithLogits{}, Optimizer: NewSGD(0.1)}).Step(Data{X: good.X, Y: NewMatrix(5, 10)})
			return err
		}, []string{"nn.BCEWithLogits", "targets are 5×10", "predictions 4×10"}},
		{"layer chain", func() error {
			_, err := NewSequential(NewDense(784, 256, nil), ReLU(), NewDense(128, 10, nil))
			return err
		}, []string{"layer 2, Dense(128→10), takes 128 columns but layer 1, ReLU, gives 256"}},
		{"backward before forward", func() error { _, err := NewDense(3, 2, nil).Backward(NewMatrix(1, 2), true); return err }, []string{"no Forward"}},
		{"backward shape", func() error {
			d := NewDense(3, 2, nil)
			d.Forward(NewMatrix(5, 3))
			_, err := d.Backward(NewMatrix(4, 2), true)
			return err
		}, []string{"gradient is 4×2, want 5×2"}},
		{"Fit mismatched data", func() error {
			_, err := (&Trainer{Model: model, Loss: SoftmaxCrossEntropy{}, Optimizer: NewSGD(0.1), Epochs: 1}).Fit(Data{X: good.X, Labels: []int32{1}})
			return err
		}, []string{"1 labels for 4 samples"}},
		{"Fit no epochs", func() error {
			_, err := (&Trainer{Model: model, Loss: SoftmaxCrossEntropy{}, Optimizer: NewSGD(0.1)}).Fit(good)
			return err
		}, []string{"Epochs=0"}},
		{"MatrixOf", func() error { _, err := MatrixOf(2, 3, make([]float32, 5)); return err }, []string{"len(data)=5 for a 2×3 matrix"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.err()
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}
