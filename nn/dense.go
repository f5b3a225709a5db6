package nn

import (
	"fmt"

	"github.com/simdnn/simdnn/kernels"
)

// Dense is a fully connected layer, y = x·Wᵀ + b, with the weights W
// stored [out × in] (row j makes output j, as in PyTorch's Linear, so
// weights move between the two unchanged) and the bias b [out].
type Dense struct {
	In, Out int
	Weight  *Param // [Out × In]
	Bias    *Param // [Out]

	// act is the activation that the following layer lets this one apply
	// while the product is still in registers (see fuse); identity
	// unless a Sequential has fused them.
	act kernels.Activation

	x       Matrix // the last Forward's input
	y, dx   buffer
	biasSum []float32 // column sums of dy, when the bias gradient accumulates
}

// NewDense returns a Dense layer with in inputs and out outputs, its
// weights set by init and its bias zero. A nil init leaves the weights
// zero, for a model whose parameters will be loaded. It panics if in or
// out is not positive.
func NewDense(in, out int, init Initializer) *Dense {
	if in <= 0 || out <= 0 {
		panic(fmt.Sprintf("nn.NewDense: sizes must be positive, got %d→%d", in, out))
	}
	d := &Dense{
		In: in, Out: out,
		Weight:  newParam("weight", out, in),
		Bias:    newParam("bias", out),
		act:     kernels.ActIdentity,
		biasSum: make([]float32, out),
	}
	if init != nil {
		init(d.Weight.Value, in, out)
	}
	return d
}

// String returns "Dense(in→out)".
func (d *Dense) String() string { return fmt.Sprintf("Dense(%d→%d)", d.In, d.Out) }

// Widths returns (In, Out).
func (d *Dense) Widths(int) (int, int) { return d.In, d.Out }

// Params returns the weight and the bias.
func (d *Dense) Params() []*Param { return []*Param{d.Weight, d.Bias} }

// Forward returns x·Wᵀ + b for the batch x (rows × In), through the fused
// GEMM entry point kernels.SgemmBiasAct.
func (d *Dense) Forward(x Matrix) (Matrix, error) {
	if err := checkInput(d, "Forward", x, d.In); err != nil {
		return Matrix{}, err
	}
	y := d.y.get(x.Rows, d.Out)
	kernels.SgemmBiasAct(false, true, x.Rows, d.Out, d.In, 1, x.Data, d.In, d.Weight.Value, d.In, 0, y.Data, d.Out, d.Bias.Value, d.act)
	d.x = x
	return y, nil
}

// Backward adds dyᵀ·x to the weight's gradient and the column sums of dy
// to the bias's, and returns dy·W.
func (d *Dense) Backward(dy Matrix, needInputGrad bool) (Matrix, error) {
	if err := checkGrad(d, dy, d.x.Rows, d.Out); err != nil {
		return Matrix{}, err
	}
	m := dy.Rows
	kernels.Sgemm(true, false, d.Out, d.In, m, 1, dy.Data, d.Out, d.x.Data, d.In, d.Weight.gradBeta(), d.Weight.Grad, d.In)
	if d.Bias.gradBeta() == 0 {
		kernels.BiasGrad(d.Bias.Grad, dy.Data, d.Out, m, d.Out)
	} else {
		kernels.BiasGrad(d.biasSum, dy.Data, d.Out, m, d.Out)
		kernels.Axpy(d.Bias.Grad, 1, d.biasSum)
	}
	if !needInputGrad {
		return Matrix{}, nil
	}
	dx := d.dx.get(m, d.In)
	kernels.Sgemm(false, false, m, d.In, d.Out, 1, dy.Data, d.Out, d.Weight.Value, d.In, 0, dx.Data, d.In)
	return dx, nil
}

// checkInput returns an error unless x is a valid, non-empty batch of
// want columns (want < 0: any width).
func checkInput(l Layer, op string, x Matrix, want int) error {
	if err := checkBatch(x, want); err != nil {
		return fmt.Errorf("nn.%v.%s: %w", l, op, err)
	}
	return nil
}

// checkBatch is checkInput without the name of the operation, which the
// caller puts in front.
func checkBatch(x Matrix, want int) error {
	switch {
	case !x.valid():
		return fmt.Errorf("input %v has len(Data)=%d, want %s", x, len(x.Data), x.wantLen())
	case want >= 0 && x.Cols != want:
		return fmt.Errorf("input is %v, want cols = %d", x, want)
	case x.Rows == 0:
		return fmt.Errorf("empty batch (input is %v)", x)
	}
	return nil
}

// checkGrad returns an error unless dy is rows×cols, the shape of the
// last Forward's output; rows = 0 means Forward has not run.
func checkGrad(l Layer, dy Matrix, rows, cols int) error {
	switch {
	case rows == 0:
		return fmt.Errorf("nn.%v.Backward: no Forward before it", l)
	case !dy.valid():
		return fmt.Errorf("nn.%v.Backward: gradient %v has len(Data)=%d, want %s", l, dy, len(dy.Data), dy.wantLen())
	case dy.Rows != rows || dy.Cols != cols:
		return fmt.Errorf("nn.%v.Backward: gradient is %v, want %d×%d (the last Forward's output)", l, dy, rows, cols)
	}
	return nil
}
