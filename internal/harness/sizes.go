package harness

// Lengths returns the lengths every elementwise kernel is tested at: 0 to
// 4W+3 for the vector widths W = 4, 8 and 16 (so 0..67, which crosses every
// full-vector, unrolled-loop and tail boundary), then 100, 1000 and 4099.
func Lengths() []int {
	var ls []int
	for n := 0; n <= 4*16+3; n++ {
		ls = append(ls, n)
	}
	return append(ls, 100, 1000, 4099)
}

// Offsets are the start offsets, in elements, at which each operand is
// placed within its backing array, so that no kernel relies on alignment.
const Offsets = 8

// GemmDims are the m, n and k values of the GEMM grid, those of the
// reference BLAS tester's edges: empty, tiny, around powers of two and
// around the register and cache blocks.
var GemmDims = []int{0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 65, 127, 257}
