package main

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/simdnn/simdnn/kernels"
	"github.com/simdnn/simdnn/nn"
)

// The matrix products of a training step, alone: what the step would cost
// if everything else in it (the loss, the activations' derivatives, the
// bias gradients, zeroing, the optimizer's guard and update) were free.
// The step's time over theirs, measured in alternation, is what that
// other work adds.
//
// The list is not written by hand: traceStep runs one step's passes on
// the model layer by layer, as nn.Trainer.Step and nn.Sequential run them,
// and observes what each nn.Dense layer does; newStepGEMMs turns that into
// the calls nn.Dense makes. Those calls mirror nn/dense.go:
//
//   - Dense.Forward: kernels.SgemmBiasAct(false, true, rows, Out, In, 1,
//     x, In, Weight, In, 0, y, Out, Bias, act), act being the activation
//     that Sequential.fuse gave the layer (the layer after it then passes
//     its input through, which is how traceStep sees the fusion);
//   - Dense.Backward: kernels.Sgemm(true, false, Out, In, rows, 1, dy,
//     Out, x, In, beta, Weight.Grad, In), beta 0 because Trainer.Step
//     calls ZeroGrad before Backward and each weight gets one gradient;
//     then, when asked for the input's gradient (Sequential.Backward asks
//     every layer but the first, since Trainer.Step asks it for none),
//     kernels.Sgemm(false, false, rows, In, Out, 1, dy, Out, Weight, In,
//     0, dx, In).
//
// TestStepGEMMs checks that the calls give, bit for bit, the outputs and
// gradients nn gave in the traced pass, and that their flops are the
// step's analytic count (trainStepFLOPs).

// denseTrace is what traceStep saw of one Dense layer.
type denseTrace struct {
	layer *nn.Dense
	// act is the activation fused into the layer's product: the one
	// of the Activation layer that follows it when that layer passed
	// its input through, else identity.
	act kernels.Activation
	// x, y, dy and dx are the passes' own matrices (views of nn's
	// buffers, valid until the model's next pass): the input and output
	// of Forward, the gradient Backward was given and the one it
	// returned (empty when it was not asked for one). They tell which
	// buffers the step shares between layers.
	x, y, dy, dx nn.Matrix
	// wantY, wantDW and wantDX are copies of what the layer's products
	// gave in the traced pass: y, the weight gradient, and dx (nil
	// when empty).
	wantY, wantDW, wantDX []float32
}

// traceStep runs the forward pass, loss and backward pass of one training
// step on model, as nn.Trainer.Step does (in training mode, gradients
// zeroed before the backward pass, no input gradient asked of the model)
// but one layer at a time, as nn.Sequential's Forward and Backward loop
// over them, and returns what it saw of each Dense layer, in order. It
// updates no parameter. It panics on error, which a valid batch never
// gives.
func traceStep(model *nn.Sequential, loss nn.Loss, data nn.Data) []denseTrace {
	model.SetTraining(true)
	defer model.SetTraining(false)
	layers := model.Layers()
	var ds []denseTrace
	dense := map[int]int{} // layer index → index in ds
	x := data.X
	for i, l := range layers {
		y, err := l.Forward(x)
		if err != nil {
			panic(err)
		}
		switch l := l.(type) {
		case *nn.Dense:
			dense[i] = len(ds)
			ds = append(ds, denseTrace{layer: l, x: x, y: y})
		case *nn.Activation:
			if k, ok := dense[i-1]; ok && sameData(x.Data, y.Data) {
				ds[k].act = epilogueOf(l)
			}
		}
		x = y
	}
	grad := nn.NewMatrix(x.Rows, x.Cols)
	if _, err := loss.Eval(grad, x, data); err != nil {
		panic(err)
	}
	model.ZeroGrad()
	dy := grad
	for i := len(layers) - 1; i >= 0; i-- {
		dx, err := layers[i].Backward(dy, i > 0)
		if err != nil {
			panic(err)
		}
		if k, ok := dense[i]; ok {
			d := &ds[k]
			d.dy, d.dx = dy, dx
			d.wantDW = slices.Clone(d.layer.Weight.Grad)
			if len(dx.Data) > 0 {
				d.wantDX = slices.Clone(dx.Data)
			}
		}
		dy = dx
	}
	for k := range ds {
		ds[k].wantY = slices.Clone(ds[k].y.Data)
	}
	return ds
}

// epilogueOf returns the GEMM epilogue that computes a, which traceStep
// found fused into the Dense layer before it: kernels.Activation names
// its functions as nn.Activation does.
func epilogueOf(a *nn.Activation) kernels.Activation {
	name := a.String()
	for _, k := range []kernels.Activation{kernels.ActIdentity, kernels.ActReLU, kernels.ActTanh, kernels.ActSigmoid} {
		if k.String() == name {
			return k
		}
	}
	var slope float32
	if _, err := fmt.Sscanf(name, "LeakyReLU(%g)", &slope); err == nil {
		if k := kernels.ActLeakyReLU(slope); k.String() == name {
			return k
		}
	}
	panic(fmt.Sprintf("bench: no GEMM epilogue for the fused activation %s", name))
}

