package main

import (
	"encoding/json"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/simdnn/simdnn/kernels"
)

// kernelCase is one kernel call to measure: f processes elems elements
// (or, for Sgemm, performs flops floating-point operations).
type kernelCase struct {
	name string
	unit string  // "elem/ns" or "GFLOP/s"
	work float64 // elements, or floating-point operations, per call
	f    func()
}

// cases returns every kernel as a call on n elements (row-wise kernels on
// n/1024 rows of 1024) and Sgemm on gemm×gemm matrices, with random inputs
// in [−4, 4), the range where the transcendentals do real work. The same
// list serves the table of go run ./bench and the Go benchmarks.
func cases(n, gemm int) []kernelCase {
	rng := rand.New(rand.NewPCG(1, 2))
	vec := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = 8*rng.Float32() - 4
		}
		return v
	}
	x, y, dy, out := vec(n), vec(n), vec(n), make([]float32, n)
	w, m, v := vec(n), make([]float32, n), make([]float32, n)
	rows, cols := n/1024, 1024
	rn := rows * cols
	labels := make([]int32, rows)
	for i := range labels {
		labels[i] = int32(rng.IntN(cols))
	}
	bias := vec(cols)
	ga, gb, gc := vec(gemm*gemm), vec(gemm*gemm), vec(gemm*gemm)
	fn, fr := float64(n), float64(rn)
	step := 0
	el := func(name string, work float64, f func()) kernelCase {
		return kernelCase{name: name, unit: "elem/ns", work: work, f: f}
	}
	return []kernelCase{
		// The copy is the bandwidth baseline the elementwise kernels are held to.
		el("copy (baseline)", fn, func() { copy(out, x) }),
		el("ReLU", fn, func() { kernels.ReLU(out, x) }),
		el("ReLUGrad", fn, func() { kernels.ReLUGrad(out, x, dy) }),
		el("LeakyReLU", fn, func() { kernels.LeakyReLU(out, x, 0.01) }),
		el("LeakyReLUGrad", fn, func() { kernels.LeakyReLUGrad(out, x, dy, 0.01) }),
		el("Exp", fn, func() { kernels.Exp(out, x) }),
		el("Tanh", fn, func() { kernels.Tanh(out, x) }),
		el("TanhGrad", fn, func() { kernels.TanhGrad(out, y, dy) }),
		el("Sigmoid", fn, func() { kernels.Sigmoid(out, x) }),
		el("SigmoidGrad", fn, func() { kernels.SigmoidGrad(out, y, dy) }),
		el("BiasAdd", fr, func() { kernels.BiasAdd(out[:rn], cols, rows, cols, bias) }),
		el("BiasGrad", fr, func() { kernels.BiasGrad(bias, dy[:rn], cols, rows, cols) }),
		el("Softmax", fr, func() { kernels.Softmax(out[:rn], x[:rn], rows, cols) }),
		el("SoftmaxGrad", fr, func() { kernels.SoftmaxGrad(out[:rn], y[:rn], dy[:rn], rows, cols) }),
		el("LogSoftmax", fr, func() { kernels.LogSoftmax(out[:rn], x[:rn], rows, cols) }),
		el("SoftmaxCrossEntropy", fr, func() { kernels.SoftmaxCrossEntropy(out[:rn], x[:rn], labels, rows, cols) }),
		el("MSE", fn, func() { kernels.MSE(out, x, y) }),
		el("Axpy", fn, func() { kernels.Axpy(out, 1e-3, x) }),
		el("Scale", fn, func() { kernels.Scale(out, 0.999) }),
		el("SGDMomentum", fn, func() { kernels.SGDMomentum(w, v, dy, 1e-6, 0.9) }),
		el("Adam", fn, func() {
			step++
			kernels.Adam(w, m, v, dy, 1e-6, 0.9, 0.999, 1e-8, step)
		}),
		{name: "Sgemm", unit: "GFLOP/s", work: 2 * float64(gemm) * float64(gemm) * float64(gemm), f: func() {
			kernels.Sgemm(false, false, gemm, gemm, gemm, 1, ga, gemm, gb, gemm, 0, gc, gemm)
		}},
	}
}

// run benchmarks c and reports its throughput: work per nanosecond, which
// is elements/ns, or GFLOP/s when the work is counted in FLOPs.
func (c kernelCase) run(b *testing.B) {
	for b.Loop() {
		c.f()
	}
	b.ReportMetric(c.work*float64(b.N)/float64(b.Elapsed().Nanoseconds()), c.unit)
}

// measure benchmarks every kernel on the active implementation and writes
// one JSON result per kernel to w.
func measure(w io.Writer, n, gemm int) {
	enc := json.NewEncoder(w)
	for _, c := range cases(n, gemm) {
		r := testing.Benchmark(c.run)
		enc.Encode(result{Impl: kernels.Impl(), Kernel: c.name, Value: r.Extra[c.unit], Unit: c.unit})
	}
}
