package nn

import (
	"fmt"
	"math"

	"github.com/simdnn/simdnn/kernels"
)

type activationKind int

const (
	actIdentity activationKind = iota
	actReLU
	actLeakyReLU
	actTanh
	actSigmoid
	actSoftmax
)

// Activation is an elementwise activation layer (identity, ReLU, leaky
// ReLU, tanh, sigmoid) or the row-wise softmax. It has no parameters and
// takes any width. Make one with [Identity], [ReLU], [LeakyReLU], [Tanh],
// [Sigmoid] or [Softmax].
//
// In a [Sequential], an activation other than softmax that follows a
// [Dense] layer is fused into it: the Dense layer applies it to its
// output while the product is still in registers, and this layer passes
// that output through. The results are the same.
type Activation struct {
	kind  activationKind
	slope float32

	// fused is set by Sequential when the preceding Dense layer applies
	// the activation: Forward then passes its input through.
	fused bool

	x, y  Matrix // the last Forward's input and output
	out   buffer
	dxBuf buffer
}

// Identity returns the identity activation, y = x: a linear layer's
// output unchanged.
func Identity() *Activation { return &Activation{kind: actIdentity} }

// ReLU returns the rectified linear unit, y = max(x, 0) (kernels.ReLU).
func ReLU() *Activation { return &Activation{kind: actReLU} }

// LeakyReLU returns y = x for x ≥ 0 and slope·x below (kernels.LeakyReLU);
// 0.01 and 0.1 are common slopes.
func LeakyReLU(slope float32) *Activation { return &Activation{kind: actLeakyReLU, slope: slope} }

// Tanh returns the hyperbolic tangent activation (kernels.Tanh).
func Tanh() *Activation { return &Activation{kind: actTanh} }

// Sigmoid returns the logistic function 1/(1+e⁻ˣ) (kernels.Sigmoid).
func Sigmoid() *Activation { return &Activation{kind: actSigmoid} }

// Softmax returns the row-wise softmax (kernels.Softmax), for a model
// whose output should be probabilities. To train a classifier, leave it
// out and use [SoftmaxCrossEntropy] on the logits: it is faster and
// stable.
func Softmax() *Activation { return &Activation{kind: actSoftmax} }

// String names the activation, as "ReLU" or "LeakyReLU(0.01)".
func (a *Activation) String() string {
	switch a.kind {
	case actReLU:
		return "ReLU"
	case actLeakyReLU:
		return fmt.Sprintf("LeakyReLU(%g)", a.slope)
	case actTanh:
		return "Tanh"
	case actSigmoid:
		return "Sigmoid"
	case actSoftmax:
		return "Softmax"
	}
	return "Identity"
}

// Widths returns (in, in): an activation keeps the shape.
func (a *Activation) Widths(in int) (int, int) { return in, in }

// Params returns nil.
func (a *Activation) Params() []*Param { return nil }

// kernel returns the fused GEMM epilogue that computes this activation,
// and whether there is one. Leaky ReLU fuses only for a finite positive
// slope, because its backward pass then reads the sign of x from the
// output (see Backward).
func (a *Activation) kernel() (kernels.Activation, bool) {
	switch a.kind {
	case actReLU:
		return kernels.ActReLU, true
	case actLeakyReLU:
		if a.slope > 0 && a.slope <= math.MaxFloat32 {
			return kernels.ActLeakyReLU(a.slope), true
		}
	case actTanh:
		return kernels.ActTanh, true
	case actSigmoid:
		return kernels.ActSigmoid, true
	}
	return kernels.Activation{}, false
}

// Forward applies the activation to x.
func (a *Activation) Forward(x Matrix) (Matrix, error) {
	if err := checkInput(a, "Forward", x, -1); err != nil {
		return Matrix{}, err
	}
	a.x = x
	if a.fused || a.kind == actIdentity {
		a.y = x
		return x, nil
	}
	y := a.out.get(x.Rows, x.Cols)
	switch a.kind {
	case actReLU:
		kernels.ReLU(y.Data, x.Data)
	case actLeakyReLU:
		kernels.LeakyReLU(y.Data, x.Data, a.slope)
	case actTanh:
		kernels.Tanh(y.Data, x.Data)
	case actSigmoid:
		kernels.Sigmoid(y.Data, x.Data)
	case actSoftmax:
		kernels.Softmax(y.Data, x.Data, x.Rows, x.Cols)
	}
	a.y = y
	return y, nil
}

// Backward returns dy times the activation's derivative at the last
// input. ReLU and leaky ReLU read the sign of the input from the output
// when the activation is fused (the input was never stored): ReLU's
// output is positive exactly where its input is, and so is leaky ReLU's
// for a positive slope. Tanh, sigmoid and softmax differentiate from
// their output, as their kernels do.
func (a *Activation) Backward(dy Matrix, needInputGrad bool) (Matrix, error) {
	if err := checkGrad(a, dy, a.y.Rows, a.y.Cols); err != nil {
		return Matrix{}, err
	}
	if !needInputGrad {
		return Matrix{}, nil
	}
	if a.kind == actIdentity {
		return dy, nil
	}
	dx := a.dxBuf.get(dy.Rows, dy.Cols)
	switch a.kind {
	case actReLU:
		kernels.ReLUGrad(dx.Data, a.x.Data, dy.Data)
	case actLeakyReLU:
		kernels.LeakyReLUGrad(dx.Data, a.x.Data, dy.Data, a.slope)
	case actTanh:
		kernels.TanhGrad(dx.Data, a.y.Data, dy.Data)
	case actSigmoid:
		kernels.SigmoidGrad(dx.Data, a.y.Data, dy.Data)
	case actSoftmax:
		kernels.SoftmaxGrad(dx.Data, a.y.Data, dy.Data, dy.Rows, dy.Cols)
	}
	return dx, nil
}
