package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/simdnn/simdnn/internal/instruments"
	"github.com/simdnn/simdnn/kernels"
)

// kernelCase is one kernel call to measure: f processes work elements
// (or, for Sgemm, performs work floating-point operations).
type kernelCase struct {
	name string
	size string  // the problem: elements ("65536"), rows×columns, or the Sgemm side
	unit string  // "elem/ns", "GFLOP/s", "ksamples/s", or "µs" (per call)
	work float64 // elements, or floating-point operations, per call (unused for µs)
	f    func()
	// gemms, when set, is the matrix products of f alone (a training
	// step's), timed in alternation with f so that the two figures
	// share the machine's conditions: the case then also reports f's
	// time over theirs, in stepGEMMsUnit.
	gemms func()
}

// baseline is the name of the bandwidth baseline: y = 2·x, one array in
// and one out, as every unary kernel streams them.
const baseline = "y = 2·x (baseline)"

// The names of the Sgemm baselines' rows.
const (
	gonumCase    = "Sgemm (gonum blas32)"
	openblasCase = "Sgemm (OpenBLAS, 1 thread)"
)

// The streaming baselines of the kernels that move other arrays than y =
// 2·x, in one generated loop with an addition per output
// (instruments.Set): one array in and none out, a streaming read, as
// SumSquares; two arrays in and a third out, as the derivatives and MSE's
// gradient; two in and one of them out, as Axpy; 3 in and 2 out in place,
// as SGDMomentum (w, v, g); 4 in and 3 out, as Adam (w, m, v, g). baseOf
// maps each kernel to the baseline its ×base column divides by, "" for
// none (AMSGrad's 5 in and 4 out has no stream of its own); the others use
// baseline.
const (
	stream10 = "stream 1 in, 0 out (baseline)"
	add21    = "stream 2 in, 1 new out (baseline)"
	stream21 = "stream 2 in, 1 out in place (baseline)"
	stream32 = "stream 3 in, 2 out in place (baseline)"
	stream43 = "stream 4 in, 3 out in place (baseline)"
)

var baseOf = map[string]string{
	"ReLUGrad": add21, "LeakyReLUGrad": add21, "TanhGrad": add21, "SigmoidGrad": add21, "MSE": add21,
	"SumSquares":  stream10,
	"Axpy":        stream21,
	"SGDMomentum": stream32, "SGDNesterovL2": stream32,
	"Adam": stream43, "AdamL2": stream43, "AdamW": stream43, "AdamAMSGrad": "",
}

// rowShapes are the rows × columns of the row-wise kernels: a softmax over
// 1024 classes, and a batch of 1024 rows of 10 classes (MNIST's output).
var rowShapes = [][2]int{{256, 1024}, {1024, 10}}

// cases returns every kernel as a call on each of the element counts
// sizes (BiasAdd and BiasGrad on rows of 1024), the row-wise kernels on
// rowShapes (with the baselines over as many elements), and Sgemm on
// gemm×gemm matrices, and the training step of the MNIST MLP at each batch
// size of trains. Inputs are random in [−4, 4), the range where the
// transcendentals do real work. The same list serves the table of go run
// ./bench and the Go benchmarks.
func cases(sizes, gemms, trains []int) []kernelCase {
	rng := rand.New(rand.NewPCG(1, 2))
	vec := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = 8*rng.Float32() - 4
		}
		return v
	}
	var cs []kernelCase
	for _, n := range sizes {
		cs = append(cs, elementwise(n, fmt.Sprint(n), vec)...)
	}
	for _, sh := range rowShapes {
		cs = append(cs, rowwise(sh[0], sh[1], vec)...)
	}
	for _, g := range gemms {
		ga, gb, gc := vec(g*g), vec(g*g), vec(g*g)
		flops := 2 * float64(g) * float64(g) * float64(g)
		cs = append(cs, kernelCase{name: "Sgemm", size: fmt.Sprint(g), unit: "GFLOP/s", work: flops, f: func() {
			kernels.Sgemm(false, false, g, g, g, 1, ga, g, gb, g, 0, gc, g)
		}})
		cs = append(cs, kernelCase{name: gonumCase, size: fmt.Sprint(g), unit: "GFLOP/s", work: flops, f: func() {
			gonumSgemm(false, false, g, g, g, ga, g, gb, g, gc, g)
		}})
		if openblasSgemm != nil {
			cs = append(cs, kernelCase{name: openblasCase, size: fmt.Sprint(g), unit: "GFLOP/s", work: flops, f: func() {
				openblasSgemm(false, false, g, g, g, ga, g, gb, g, gc, g)
			}})
		}
	}
	for _, opt := range trainOptimizers {
		for _, batch := range trains {
			// work is counted so that work per ns is thousands of
			// samples per second.
			step, gemms := newTrainStep(batch, opt.make())
			cs = append(cs, kernelCase{name: "TrainStep (784→256→128→10, " + opt.name + ")", size: fmt.Sprintf("batch %d", batch),
				unit: "ksamples/s", work: 1e6 * float64(batch), f: step, gemms: gemms})
		}
	}
	return cs
}

