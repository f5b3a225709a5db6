package main

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/simdnn/simdnn/kernels"
	"github.com/simdnn/simdnn/nn"
)

// BenchmarkTrainStep measures a training step (forward, softmax
// cross-entropy, backward, and an SGD or Adam update) of the MNIST MLP
// 784→256→128→10 with ReLU (newTrainStep), per optimizer and batch size,
// on one goroutine and on
// GOMAXPROCS, in samples/s; on amd64 and arm64 also as a fraction of the
// FMA peak of one core at the active implementation's width (peak-frac,
// for threads=1):
//
//	go test ./bench -run '^$' -bench TrainStep -cpu 2 -count 6 > t.txt
//	benchstat -col /threads t.txt
//
// SIMDNN_KERNELS=avx2 (or generic) measures another implementation.
func BenchmarkTrainStep(b *testing.B) {
	trainCases(b, func(b *testing.B, batch, threads int, opt nn.Optimizer) {
		step, _ := newTrainStep(batch, opt)
		for b.Loop() {
			step()
		}
		sps := float64(batch) * float64(b.N) / b.Elapsed().Seconds()
		b.ReportMetric(sps, "samples/s")
		if peak := peakGFLOPS(); peak > 0 && threads == 1 {
			b.ReportMetric(sps*trainStepFLOPs/1e9/peak, "peak-frac")
		}
	})
}

// BenchmarkTrainStepGEMMs measures what a training step costs beyond its
// matrix products: for the cases of BenchmarkTrainStep, each iteration
// runs the step and then the same products alone (newStepGEMMs: the
// calls nn's Dense layers make, with their shapes, transposes and fused
// epilogues, on buffers of the step's sizes), or the other way round,
// timing each, as nn's BenchmarkGuard does, so that the machine's drift
// touches both alike. It reports step-µs and gemms-µs per step, and
// step/gemms, their ratio: 1 would be a step whose loss, derivatives,
// bias gradients and update cost nothing. ns/op is the two together.
// Alternation evens out drift, not contention: with threads=GOMAXPROCS
// the step's update kernels split over the cores too, and wait for a core
// that other work holds far more often than the few large products do,
// so the ratio is meaningful on an otherwise idle machine only.
//
//	go test ./bench -run '^$' -bench TrainStepGEMMs -cpu 2 -benchtime 200ms -count 3 > g.txt
//	benchstat -col /threads g.txt
func BenchmarkTrainStepGEMMs(b *testing.B) {
	trainCases(b, func(b *testing.B, batch, _ int, opt nn.Optimizer) {
		step, gemms := newTrainStep(batch, opt)
		ts, tg := alternate(b, step, gemms)
		n := float64(b.N)
		b.ReportMetric(float64(ts.Nanoseconds())/n/1e3, "step-µs")
		b.ReportMetric(float64(tg.Nanoseconds())/n/1e3, "gemms-µs")
		b.ReportMetric(float64(ts)/float64(tg), stepGEMMsUnit)
	})
}

// trainCases runs f as one sub-benchmark per optimizer, batch size and
// thread count (1, and 0 for GOMAXPROCS, as kernels.SetThreads takes
// them), with the threads set, so that the training benchmarks share
// their cases and names.
func trainCases(b *testing.B, f func(b *testing.B, batch, threads int, opt nn.Optimizer)) {
	defer kernels.SetThreads(kernels.SetThreads(0))
	for _, opt := range trainOptimizers {
		for _, batch := range []int{32, 64, 128, 256, 1024} {
			for _, threads := range []int{1, 0} {
				tn := "1"
				if threads == 0 {
					tn = "GOMAXPROCS"
				}
				b.Run(fmt.Sprintf("opt=%s/batch=%d/threads=%s", opt.name, batch, tn), func(b *testing.B) {
					kernels.SetThreads(threads)
					f(b, batch, threads, opt.make())
				})
			}
		}
	}
}

// The products of BenchmarkTrainStepGEMMs are those of the step: run on
// the traced step's inputs, every call gives bit for bit the output or
// gradient that nn computed (the same kernel on the same shapes and
// numbers), and together they do the flops of the step's analytic count,
// 2·rows·Σ in·out for the forward pass and as much for the weight
// gradients, plus the input gradients of all layers but the first. A
// product nn adds, drops, or reshapes fails one of the two.
func TestStepGEMMs(t *testing.T) {
	for _, batch := range []int{1, 17, 64} {
		model, data := trainSetup(batch)
		calls := newStepGEMMs(traceStep(model, nn.SoftmaxCrossEntropy{}, data), data)
		var flops float64
		kinds := map[string]int{}
		for i := range calls {
			g := &calls[i]
			flops += g.flops()
			kinds[strings.Fields(g.name)[0]]++
			for j := range g.c {
				g.c[j] = float32(math.NaN()) // beta = 0 must overwrite
			}
		}
		runAll(calls)
		for _, g := range calls {
			if len(g.c) != len(g.want) {
				t.Fatalf("batch %d, %s: %d elements, nn's has %d", batch, g.name, len(g.c), len(g.want))
			}
			for j := range g.c {
				if math.Float32bits(g.c[j]) != math.Float32bits(g.want[j]) {
					t.Errorf("batch %d, %s: element %d = %g, nn computed %g", batch, g.name, j, g.c[j], g.want[j])
					break
				}
			}
		}
		if want := float64(batch) * trainStepFLOPs; flops != want {
			t.Errorf("batch %d: the products do %g flops, the step %g", batch, flops, want)
		}
		if kinds["forward"] != 3 || kinds["dW"] != 3 || kinds["dX"] != 2 {
			t.Errorf("batch %d: %v products, want 3 forward, 3 dW and 2 dX", batch, kinds)
		}
	}
}
