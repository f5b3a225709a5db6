package kernels

import "github.com/simdnn/simdnn/internal/freelist"

// SumSquares over a long slice splits it into stripes of whole blocks on
// the pool's goroutines (pool.go), as the optimizer updates are split
// (optim_parallel.go). Each stripe writes its blocks' float32 sums into a
// scratch slice, one per block, and the caller adds them in block order
// once every stripe is done: the additions, and so the bits, are those of
// the unsplit call, which adds each block's sum as it goes.

// minSumSquaresStripe is the shortest stripe of SumSquares, which reads
// one array and writes nothing, as fast as Axpy or faster: Axpy's.
const minSumSquaresStripe = minAxpyStripe

// sumSquaresStripes returns the number of stripes of a SumSquares over n
// elements and their width, a whole number of blocks: one stripe when n
// is too short to gain.
func sumSquaresStripes(n int) (stripes, width int) {
	stripes, width = optimStripes(n, minSumSquaresStripe)
	if stripes == 1 {
		return 1, n
	}
	width = (width + sumSquaresBlock - 1) / sumSquaresBlock * sumSquaresBlock
	return (n + width - 1) / width, width
}

// sumSquaresJob is one SumSquares call split into stripes.
type sumSquaresJob struct {
	job
	im    *impl // the implementation active when the call began
	x     []float32
	sums  []float32 // the float32 sum of each block; kept for the next call
	width int       // elements per stripe, a multiple of sumSquaresBlock
}

var sumSquaresJobs freelist.List[sumSquaresJob]

// stripe sums the blocks of elements [s·width, (s+1)·width).
func (call *sumSquaresJob) stripe(s int) {
	lo := s * call.width
	hi := min(lo+call.width, len(call.x))
	call.im.sumSquares(call.x[lo:hi], sumSquaresBlock, call.sums[lo/sumSquaresBlock:])
}

// splitSumSquares runs SumSquares on the pool when x is long enough to
// gain, and reports whether it did; the caller runs it whole otherwise.
func splitSumSquares(x []float32) (float64, bool) {
	stripes, width := sumSquaresStripes(len(x))
	if stripes == 1 {
		return 0, false
	}
	call := sumSquaresJobs.Get()
	blocks := (len(x) + sumSquaresBlock - 1) / sumSquaresBlock
	if cap(call.sums) < blocks {
		call.sums = make([]float32, blocks)
	}
	call.sums = call.sums[:blocks]
	call.task, call.im, call.x, call.width = call, active, x, width
	call.run(stripes)
	var total float64
	for _, s := range call.sums {
		total += float64(s)
	}
	call.x = nil // drop the reference
	sumSquaresJobs.Put(call)
	return total, true
}
