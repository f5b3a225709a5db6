package main

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/simdnn/simdnn/internal/instruments"
	"github.com/simdnn/simdnn/kernels"
)

// BenchmarkSgemmSmallM measures simdnn's Sgemm on the MNIST model's first
// layer (k = 784, n = 256) for every batch from 1 to 17, with the weights
// stored [in × out] (layout=XW, op(B) = B) and [out × in] (layout=XWT,
// op(B) = Bᵀ, nn's), so that the promise that a product with fewer rows
// is never slower than the same product with more can be read off one
// run: the ns/op of m=1 … m=17 should not decrease, the boundary to the
// larger-m paths (16 → 17) included. The shapes of one m run one after
// the other, so a change in the machine's load biases neither layout.
//
//	go test ./bench -run '^$' -bench SgemmSmallM -cpu 1 -count 4
func BenchmarkSgemmSmallM(b *testing.B) {
	const k, n = 784, 256
	rng := rand.New(rand.NewPCG(5, 6))
	a, w, c := sgemmRand(rng, 17*k), sgemmRand(rng, k*n), make([]float32, 17*n)
	for m := 1; m <= 17; m++ {
		for _, transB := range []bool{false, true} {
			layout := "XW"
			if transB {
				layout = "XWT"
			}
			s := sgemmShape{m: m, k: k, n: n, transB: transB}
			b.Run(fmt.Sprintf("m=%d/layout=%s", m, layout), func(b *testing.B) {
				sgemmImpls[0].gemm(s, a, w, c)
				for b.Loop() {
					sgemmImpls[0].gemm(s, a, w, c)
				}
				b.ReportMetric(2*float64(m*n*k)*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "GFLOP/s")
			})
		}
	}
}

// mnistLayers are the MNIST model's layers, inputs and outputs.
var mnistLayers = [][2]int{{784, 256}, {256, 128}, {128, 10}}

// BenchmarkForward measures the forward pass of the MNIST model
// 784→256→128→10 (ReLU, ReLU, identity; the logits) at batch 1, 4 and 16
// with kernels.SgemmBiasAct, the weights stored [out × in] as nn stores
// them (layout=XWT) or [in × out] (layout=XW), next to read=weights: one
// streaming read of the same 940 KB of weights (instruments.Set.Read at
// the active implementation's width), the least time an inference that
// reads every weight once can take. The ratio of the two, read in the
// same run, is how close batch-1 inference comes to the memory's speed.
//
//	go test ./bench -run '^$' -bench Forward -cpu 1 -count 4
func BenchmarkForward(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	var ws, bs [][]float32
	total := 0
	for _, l := range mnistLayers {
		ws = append(ws, sgemmRand(rng, l[0]*l[1]))
		bs = append(bs, sgemmRand(rng, l[1]))
		total += l[0]*l[1] + l[1]
	}
	all := make([]float32, 0, total)
	for i := range ws {
		all = append(append(all, ws[i]...), bs[i]...)
	}
	read := instruments.Active().Read
	b.Run("read=weights", func(b *testing.B) {
		read(all)
		for b.Loop() {
			read(all)
		}
		b.ReportMetric(float64(4*len(all))*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "GB/s")
	})
	acts := []kernels.Activation{kernels.ActReLU, kernels.ActReLU, kernels.ActIdentity}
	for _, batch := range []int{1, 4, 16} {
		x := sgemmRand(rng, batch*784)
		h := [][]float32{make([]float32, batch*256), make([]float32, batch*128), make([]float32, batch*10)}
		for _, transB := range []bool{false, true} {
			layout := "XW"
			if transB {
				layout = "XWT"
			}
			forward := func() {
				in := x
				for i, l := range mnistLayers {
					ldb := l[1]
					if transB {
						ldb = l[0]
					}
					kernels.SgemmBiasAct(false, transB, batch, l[1], l[0], 1, in, l[0], ws[i], ldb, 0, h[i], l[1], bs[i], acts[i])
					in = h[i]
				}
			}
			b.Run(fmt.Sprintf("batch=%d/layout=%s", batch, layout), func(b *testing.B) {
				forward()
				for b.Loop() {
					forward()
				}
				b.ReportMetric(float64(4*len(all))*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "GB/s")
			})
		}
	}
}
