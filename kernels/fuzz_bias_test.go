package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdnn/simdnn/internal/harness"
)

// FuzzBias holds BiasAdd and BiasGrad, on every implementation, to their
// sweeps' references (bias_test.go: BiasAdd exactly rounded, BiasGrad
// within m·ε·Σᵢ|dY[i,j]|) and to the fallback (BiasAdd bit for bit,
// BiasGrad NaN for NaN), on fuzzed shapes up to m = 40 and n = 599 (past
// columnsBelow, where the SIMD levels switch from column blocks to rows),
// padded leading dimensions, offsets and values; C's and dY's padding
// holds canaries, which must neither change nor be read. Values beyond
// 1e30 are scaled down (tame), so that no column sum can overflow in one
// order and not another (TestBiasSpecials has those).
func FuzzBias(f *testing.F) {
	sp := harness.Specials()
	i := 0
	for _, m := range []int{0, 1, 2, 3, 5, 17, 40} {
		for _, n := range []int{0, 1, 7, 8, 15, 16, 17, 33, 64, 65, 511, 512, 513} {
			if m*n > 2000 && i%3 != 0 {
				i++
				continue // a few large shapes are enough
			}
			var data []byte
			if i%2 == 0 {
				// Specials at the first, a middle and the last
				// element of C and of dY.
				data = fuzzPatch([]int{0, m * n / 2, m*n + n - 1}, []float32{sp[i%len(sp)], sp[(i+5)%len(sp)], sp[(i+11)%len(sp)]})
			}
			f.Add(uint8(m), uint16(n), uint8(i), data)
			i++
		}
	}
	f.Fuzz(func(t *testing.T, m8 uint8, n16 uint16, layout uint8, data []byte) {
		m, n := int(m8)%41, int(n16)%600
		s := harness.Shape{M: m, N: n, LD: max(1, n) + int(layout&7)}
		trial := int(layout>>3) % harness.Offsets
		unit := func(r *rand.Rand, _ int) float32 { return harness.Uniform(r, -1, 1) }
		tame1 := func(_ int, v float32) float32 {
			if math.Abs(float64(v)) > 1e30 && !math.IsInf(float64(v), 0) {
				return v * 1e-10
			}
			return v
		}
		ops := fuzzOperands(data, uint64(m)<<16|uint64(n), unit, tame1, s.Len(), n)
		mat, vec := ops[0], ops[1]
		for x := range mat {
			if x%s.LD >= n {
				mat[x] = harness.Canary()
			}
		}
		db := make([]float32, n)
		for j := range db {
			db[j] = harness.Canary()
		}
		fuzzMatrix(t, biasAdd, s, [][]float32{mat, vec}, trial, true)
		fuzzMatrix(t, biasGrad, s, [][]float32{db, mat}, trial, false)
	})
}
