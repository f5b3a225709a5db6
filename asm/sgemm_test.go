//go:build !purego && (amd64 || arm64)

package asm

import (
	"math"
	"testing"

	"github.com/simdnn/simdnn/internal/harness"
)

// The helpers of the GEMM kernels' tests on both architectures.

// The epilogue's flags, as the kernels' doc comments define them.
const (
	epAdd   = 1 << iota // add the tile of C
	epBias              // add bias[j] to column j
	epReLU              // max(x, 0)
	epLeaky             // slope·x where x < 0
)

// epilogues are the flag sets tested with every kc and ldc, with the
// slope each is called with: each step alone and the combinations the
// driver uses (intermediate k blocks add; the last adds the bias and
// applies the activation).
var epilogues = []struct {
	flags uint
	slope float32
}{
	{0, 0}, {epAdd, 0}, {epBias, 0}, {epReLU, 0}, {epLeaky, 0.01},
	{epAdd | epBias | epReLU, 0}, {epAdd | epBias | epLeaky, -2.5}, {epBias | epLeaky, 0.2},
}

// nanGuarded returns n NaNs flush against a guard page, after them for
// calls 0 and 1 of every four, before them for calls 2 and 3.
func nanGuarded(t *testing.T, n, call int) []float32 {
	s := gemmGuarded(t, n, call%4 < 2)
	for x := range s {
		s[x] = float32(math.NaN())
	}
	return s
}

// gemmGuarded returns n float32 flush against a guard page after them or
// before them.
func gemmGuarded(t *testing.T, n int, after bool) []float32 {
	if after {
		return harness.GuardAfter(t, n)
	}
	return harness.GuardBefore(t, n)
}