// selected returns the cases whose kernel name matches filter, the
// baselines of every size that keeps a case, and the read of the weights
// when a forward pass is kept.
func selected(cs []kernelCase, filter *regexp.Regexp) []kernelCase {
	if filter == nil {
		return cs
	}
	keep := map[string]bool{}
	for _, c := range cs {
		if filter.MatchString(c.name) {
			keep[c.size] = true
		}
	}
	var out []kernelCase
	for _, c := range cs {
		if filter.MatchString(c.name) || (keep[c.size] && (c.name == baseline || c.name == "copy")) ||
			isBaseOf(filter, c.name) && keep[c.size] ||
			c.name == readCase && (filter.MatchString(forwardCase) || filter.MatchString(predictCase)) {
			out = append(out, c)
		}
	}
	return out
}

// isBaseOf reports whether kernel is the baseline of a kernel filter
// selects.
func isBaseOf(filter *regexp.Regexp, kernel string) bool {
	for k, b := range baseOf {
		if b == kernel && filter.MatchString(k) {
			return true
		}
	}
	return false
}

// baselines returns the two streaming baselines over n elements: copy
// (memmove), and y = 2·x, which is LeakyReLU with slope 2 on negative
// inputs: the generated elementwise loop around one multiply, the speed a
// one-in one-out kernel can reach on the implementation.
func baselines(n int, size string, vec func(int) []float32) []kernelCase {
	x, neg, out := vec(n), make([]float32, n), make([]float32, n)
	for i, v := range x {
		neg[i] = -1 - v*v
	}
	fn := float64(n)
	return []kernelCase{
		{name: baseline, size: size, unit: "elem/ns", work: fn, f: func() { kernels.LeakyReLU(out, neg, 2) }},
		{name: "copy", size: size, unit: "elem/ns", work: fn, f: func() { copy(out, x) }},
	}
}

