package fallback

// SumSquaresBlock is the block length of kernels.SumSquares, the same on
// every implementation: the squares of a block are summed in float32, the
// blocks' sums in float64. 1024 keeps a block's float32 sum
// within 46 roundings of each square on every implementation
// (kernels.SumSquares states the bound), and the end of a block, a
// horizontal reduction, a small part of the time a streaming read of it
// takes.
const SumSquaresBlock = 1024

// sumSquaresChunk is how many elements the eight accumulators of
// blockSumSquares take before they are added up: 32 squares each, so
// that a block's sum rounds as few times as the vector kernels' do.
const sumSquaresChunk = 256

// SumSquaresBlocks returns the sum in float64, in block order, of the
// float32 sums of squares of the blocks of x: x[0:block],
// x[block:2·block], ..., the last holding what is left. When sums is not
// empty it also sets sums[i] to block i's sum, and must hold one per
// block. block ≥ 1. It is the generic kernel of kernels.SumSquares, which
// calls it with SumSquaresBlock, with the contract of the generated ones
// (asm.SumSquaresAVX2 and its twins).
func SumSquaresBlocks(x []float32, block int, sums []float32) float64 {
	var total float64
	for i := 0; len(x) > 0; i++ {
		b := x[:min(block, len(x))]
		x = x[len(b):]
		s := blockSumSquares(b)
		if len(sums) > 0 {
			sums[i] = s
		}
		total += float64(s)
	}
	return total
}

// blockSumSquares returns Σ x[i]² in float32: each chunk of
// sumSquaresChunk elements into eight independent accumulators (so that
// the loop is bound by loads, not by the latency of one chain of
// additions), the last len mod 8 into the first, the eight added
// pairwise, and the chunks' sums added in order.
func blockSumSquares(x []float32) float32 {
	var sum float32
	for len(x) > 0 {
		c := x[:min(sumSquaresChunk, len(x))]
		x = x[len(c):]
		var a0, a1, a2, a3, a4, a5, a6, a7 float32
		for ; len(c) >= 8; c = c[8:] {
			a0 += c[0] * c[0]
			a1 += c[1] * c[1]
			a2 += c[2] * c[2]
			a3 += c[3] * c[3]
			a4 += c[4] * c[4]
			a5 += c[5] * c[5]
			a6 += c[6] * c[6]
			a7 += c[7] * c[7]
		}
		for _, v := range c {
			a0 += v * v
		}
		sum += ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7))
	}
	return sum
}