// gemmCall is one matrix product of the step: kernels.SgemmBiasAct when
// fused (with bias and act), else kernels.Sgemm. alpha is 1 and beta 0
// in every call nn.Dense makes in a step (see the list's comment above).
type gemmCall struct {
	name           string // the product, as "forward 784→256" or "dW 256→128"
	fused          bool
	transA, transB bool
	m, n, k        int
	a, b, c        []float32
	lda, ldb, ldc  int
	bias           []float32
	act            kernels.Activation
	want           []float32 // what c held after the traced pass
}

// run makes the call.
func (g *gemmCall) run() {
	if g.fused {
		kernels.SgemmBiasAct(g.transA, g.transB, g.m, g.n, g.k, 1, g.a, g.lda, g.b, g.ldb, 0, g.c, g.ldc, g.bias, g.act)
		return
	}
	kernels.Sgemm(g.transA, g.transB, g.m, g.n, g.k, 1, g.a, g.lda, g.b, g.ldb, 0, g.c, g.ldc)
}

// flops returns the call's floating-point operations, 2 per
// multiply-add.
func (g *gemmCall) flops() float64 { return 2 * float64(g.m) * float64(g.n) * float64(g.k) }

// newStepGEMMs returns the products of the traced step ds on the batch
// data, in the step's order: every layer's forward product, then, from
// the last layer down, its weight gradient and, where nn computed one,
// its input gradient.
//
// They read the step's own inputs and weights (data.X and each layer's
// Weight and Bias, which they only read), so that they meet the same
// memory as the step; they write buffers of their own, of the sizes of
// the step's, so that they never disturb the model. Where the step
// passes one layer's buffer to the next (a forward output that is the
// next layer's input, an input gradient that is the gradient of the
// layer below with nothing in between) the products do the same with
// theirs; a gradient that other work made in between (the activations'
// derivatives, the loss) is a buffer of its own, holding the traced
// values, so that the products run on a real step's numbers.
func newStepGEMMs(ds []denseTrace, data nn.Data) []gemmCall {
	rows := data.X.Rows
	ys := make([][]float32, len(ds))
	xs := make([][]float32, len(ds))
	var calls []gemmCall
	for k, d := range ds {
		switch {
		case sameData(d.x.Data, data.X.Data):
			xs[k] = data.X.Data
		case k > 0 && sameData(d.x.Data, ds[k-1].y.Data):
			xs[k] = ys[k-1]
		default:
			xs[k] = slices.Clone(d.x.Data)
		}
		ys[k] = make([]float32, len(d.y.Data))
		in, out := d.layer.In, d.layer.Out
		calls = append(calls, gemmCall{
			name: fmt.Sprintf("forward %d→%d", in, out), fused: true, transB: true,
			m: rows, n: out, k: in, a: xs[k], lda: in, b: d.layer.Weight.Value, ldb: in, c: ys[k], ldc: out,
			bias: d.layer.Bias.Value, act: d.act, want: d.wantY,
		})
	}
	dxs := make([][]float32, len(ds))
	for k := len(ds) - 1; k >= 0; k-- {
		d := ds[k]
		in, out := d.layer.In, d.layer.Out
		var dy []float32
		if k+1 < len(ds) && dxs[k+1] != nil && sameData(d.dy.Data, ds[k+1].dx.Data) {
			dy = dxs[k+1]
		} else {
			dy = slices.Clone(d.dy.Data)
		}
		calls = append(calls, gemmCall{
			name: fmt.Sprintf("dW %d→%d", in, out), transA: true,
			m: out, n: in, k: rows, a: dy, lda: out, b: xs[k], ldb: in, c: make([]float32, out*in), ldc: in,
			want: d.wantDW,
		})
		if d.wantDX != nil {
			dxs[k] = make([]float32, rows*in)
			calls = append(calls, gemmCall{
				name: fmt.Sprintf("dX %d→%d", in, out),
				m:    rows, n: in, k: out, a: dy, lda: out, b: d.layer.Weight.Value, ldb: in, c: dxs[k], ldc: in,
				want: d.wantDX,
			})
		}
	}
	return calls
}

// runAll makes every call, in order.
func runAll(calls []gemmCall) {
	for i := range calls {
		calls[i].run()
	}
}

// sameData reports whether a and b are the same memory, as nn passes a
// buffer on from one layer to the next.
func sameData(a, b []float32) bool {
	return len(a) > 0 && len(a) == len(b) && &a[0] == &b[0]
}

// stepGEMMsUnit is the unit of the ratio of a step's time to its
// products' alone.
const stepGEMMsUnit = "step/gemms"

// alternate runs step and gemms in turn, b.N times each, and returns the
// time each took in all. Timing both in every iteration, rather than in
// two benchmarks, exposes them to the same drift of the machine (clock,
// load, the other core's work), so their ratio holds where each alone
// would move. The order flips every iteration so that neither always
// finds the caches as the other leaves them.
func alternate(b *testing.B, step, gemms func()) (stepTime, gemmTime time.Duration) {
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			t0 := time.Now()
			step()
			t1 := time.Now()
			gemms()
			stepTime, gemmTime = stepTime+t1.Sub(t0), gemmTime+time.Since(t1)
		} else {
			t0 := time.Now()
			gemms()
			t1 := time.Now()
			step()
			gemmTime, stepTime = gemmTime+t1.Sub(t0), stepTime+time.Since(t1)
		}
	}
	return stepTime, gemmTime
}
