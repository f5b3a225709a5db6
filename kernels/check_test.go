package kernels

import (
	"fmt"
	"math"
	"testing"
)

// mustPanic calls f and fails unless it panics with exactly want.
func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Errorf("no panic; want %q", want)
			return
		}
		if got := fmt.Sprint(r); got != want {
			t.Errorf("panic %q\n           want %q", got, want)
		}
	}()
	f()
}

// TestArgumentChecks covers every message of every public function's
// argument checks. The checks run before any implementation is called, so
// the slices here are never touched.
func TestArgumentChecks(t *testing.T) {
	s := func(n int) []float32 { return make([]float32, n) }
	const huge = math.MaxInt/2 + 1
	for _, tc := range []struct {
		want string
		f    func()
	}{
		// Sgemm: dimensions, leading dimensions, lengths, overflow.
		{"kernels.Sgemm: negative dimension m=-1", func() { Sgemm(false, false, -1, 1, 1, 1, s(1), 1, s(1), 1, 0, s(1), 1) }},
		{"kernels.Sgemm: negative dimension n=-2", func() { Sgemm(false, false, 1, -2, 1, 1, s(1), 1, s(1), 1, 0, s(1), 1) }},
		{"kernels.Sgemm: negative dimension k=-3", func() { Sgemm(false, false, 1, 1, -3, 1, s(1), 1, s(1), 1, 0, s(1), 1) }},
		{"kernels.Sgemm: len(a)=10 < 12 needed for m=3 k=4 lda=4", func() { Sgemm(false, false, 3, 2, 4, 1, s(10), 4, s(8), 2, 0, s(6), 2) }},
		{"kernels.Sgemm: len(a)=10 < 12 needed for k=4 m=3 lda=3", func() { Sgemm(true, false, 3, 2, 4, 1, s(10), 3, s(8), 2, 0, s(6), 2) }},
		{"kernels.Sgemm: lda=3 < max(1, k=4)", func() { Sgemm(false, false, 3, 2, 4, 1, s(12), 3, s(8), 2, 0, s(6), 2) }},
		{"kernels.Sgemm: lda=2 < max(1, m=3)", func() { Sgemm(true, false, 3, 2, 4, 1, s(12), 2, s(8), 2, 0, s(6), 2) }},
		{"kernels.Sgemm: lda=0 < max(1, k=0)", func() { Sgemm(false, false, 3, 2, 0, 1, nil, 0, nil, 2, 0, s(6), 2) }},
		{"kernels.Sgemm: len(b)=7 < 8 needed for k=4 n=2 ldb=2", func() { Sgemm(false, false, 3, 2, 4, 1, s(12), 4, s(7), 2, 0, s(6), 2) }},
		{"kernels.Sgemm: len(b)=7 < 8 needed for n=2 k=4 ldb=4", func() { Sgemm(false, true, 3, 2, 4, 1, s(12), 4, s(7), 4, 0, s(6), 2) }},
		{"kernels.Sgemm: ldb=1 < max(1, n=2)", func() { Sgemm(false, false, 3, 2, 4, 1, s(12), 4, s(8), 1, 0, s(6), 2) }},
		{"kernels.Sgemm: ldb=3 < max(1, k=4)", func() { Sgemm(false, true, 3, 2, 4, 1, s(12), 4, s(8), 3, 0, s(6), 2) }},
		{"kernels.Sgemm: len(c)=5 < 6 needed for m=3 n=2 ldc=2", func() { Sgemm(false, false, 3, 2, 4, 1, s(12), 4, s(8), 2, 0, s(5), 2) }},
		{"kernels.Sgemm: len(c)=6 < 8 needed for m=3 n=2 ldc=3", func() { Sgemm(false, false, 3, 2, 4, 1, s(12), 4, s(8), 2, 0, s(6), 3) }},
		{"kernels.Sgemm: ldc=1 < max(1, n=2)", func() { Sgemm(false, false, 3, 2, 4, 1, s(12), 4, s(8), 2, 0, s(6), 1) }},
		{fmt.Sprintf("kernels.Sgemm: m=%d k=1 lda=%d overflows int", huge, huge), func() { Sgemm(false, false, huge, 1, 1, 1, s(1), huge, s(1), 1, 0, s(1), 1) }},
		{fmt.Sprintf("kernels.Sgemm: m=3 n=%d ldc=%d overflows int", huge, huge), func() { Sgemm(false, false, 3, huge, 0, 1, nil, 1, nil, huge, 0, s(1), huge) }},

		// SgemmBiasAct: Sgemm's checks under its own name, and the bias.
		{"kernels.SgemmBiasAct: ldb=1 < max(1, n=2)", func() {
			SgemmBiasAct(false, false, 3, 2, 4, 1, s(12), 4, s(8), 1, 0, s(6), 2, nil, ActReLU)
		}},
		{"kernels.SgemmBiasAct: len(bias)=3 != n=2 (nor 0, for no bias)", func() {
			SgemmBiasAct(false, false, 3, 2, 4, 1, s(12), 4, s(8), 2, 0, s(6), 2, s(3), ActReLU)
		}},
		{"kernels.SgemmBiasAct: len(bias)=1 != n=2 (nor 0, for no bias)", func() {
			SgemmBiasAct(false, false, 0, 2, 4, 1, nil, 4, s(8), 2, 0, nil, 2, s(1), ActIdentity)
		}},

		// Bias.
		{"kernels.BiasAdd: negative dimension m=-1", func() { BiasAdd(s(4), 2, -1, 2, s(2)) }},
		{"kernels.BiasAdd: negative dimension n=-1", func() { BiasAdd(s(4), 2, 2, -1, s(2)) }},
		{"kernels.BiasAdd: len(bias)=3 != n=2", func() { BiasAdd(s(4), 2, 2, 2, s(3)) }},
		{"kernels.BiasAdd: ldc=1 < max(1, n=2)", func() { BiasAdd(s(4), 1, 2, 2, s(2)) }},
		{"kernels.BiasAdd: len(c)=4 < 5 needed for m=2 n=2 ldc=3", func() { BiasAdd(s(4), 3, 2, 2, s(2)) }},
		{fmt.Sprintf("kernels.BiasAdd: m=%d n=1 ldc=%d overflows int", huge, huge), func() { BiasAdd(s(4), huge, huge, 1, s(1)) }},
		{"kernels.BiasGrad: negative dimension m=-1", func() { BiasGrad(s(2), s(4), 2, -1, 2) }},
		{"kernels.BiasGrad: len(db)=1 != n=2", func() { BiasGrad(s(1), s(4), 2, 2, 2) }},
		{"kernels.BiasGrad: ldy=0 < max(1, n=0)", func() { BiasGrad(nil, nil, 0, 2, 0) }},
		{"kernels.BiasGrad: len(dy)=3 < 4 needed for m=2 n=2 ldy=2", func() { BiasGrad(s(2), s(3), 2, 2, 2) }},

		// Elementwise.
		{"kernels.Identity: len(dst)=2 != len(x)=3", func() { Identity(s(2), s(3)) }},
		{"kernels.IdentityGrad: len(dx)=2 != len(dy)=3", func() { IdentityGrad(s(2), s(3)) }},
		{"kernels.ReLU: len(dst)=2 != len(x)=3", func() { ReLU(s(2), s(3)) }},
		{"kernels.ReLUGrad: len(dx)=2 != len(x)=3", func() { ReLUGrad(s(2), s(3), s(3)) }},
		{"kernels.ReLUGrad: len(dy)=4 != len(x)=3", func() { ReLUGrad(s(3), s(3), s(4)) }},
		{"kernels.LeakyReLU: len(dst)=4 != len(x)=3", func() { LeakyReLU(s(4), s(3), 0.01) }},
		{"kernels.LeakyReLUGrad: len(dx)=2 != len(x)=3", func() { LeakyReLUGrad(s(2), s(3), s(3), 0.01) }},
		{"kernels.LeakyReLUGrad: len(dy)=2 != len(x)=3", func() { LeakyReLUGrad(s(3), s(3), s(2), 0.01) }},
		{"kernels.Exp: len(dst)=2 != len(x)=3", func() { Exp(s(2), s(3)) }},
		{"kernels.Tanh: len(dst)=2 != len(x)=3", func() { Tanh(s(2), s(3)) }},
		{"kernels.TanhGrad: len(dx)=2 != len(y)=3", func() { TanhGrad(s(2), s(3), s(3)) }},
		{"kernels.TanhGrad: len(dy)=2 != len(y)=3", func() { TanhGrad(s(3), s(3), s(2)) }},
		{"kernels.Sigmoid: len(dst)=2 != len(x)=3", func() { Sigmoid(s(2), s(3)) }},
		{"kernels.SigmoidGrad: len(dx)=2 != len(y)=3", func() { SigmoidGrad(s(2), s(3), s(3)) }},
		{"kernels.SigmoidGrad: len(dy)=2 != len(y)=3", func() { SigmoidGrad(s(3), s(3), s(2)) }},

		// Row-wise kernels.
		{"kernels.Softmax: negative dimension m=-1", func() { Softmax(s(2), s(2), -1, 2) }},
		{"kernels.Softmax: negative dimension n=-2", func() { Softmax(s(2), s(2), 1, -2) }},
		{"kernels.Softmax: len(x)=5 != m*n=6 (m=2 n=3)", func() { Softmax(s(6), s(5), 2, 3) }},
		{"kernels.Softmax: len(dst)=7 != m*n=6 (m=2 n=3)", func() { Softmax(s(7), s(6), 2, 3) }},
		{fmt.Sprintf("kernels.Softmax: m=%d n=4: m*n overflows int", huge), func() { Softmax(s(6), s(6), huge, 4) }},
		{"kernels.SoftmaxGrad: len(y)=5 != m*n=6 (m=2 n=3)", func() { SoftmaxGrad(s(6), s(5), s(6), 2, 3) }},
		{"kernels.SoftmaxGrad: len(dy)=5 != m*n=6 (m=2 n=3)", func() { SoftmaxGrad(s(6), s(6), s(5), 2, 3) }},
		{"kernels.SoftmaxGrad: len(dx)=5 != m*n=6 (m=2 n=3)", func() { SoftmaxGrad(s(5), s(6), s(6), 2, 3) }},
		{"kernels.LogSoftmax: len(x)=5 != m*n=6 (m=2 n=3)", func() { LogSoftmax(s(6), s(5), 2, 3) }},
		{"kernels.LogSoftmax: len(dst)=5 != m*n=6 (m=2 n=3)", func() { LogSoftmax(s(5), s(6), 2, 3) }},

		// Losses.
		{"kernels.SoftmaxCrossEntropy: len(logits)=5 != m*n=6 (m=2 n=3)", func() { SoftmaxCrossEntropy(nil, s(5), []int32{0, 0}, 2, 3) }},
		{"kernels.SoftmaxCrossEntropy: len(dlogits)=5 != m*n=6 (m=2 n=3)", func() { SoftmaxCrossEntropy(s(5), s(6), []int32{0, 0}, 2, 3) }},
		{"kernels.SoftmaxCrossEntropy: len(labels)=1 != m=2", func() { SoftmaxCrossEntropy(nil, s(6), []int32{0}, 2, 3) }},
		{"kernels.SoftmaxCrossEntropy: labels[1]=3 out of range [0, n=3)", func() { SoftmaxCrossEntropy(nil, s(6), []int32{0, 3}, 2, 3) }},
		{"kernels.SoftmaxCrossEntropy: labels[0]=-1 out of range [0, n=3)", func() { SoftmaxCrossEntropy(s(6), s(6), []int32{-1, 0}, 2, 3) }},
		{"kernels.SoftmaxCrossEntropy: labels[0]=0 out of range [0, n=0)", func() { SoftmaxCrossEntropy(nil, nil, []int32{0, 0}, 2, 0) }},
		{"kernels.MSE: len(target)=2 != len(pred)=3", func() { MSE(nil, s(3), s(2)) }},
		{"kernels.MSE: len(dpred)=2 != len(pred)=3", func() { MSE(s(2), s(3), s(3)) }},

		// Optimizers.
		{"kernels.Axpy: len(y)=2 != len(x)=3", func() { Axpy(s(2), 1, s(3)) }},
		{"kernels.SGD: len(g)=2 != len(w)=3", func() { SGD(s(3), s(3), s(2), SGDOptions{LR: 0.1, Momentum: 0.9}) }},
		{"kernels.SGD: len(v)=2 != len(w)=3", func() { SGD(s(3), s(2), s(3), SGDOptions{LR: 0.1, Momentum: 0.9}) }},
		{"kernels.SGD: v is nil with Momentum=0.9", func() { SGD(s(3), nil, s(3), SGDOptions{LR: 0.1, Momentum: 0.9}) }},
		{"kernels.SGD: v is nil with Momentum=-0.5", func() { SGD(s(1), nil, s(1), SGDOptions{Momentum: -0.5}) }},
		{"kernels.SGD: Nesterov needs Momentum > 0 and Dampening = 0, have Momentum=0 Dampening=0", func() {
			SGD(s(3), nil, s(3), SGDOptions{LR: 0.1, Nesterov: true})
		}},
		{"kernels.SGD: Nesterov needs Momentum > 0 and Dampening = 0, have Momentum=0.9 Dampening=0.1", func() {
			SGD(s(3), s(3), s(3), SGDOptions{LR: 0.1, Momentum: 0.9, Dampening: 0.1, Nesterov: true})
		}},
		{"kernels.SGD: Nesterov needs Momentum > 0 and Dampening = 0, have Momentum=-0.9 Dampening=0", func() {
			SGD(s(3), s(3), s(3), SGDOptions{LR: 0.1, Momentum: -0.9, Nesterov: true})
		}},
		{"kernels.Adam: len(m)=2 != len(w)=3", func() { Adam(s(3), s(2), s(3), nil, s(3), adamDefaults) }},
		{"kernels.Adam: len(v)=2 != len(w)=3", func() { Adam(s(3), s(3), s(2), nil, s(3), adamDefaults) }},
		{"kernels.Adam: len(g)=2 != len(w)=3", func() { Adam(s(3), s(3), s(3), nil, s(2), adamDefaults) }},
		{"kernels.Adam: vmax is nil with AMSGrad", func() { Adam(s(3), s(3), s(3), nil, s(3), adamAMSGradL2) }},
		{"kernels.Adam: len(vmax)=2 != len(w)=3", func() { Adam(s(3), s(3), s(3), s(2), s(3), adamAMSGradL2) }},
		{"kernels.Adam: Step=0 < 1", func() { Adam(s(3), s(3), s(3), nil, s(3), AdamOptions{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}) }},
		{"kernels.Adam: Step=-1 < 1", func() { Adam(s(3), s(3), s(3), s(3), s(3), AdamOptions{AMSGrad: true, Step: -1}) }},
	} {
		mustPanic(t, tc.want, tc.f)
	}
}

