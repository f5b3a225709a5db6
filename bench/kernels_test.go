package main

import (
	"fmt"
	"testing"
)

// BenchmarkKernels measures every kernel on the implementation the kernels
// package chose, at 4K, 64K and 1M elements. Compare implementations with
// SIMDNN_KERNELS and benchstat:
//
//	SIMDNN_KERNELS=generic go test ./bench -run '^$' -bench Kernels -count 6 > generic.txt
//	go test ./bench -run '^$' -bench Kernels -count 6 > best.txt
//	benchstat generic.txt best.txt
func BenchmarkKernels(b *testing.B) {
	for _, n := range []int{1 << 12, 1 << 16, 1 << 20} {
		for _, c := range cases(n, 256) {
			if c.unit != "elem/ns" {
				continue
			}
			b.Run(fmt.Sprintf("kernel=%s/n=%d", c.name, n), c.run)
		}
	}
}
