package harness

// Lengths returns the lengths every elementwise kernel is tested at: 0 to
// 4W+3 for the vector widths W = 4, 8 and 16 (so 0..67, which crosses the
// full-vector and tail boundaries and those of loops unrolled up to four
// vectors), then around 128 and 256, the blocks of the widest loop (AVX-512
// Adam's, eight vectors interleaved), then 1000 and 4099.
func Lengths() []int {
	var ls []int
	for n := 0; n <= 4*16+3; n++ {
		ls = append(ls, n)
	}
	return append(ls, 100, wideLoop-1, wideLoop, wideLoop+1, wideLoop+15, 2*wideLoop-1, 2*wideLoop+1, 1000, 4099)
}

// wideLoop is the most elements one iteration of any kernel's loop
// handles: eight vectors of 16 (AVX-512 Adam's interleave).
const wideLoop = 8 * 16

// Offsets are the start offsets, in elements, at which each operand is
// placed within its backing array, so that no kernel relies on alignment.
const Offsets = 8

// GemmDims are the m, n and k values of the GEMM grid, those of the
// reference BLAS tester's edges: empty, tiny, around powers of two and
// around the register and cache blocks.
var GemmDims = []int{0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 65, 127, 257}
