package main

import (
	"testing"
)

// BenchmarkKernels measures every kernel on the implementation the kernels
// package chose, at 4K, 64K, 1M and 16M elements, and the row-wise ones on
// 256×1024 and 1024×10, each next to the baselines. Compare
// implementations with SIMDNN_KERNELS and benchstat:
//
//	SIMDNN_KERNELS=generic go test ./bench -run '^$' -bench Kernels -count 6 > generic.txt
//	go test ./bench -run '^$' -bench Kernels -count 6 > best.txt
//	benchstat generic.txt best.txt
func BenchmarkKernels(b *testing.B) {
	for _, c := range cases(defaultSizes, nil, nil) {
		if c.unit != "elem/ns" {
			continue
		}
		b.Run("kernel="+c.name+"/size="+c.size, c.run)
	}
}
