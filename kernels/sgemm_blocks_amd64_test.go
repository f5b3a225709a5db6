//go:build !purego

package kernels

import (
	"github.com/klauspost/cpuid/v2"

	"github.com/simdnn/simdnn/asm"
)

// blocksTestImpls returns the AVX-512 packed algorithm with the block
// sizes blocksForCaches gives the other vendor's CPUs (its comment's
// table), so that the GEMM tests run the blocking tuned for an Intel CPU
// on an AMD one and the reverse: only the packed path, where the blocks
// matter, and only for the sizes that differ from this CPU's.
func blocksTestImpls() []*impl {
	if !cpuid.CPU.Supports(asm.AVX512...) {
		return nil
	}
	var out []*impl
	for _, c := range []struct {
		name       string
		l1, l2, l3 int
	}{
		{"zen4", 32 << 10, 1 << 20, 32 << 20},
		{"sapphire-rapids", 48 << 10, 2 << 20, 105 << 20},
	} {
		bs := blocksForCaches(avx512Gemm.mr, avx512Gemm.nr, c.l1, c.l2, c.l3)
		if bs == blocksFor(avx512Gemm.mr, avx512Gemm.nr) {
			continue
		}
		im := generic
		im.name = "blocked-avx512-" + c.name + "-blocks"
		g := newBlockedGemm(avx512Gemm, avx2Packers)
		g.bs = bs
		im.sgemm = parallelSgemm(one(g.sgemm, avx512Gemm.mr, avx512Gemm.nr))
		out = append(out, &im)
	}
	return out
}
