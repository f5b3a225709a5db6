package main

import (
	"fmt"
	"testing"

	"github.com/simdnn/simdnn/kernels"
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
					step := newTrainStep(batch, opt.make())
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
		}
	}
}
