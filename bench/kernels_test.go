package main

import (
	"testing"

	"github.com/simdnn/simdnn/kernels"
)

// BenchmarkKernels measures every kernel on the implementation the kernels
// package chose, at 4K, 64K, 1M and 16M elements, and the row-wise ones on
// 256×1024 and 1024×10, each next to the baselines. Compare
// implementations with SIMDNN_KERNELS and benchstat:
//
//	SIMDNN_KERNELS=generic go test ./bench -run '^$' -bench Kernels -count 6 > generic.txt
//	go test ./bench -run '^$' -bench Kernels -count 6 > best.txt
//	benchstat generic.txt best.txt
//
// Every kernel runs on one goroutine, as the baselines do: Axpy and the
// optimizers would otherwise split long slices over GOMAXPROCS.
func BenchmarkKernels(b *testing.B) {
	defer kernels.SetThreads(kernels.SetThreads(1))
	for _, c := range cases(defaultSizes, nil, nil) {
		if c.unit != "elem/ns" {
			continue
		}
		b.Run("kernel="+c.name+"/size="+c.size, c.run)
	}
}
