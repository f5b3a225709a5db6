package nn

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
)

// Shapes whose element count overflows int are rejected with an error
// wherever a matrix comes from user data, never wrapped into a length
// that happens to match.
func TestMatrixShapeOverflow(t *testing.T) {
	// big·2 and half·half overflow int on 64-bit and 32-bit platforms alike.
	big, half := math.MaxInt/2+1, 1<<(strconv.IntSize/2)
	huge := []struct{ rows, cols int }{{big, 4}, {4, big}, {math.MaxInt, 2}, {half, half}}
	for _, s := range huge {
		if m, err := MatrixOf(s.rows, s.cols, nil); err == nil {
			t.Errorf("MatrixOf(%d, %d, nil) = %v, no error", s.rows, s.cols, m)
		} else if strings.Contains(err.Error(), "want -") || strings.Contains(err.Error(), "want 0") {
			t.Errorf("MatrixOf(%d, %d, nil): error %q gives a wrapped length", s.rows, s.cols, err)
		}
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "nn.NewMatrix") {
					t.Errorf("NewMatrix(%d, %d): recovered %v, want a panic naming nn.NewMatrix", s.rows, s.cols, r)
				}
			}()
			NewMatrix(s.rows, s.cols)
		}()
	}
	for _, s := range [][2]int{{0, big}, {big, 0}, {0, 0}} {
		if _, err := MatrixOf(s[0], s[1], nil); err != nil {
			t.Errorf("MatrixOf(%d, %d, nil): %v; an empty matrix is valid", s[0], s[1], err)
		}
	}

	// A hand-built Matrix of such a shape reaches the model as an error.
	x := Matrix{Rows: big, Cols: 4}
	rng := newRNG(1)
	d := NewDense(4, 3, He(rng))
	if _, err := d.Forward(x); err == nil || !strings.Contains(err.Error(), "len(Data)=0") {
		t.Errorf("Dense.Forward: err = %v", err)
	}
	model, _ := NewSequential(NewDense(4, 3, He(rng)))
	labels := make([]int32, 0)
	for _, data := range []Data{{X: x, Labels: labels}, {X: NewMatrix(2, 4), Y: Matrix{Rows: 2, Cols: big}}} {
		tr := &Trainer{Model: model, Loss: SoftmaxCrossEntropy{}, Optimizer: NewSGD(0.1), Epochs: 1}
		if _, err := tr.Fit(data); err == nil || strings.Contains(err.Error(), "want -") {
			t.Errorf("Fit on %v / %v: err = %v", data.X, data.Y, err)
		}
		if _, err := Evaluate(model, SoftmaxCrossEntropy{}, data, 0); err == nil || strings.Contains(err.Error(), "want -") {
			t.Errorf("Evaluate on %v / %v: err = %v", data.X, data.Y, err)
		}
	}
}
