//go:build !purego

package kernels

import (
	"testing"

	"github.com/klauspost/cpuid/v2"

	"github.com/simdnn/simdnn/asm"
)

// smallLevels returns the small-m kernels of the levels this CPU runs.
func smallLevels() []smallLevel {
	if !cpuid.CPU.Supports(asm.NEON...) {
		return nil
	}
	return []smallLevel{{"neon", neonSmall}}
}

// TestSgemmPickNEON checks which path NEON's Sgemm takes: the small-m
// path (its tile smallMaxM×smallSplitNR) for every product of at most
// smallMaxM rows with op(A) = A, any n, and k ≥ minKT with op(B) = Bᵀ;
// the packed one (8×12) for the others.
func TestSgemmPickNEON(t *testing.T) {
	p := neonPaths()
	for _, c := range []struct {
		transA, transB bool
		m, n, k        int
		small          bool
	}{
		{false, false, 1, 256, 784, true},
		{false, true, 1, 256, 784, true},
		{false, false, 16, 1, 1, true},
		{false, false, 16, 3, 784, true},
		{false, true, 16, 10, 784, true},
		{false, true, 5, 100, neonSmall.minKT, true},
		{false, true, 5, 100, neonSmall.minKT - 1, false},
		{false, false, 5, 100, 3, true},
		{false, false, 17, 256, 784, false},
		{false, true, 17, 256, 784, false},
		{true, false, 1, 256, 784, false},
		{true, true, 16, 256, 784, false},
	} {
		_, mr, nr := p.pick(c.transA, c.transB, c.m, c.n, c.k)
		small := mr == smallMaxM && nr == smallSplitNR
		if small != c.small || !small && (mr != neonGemm.mr || nr != neonGemm.nr) {
			t.Errorf("%+v: tile %d×%d, want the small-m path = %v", c, mr, nr, c.small)
		}
	}
}
