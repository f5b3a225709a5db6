//go:build !purego

package main

import (
	"github.com/simdnn/simdnn/asm"
	"github.com/simdnn/simdnn/kernels"
)

// streamInstruments returns the streaming baselines of several arrays for
// the active implementation: the generated instruments of its vector
// width (asm.Add21*, Stream21*, Stream32*, Stream43*), or Go loops for generic.
func streamInstruments() streams {
	switch kernels.Impl() {
	case "avx512":
		return streams{asm.Add21AVX512, asm.Stream21AVX512, asm.Stream32AVX512, asm.Stream43AVX512}
	case "avx2":
		return streams{asm.Add21AVX2, asm.Stream21AVX2, asm.Stream32AVX2, asm.Stream43AVX2}
	}
	return goStreams()
}
