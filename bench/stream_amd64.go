//go:build !purego

package main

import (
	"github.com/simdnn/simdnn/asm"
	"github.com/simdnn/simdnn/kernels"
)

// optimStreams returns the streaming baselines of the optimizer updates
// for the active implementation: the generated instruments of its vector
// width (asm.Stream32*, asm.Stream43*), or Go loops for generic.
func optimStreams() (s32 func(w, v, g []float32), s43 func(w, m, v, g []float32)) {
	switch kernels.Impl() {
	case "avx512":
		return asm.Stream32AVX512, asm.Stream43AVX512
	case "avx2":
		return asm.Stream32AVX2, asm.Stream43AVX2
	}
	return goStreams()
}
