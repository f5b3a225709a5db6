//go:build !purego

package asm

import "testing"

func TestClamp(t *testing.T) {
	fns := map[string]func(dst, x []float32, lo, hi float32){"avx2": ClampAVX2, "avx512": ClampAVX512}
	forEachLevel(t, func(t *testing.T, l level) { testClamp(t, fns[l.name]) })
}