// elementwise returns the elementwise kernels on n elements.
func elementwise(n int, size string, vec func(int) []float32) []kernelCase {
	x, y, dy, out := vec(n), vec(n), vec(n), make([]float32, n)
	w, m, v, vmax := vec(n), make([]float32, n), make([]float32, n), make([]float32, n)
	// SGD's velocity is an array of its own: as Adam's second moment it
	// would be negative, and Adam's square roots NaN from then on, which
	// the divider may take faster than numbers.
	velocity := make([]float32, n)
	// The streams run over the optimizers' own arrays and add zeros, so
	// that the arrays keep their values however often they run.
	st := instruments.Active()
	zeros := make([]float32, n)
	rows, cols := max(n/1024, 1), min(n, 1024)
	rn := rows * cols
	bias := vec(cols)
	fn, fr := float64(n), float64(rn)
	step := 0
	el := func(name string, work float64, f func()) kernelCase {
		return kernelCase{name: name, size: size, unit: "elem/ns", work: work, f: f}
	}
	adam := func(name string, o kernels.AdamOptions) kernelCase {
		return adamCase(name, o, size, fn, w, m, v, vmax, dy, &step)
	}
	return append(baselines(n, size, vec),
		el(stream10, fn, func() { st.Read(x) }),
		el(add21, fn, func() { st.Add21(out, w, zeros) }),
		el(stream21, fn, func() { st.Stream21(w, zeros) }),
		el(stream32, fn, func() { st.Stream32(w, v, zeros) }),
		el(stream43, fn, func() { st.Stream43(w, m, v, zeros) }),
		el("ReLU", fn, func() { kernels.ReLU(out, x) }),
		el("ReLUGrad", fn, func() { kernels.ReLUGrad(out, x, dy) }),
		el("LeakyReLU", fn, func() { kernels.LeakyReLU(out, x, 0.01) }),
		el("LeakyReLUGrad", fn, func() { kernels.LeakyReLUGrad(out, x, dy, 0.01) }),
		el("Clamp", fn, func() { kernels.Clamp(out, x, -1, 1) }),
		el("Exp", fn, func() { kernels.Exp(out, x) }),
		el("Tanh", fn, func() { kernels.Tanh(out, x) }),
		el("TanhGrad", fn, func() { kernels.TanhGrad(out, y, dy) }),
		el("Sigmoid", fn, func() { kernels.Sigmoid(out, x) }),
		el("SigmoidGrad", fn, func() { kernels.SigmoidGrad(out, y, dy) }),
		el("BiasAdd", fr, func() { kernels.BiasAdd(out[:rn], cols, rows, cols, bias) }),
		el("BiasGrad", fr, func() { kernels.BiasGrad(bias, dy[:rn], cols, rows, cols) }),
		el("MSE", fn, func() { kernels.MSE(out, x, y) }),
		el("SumSquares", fn, func() { kernels.SumSquares(x) }),
		el("Axpy", fn, func() { kernels.Axpy(out, 1e-3, x) }),
		el("Scale", fn, func() { kernels.Scale(out, 0.999) }),
		el("SGDMomentum", fn, func() { kernels.SGD(w, velocity, dy, kernels.SGDOptions{LR: 1e-6, Momentum: 0.9}) }),
		el("SGDNesterovL2", fn, func() {
			kernels.SGD(w, velocity, dy, kernels.SGDOptions{LR: 1e-6, Momentum: 0.9, Nesterov: true, WeightDecay: 1e-2})
		}),
		adam("Adam", kernels.AdamOptions{}),
		adam("AdamL2", kernels.AdamOptions{WeightDecay: 1e-2}),
		adam("AdamW", kernels.AdamOptions{WeightDecay: 1e-2, Decoupled: true}),
		adam("AdamAMSGrad", kernels.AdamOptions{AMSGrad: true}),
	)
}

// adamCase returns the case called name: Adam with PyTorch's default
// betas and eps, a learning rate that keeps the weights in range however
// often it runs, and the options of o, on w, m, v (and vmax) and g.
func adamCase(name string, o kernels.AdamOptions, size string, work float64, w, m, v, vmax, g []float32, step *int) kernelCase {
	o.LR, o.Beta1, o.Beta2, o.Eps = 1e-6, 0.9, 0.999, 1e-8
	return kernelCase{name: name, size: size, unit: "elem/ns", work: work, f: func() {
		*step++
		o.Step = *step
		kernels.Adam(w, m, v, vmax, g, o)
	}}
}

