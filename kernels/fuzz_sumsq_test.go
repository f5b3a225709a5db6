package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdnn/simdnn/internal/harness"
)

// FuzzSumSquares holds SumSquares, on every implementation, to its bound
// against the float64 reference (checkSumSquares), to NaN where x holds
// a NaN and +Inf where it holds an infinity and no NaN, and to the
// fallback: within twice the bound of its result, and NaN or infinite
// exactly where it is. Lengths run to three blocks, at fuzzed offsets;
// the values start as ordinary ones, scaled by 2^(scale/4), and are patched
// with any the fuzzer finds (fuzzOperands), their magnitude capped at
// 2⁴⁰ so that no block's float32 sum can pass FLT_MAX in one order and
// not another (TestSumSquaresOverflow has those).
func FuzzSumSquares(f *testing.F) {
	sp := harness.Specials()
	for i, n := range []int{0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 1023, 1024, 1025, 2049, 3072} {
		var data []byte
		if i%2 == 1 {
			// Specials at the first, a middle and the last element.
			data = fuzzPatch([]int{0, n / 2, n - 1}, []float32{sp[i%len(sp)], sp[(i+5)%len(sp)], sp[(i+11)%len(sp)]})
		}
		f.Add(uint16(n), uint8(i), int8(i%3*100-100), data)
	}
	f.Fuzz(func(t *testing.T, n16 uint16, trial uint8, scale int8, data []byte) {
		n := int(n16) % (3*sumSquaresBlock + 1)
		e := int(scale) / 4 // at most 2³¹, before NormFloat64's factor
		gen := func(r *rand.Rand, _ int) float32 { return float32(math.Ldexp(r.NormFloat64(), e)) }
		capped := func(_ int, v float32) float32 { return tameExp(v, -150, 40) }
		x := fuzzOperands(data, uint64(n16)<<8|uint64(trial), gen, capped, n)[0]
		var nan, inf bool
		for _, v := range x {
			nan = nan || isNaN(v)
			inf = inf || math.IsInf(float64(v), 0)
		}
		p := harness.Place(x, int(trial)%harness.Offsets)
		var want float64
		onFallback(func() { want = SumSquares(p.S) })
		forEachImpl(t, func(t *testing.T) {
			got := SumSquares(p.S)
			switch {
			case nan && !math.IsNaN(got):
				t.Fatalf("n=%d holding a NaN: SumSquares = %g", n, got)
			case !nan && inf && !math.IsInf(got, 1):
				t.Fatalf("n=%d holding an infinity: SumSquares = %g", n, got)
			case !nan && !inf:
				checkSumSquares(&harness.Errs{T: t}, "fuzzed", x, got)
			}
			if math.IsNaN(got) != math.IsNaN(want) || math.IsInf(got, 0) != math.IsInf(want, 0) {
				t.Fatalf("n=%d: SumSquares = %g on %s, %g on the fallback", n, got, Impl(), want)
			}
			if tol := 2 * sumSquaresTol(n, harness.SumSquares(x)); !nan && !inf && !(math.Abs(got-want) <= tol) {
				t.Fatalf("n=%d: SumSquares = %g on %s, %g on the fallback: more than %g apart", n, got, Impl(), want, tol)
			}
		})
	})
}
