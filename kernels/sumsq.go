package kernels

import "github.com/simdnn/simdnn/fallback"

// sumSquaresBlock is SumSquares' block length, the same on every
// implementation.
const sumSquaresBlock = fallback.SumSquaresBlock

// SumSquares returns Σ x[i]², the squared Euclidean norm of x, for
// gradient norms and finiteness checks. x is cut into blocks of 1024
// elements (the last may be shorter); the squares of each block are summed
// in float32 in SIMD lanes, and the blocks' sums are added in float64 in
// block order. An empty x gives 0.
//
// Accuracy: on every implementation the result is within
// 2⁻¹⁸·S + len(x)·(2⁻⁶³·S + 2⁻¹⁵⁰) of the exact sum S: each square
// meets at most 46 float32 roundings within its block (2.7e-6 relative;
// the float64 sums add 2⁻⁶³ per element, which matters only past 2⁴⁰
// elements), and squares below the float32 range lose at most 2⁻¹⁵⁰
// each. The error does not grow with len(x). The implementations order
// a block's additions by their own lanes, so they agree within that
// bound, not bit for bit.
//
// Overflow: a block's float32 sum is +Inf once it passes the float32
// range (3.4e38: one element of magnitude 1.9e19, or a block of 5.8e17),
// and then so is the result; the float64 total of finite block sums
// stays finite.
//
// Non-finite elements: a NaN in x makes the result NaN; otherwise a ±Inf
// makes it +Inf. So the result is finite exactly when every element is
// (and no block overflows), and it bounds every element:
// x[i]² ≤ SumSquares(x)·(1 + 2⁻¹⁶) + len(x)·2⁻¹⁴⁹ for len(x) < 2⁴⁰.
//
// Long slices are split over goroutines on whole blocks, as Adam's
// updates are (SetThreads); the blocks' sums are then added in block
// order all the same, so the result is the same bits however the slice
// is split.
func SumSquares(x []float32) float64 {
	raceRead(x)
	if s, ok := splitSumSquares(x); ok {
		return s
	}
	return active.sumSquares(x, sumSquaresBlock, nil)
}
