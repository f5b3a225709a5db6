//go:build !purego

package kernels

import "github.com/simdnn/simdnn/asm"

// The row-wise driver's hooks (rows.go) on the NEON kernels. Every step is
// the fallback's, in its order: the sums are Go's, ExpNEON gives
// fallback.Exp's bits, and the row kernels round as the fallback does, so
// the results are the fallback's bits.

// rowLevel is the NEON level, the only one on arm64.
type rowLevel struct{}

var rowsNEON rowLevel

// sumPiece is the length of the pieces whose sums fallback.LogSoftmax adds
// (its expSum's buffer): the driver sums long rows in the same pieces, so
// that the float64 sums have the same bits.
const sumPiece = 256

func (rowLevel) max(x []float32, m, n int, mx []float32) { asm.MaxRowsNEON(x, m, n, mx) }

// sums adds each row of the m×n matrix x in order in float64, as the
// fallback's expShifted does.
func (rowLevel) sums(x []float32, m, n int, sum []float64) {
	for i := range m {
		var s float64
		for _, v := range x[i*n : (i+1)*n] {
			s += float64(v)
		}
		sum[i] = s
	}
}

func (rowLevel) scale(dst, x []float32, m, n int, k []float32) { asm.ScaleRowsNEON(dst, x, m, n, k) }

func (rowLevel) shift(dst, x []float32, m, n int, k []float32) { asm.ShiftRowsNEON(dst, x, m, n, k) }

func (rowLevel) shift2(dst, x []float32, m, n int, k, k2 []float32) {
	asm.Shift2RowsNEON(dst, x, m, n, k, k2)
}

func (rowLevel) exp(dst, x []float32) { asm.ExpNEON(dst, x) }

func (rowLevel) grad(dx, y, dy []float32, m, n int) { asm.SoftmaxGradNEON(dx, y, dy, m, n) }

func (rowLevel) mseSum(pred, target []float32) float64 { return asm.MSESumNEON(pred, target) }

func (rowLevel) mseGrad(dpred, pred, target []float32, scale float32) float64 {
	return asm.MSEGradNEON(dpred, pred, target, scale)
}
