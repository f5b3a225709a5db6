//go:build !purego

package kernels

import (
	"github.com/klauspost/cpuid/v2"

	"github.com/simdnn/simdnn/asm"
)

// smallLevels returns the small-m kernels of the levels this CPU runs.
func smallLevels() []smallLevel {
	var ls []smallLevel
	if cpuid.CPU.Supports(asm.AVX2...) {
		ls = append(ls, smallLevel{"avx2", avx2Small})
	}
	if cpuid.CPU.Supports(asm.AVX512...) {
		ls = append(ls, smallLevel{"avx512", avx512Small})
	}
	return ls
}