// TestChecksAllocateNothing guards the promise that a call that passes its
// checks costs no allocation: the checks take plain ints, not ...any.
func TestChecksAllocateNothing(t *testing.T) {
	skipAllocCounts(t)
	x, y := make([]float32, 300), make([]float32, 300)
	labels := make([]int32, 10)
	allocs := testing.AllocsPerRun(10, func() {
		ReLU(y, x)
		BiasAdd(y, 30, 10, 30, x[:30])
		BiasGrad(x[:30], y, 30, 10, 30)
		Softmax(y, x, 10, 30)
		SoftmaxCrossEntropy(y, x, labels, 10, 30)
		Adam(x[:100], x[100:200], x[200:], nil, y[:100], adamDefaults)
		Adam(x[:60], x[60:120], x[120:180], x[180:240], y[:60], adamAMSGradL2)
		SGD(x[:100], x[100:200], y[:100], SGDOptions{LR: 0.1, Momentum: 0.9, Nesterov: true, WeightDecay: 1e-4})
	})
	if allocs != 0 {
		t.Errorf("checked calls allocated %v times per run, want 0", allocs)
	}
}

// adamDefaults and adamAMSGradL2 are Adam's options with PyTorch's defaults
// at step 3, without and with AMSGrad and weight decay.
var (
	adamDefaults  = AdamOptions{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 3}
	adamAMSGradL2 = AdamOptions{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-2, AMSGrad: true, Step: 3}
)

// TestOptionalState checks that SGD without momentum and Adam without
// AMSGrad neither read nor write the state they do not use, which may be
// nil or of any length.
func TestOptionalState(t *testing.T) {
	w, g := []float32{1, 2, 3}, []float32{1, 1, 1}
	nan := float32(math.NaN())
	v := []float32{nan, nan}
	SGD(w, v, g, SGDOptions{LR: 0.5})
	if w[0] != 0.5 || w[1] != 1.5 || w[2] != 2.5 || !isNaN(v[0]) || !isNaN(v[1]) {
		t.Errorf("SGD without momentum: w = %v, v = %v, want [0.5 1.5 2.5] and v untouched", w, v)
	}
	m, sq := make([]float32, 3), make([]float32, 3)
	Adam(w, m, sq, v, g, adamDefaults)
	if isNaN(w[0]) || !isNaN(v[0]) || !isNaN(v[1]) {
		t.Errorf("Adam without AMSGrad: w = %v, vmax = %v, want a number and vmax untouched", w, v)
	}
}
