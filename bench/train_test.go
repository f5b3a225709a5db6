package main

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/simdnn/simdnn/kernels"
	"github.com/simdnn/simdnn/nn"
)

// trainStepFLOPs is the work of one sample's training step of the
// 784→256→128→10 MLP: the forward product of every layer, the weight
// gradient of every layer, and the input gradient of the upper two (the
// first layer's is not needed), 2 FLOPs per multiply-add.
const trainStepFLOPs = 2 * (3*(784*256+256*128+128*10) - 784*256)

// BenchmarkTrainStep measures a training step (forward, softmax
// cross-entropy, backward, Adam update) of the MNIST MLP 784→256→128→10
// with ReLU, per batch size, on one goroutine and on GOMAXPROCS, in
// samples/s; on amd64 also as a fraction of the FMA peak of one core at
// the active implementation's width (peak-frac, for threads=1):
//
//	go test ./bench -run '^$' -bench TrainStep -cpu 2 -count 6 > t.txt
//	benchstat -col /threads t.txt
//
// SIMDNN_KERNELS=avx2 (or generic) measures another implementation.
func BenchmarkTrainStep(b *testing.B) {
	defer kernels.SetThreads(kernels.SetThreads(0))
	for _, batch := range []int{32, 64, 128, 256, 1024} {
		rng := rand.New(rand.NewPCG(5, 6))
		model, err := nn.NewSequential(
			nn.NewDense(784, 256, nn.He(rng)), nn.ReLU(),
			nn.NewDense(256, 128, nn.He(rng)), nn.ReLU(),
			nn.NewDense(128, 10, nn.Xavier(rng)),
		)
		if err != nil {
			b.Fatal(err)
		}
		data := nn.Data{X: nn.NewMatrix(batch, 784), Labels: make([]int32, batch)}
		for i := range data.X.Data {
			data.X.Data[i] = rng.Float32()
		}
		for i := range data.Labels {
			data.Labels[i] = int32(rng.IntN(10))
		}
		tr := &nn.Trainer{Model: model, Loss: nn.SoftmaxCrossEntropy{}, Optimizer: nn.NewAdam(1e-4)}
		for _, threads := range []int{1, 0} {
			name := fmt.Sprintf("batch=%d/threads=1", batch)
			if threads == 0 {
				name = fmt.Sprintf("batch=%d/threads=GOMAXPROCS", batch)
			}
			b.Run(name, func(b *testing.B) {
				kernels.SetThreads(threads)
				if _, err := tr.Step(data); err != nil { // size the buffers
					b.Fatal(err)
				}
				for b.Loop() {
					if _, err := tr.Step(data); err != nil {
						b.Fatal(err)
					}
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