// rowwise returns the row-wise kernels on rows×cols, after the baselines
// over as many elements.
func rowwise(rows, cols int, vec func(int) []float32) []kernelCase {
	n := rows * cols
	size := fmt.Sprintf("%d×%d", rows, cols)
	x, y, dy, out := vec(n), vec(n), vec(n), make([]float32, n)
	labels := make([]int32, rows)
	for i := range labels {
		labels[i] = int32(i * 7 % cols)
	}
	el := func(name string, f func()) kernelCase {
		return kernelCase{name: name, size: size, unit: "elem/ns", work: float64(n), f: f}
	}
	return append(baselines(n, size, vec),
		el("Softmax", func() { kernels.Softmax(out, x, rows, cols) }),
		el("SoftmaxGrad", func() { kernels.SoftmaxGrad(out, y, dy, rows, cols) }),
		el("LogSoftmax", func() { kernels.LogSoftmax(out, x, rows, cols) }),
		el("SoftmaxCrossEntropy", func() { kernels.SoftmaxCrossEntropy(out, x, labels, rows, cols) }),
	)
}

// run benchmarks c and reports its throughput: work per nanosecond, which
// is elements/ns, or GFLOP/s when the work is counted in FLOPs; or, for
// the unit µs, the time of one call.
// One call before the timer starts (b.Loop resets it) touches the output
// pages: at 16M elements their first-touch faults would otherwise be the
// whole measurement. A case with gemms reports f's figure from f's own
// time, and the ratio of that time to the products'.
func (c kernelCase) run(b *testing.B) {
	c.f()
	if c.gemms != nil {
		c.gemms()
		tf, tg := alternate(b, c.f, c.gemms)
		b.ReportMetric(c.work*float64(b.N)/float64(tf.Nanoseconds()), c.unit)
		b.ReportMetric(float64(tf)/float64(tg), stepGEMMsUnit)
		return
	}
	for b.Loop() {
		c.f()
	}
	if c.unit == "µs" {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e3/float64(b.N), c.unit)
		return
	}
	b.ReportMetric(c.work*float64(b.N)/float64(b.Elapsed().Nanoseconds()), c.unit)
}

// peakKernel names the FMA-peak result: GFLOP/s rows are divided by it.
// sqrtDivKernel names Adam's bound, one square root and one division per
// element (sqrtDivPeak): Adam's rows are divided by it too.
const (
	peakKernel    = "FMA peak (one core)"
	sqrtDivKernel = "√ and ÷ per element, Adam's bound (one core)"
)

// measure benchmarks the selected kernels on the active implementation and
// writes to w, as JSON lines, first the number of results to come, then
// one result per kernel and size (and, for a case with gemms, a second
// one in stepGEMMsUnit), the FMA peak of the implementation's
// vector width, and, when Adam is among the kernels, its bound (0 where
// there is no instrument).
func measure(w io.Writer, sizes, gemms, trains, infers []int, filter *regexp.Regexp) {
	enc := json.NewEncoder(w)
	cs := selected(append(cases(sizes, gemms, trains), inferCases(infers)...), filter)
	adam := slices.ContainsFunc(cs, func(c kernelCase) bool { return strings.HasPrefix(c.name, "Adam") })
	total := len(cs) + 1
	if adam {
		total++
	}
	for _, c := range cs {
		if c.gemms != nil {
			total++
		}
	}
	enc.Encode(result{Impl: kernels.Impl(), Total: total})
	for _, c := range cs {
		r := testing.Benchmark(c.run)
		enc.Encode(result{Impl: kernels.Impl(), Kernel: c.name, Size: c.size, Value: r.Extra[c.unit], Unit: c.unit})
		if c.gemms != nil {
			enc.Encode(result{Impl: kernels.Impl(), Kernel: c.name, Size: c.size, Value: r.Extra[stepGEMMsUnit], Unit: stepGEMMsUnit})
		}
	}
	// The generic implementation has no peaks (0): its rows say – rather
	// than a figure of 0.
	if p := fmaPeak(); p > 0 {
		enc.Encode(result{Impl: kernels.Impl(), Kernel: peakKernel, Size: "–", Value: p, Unit: "GFLOP/s"})
	}
	if adam {
		if p := sqrtDivPeak(); p > 0 {
			enc.Encode(result{Impl: kernels.Impl(), Kernel: sqrtDivKernel, Size: "–", Value: p, Unit: "elem/ns"})
		}
	}
}
