package main

import (
	"testing"

	"github.com/mmcloughlin/avo/ir"
)

// TestCheckISA holds each function to its level's extensions: the check
// that keeps a VL, BW or DQ form out of the avx512 level, and any AVX-512
// form out of avx2.
func TestCheckISA(t *testing.T) {
	for _, c := range []struct {
		name string
		isa  []string
		ok   bool
	}{
		{"ReLUAVX2", []string{"AVX", "AVX2", "FMA3", "MMX+"}, true},
		{"ReLUAVX512", []string{"AVX", "AVX512F"}, true},
		{"ReLUAVX2", []string{"AVX", "AVX512F"}, false},
		{"ReLUAVX2", []string{"AVX", "AVX512VL"}, false},
		{"ReLUAVX512", []string{"AVX512F", "AVX512DQ"}, false},
		{"ReLUAVX512", []string{"AVX512F", "AVX512BW"}, false},
		{"ReLU", []string{"AVX"}, false},
	} {
		fn := ir.NewFunction(c.name)
		fn.ISA = c.isa
		if err := checkISA(fn); (err == nil) != c.ok {
			t.Errorf("checkISA(%s needing %v) = %v, want ok = %v", c.name, c.isa, err, c.ok)
		}
	}
}
