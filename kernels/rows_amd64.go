//go:build !purego

package kernels

import "github.com/simdnn/simdnn/asm"

// The row-wise driver's hooks (rows.go) on the AVX2 and AVX-512 kernels.

// rowLevel picks one level's generated row kernels.
type rowLevel bool

const (
	rowsAVX2   rowLevel = false
	rowsAVX512 rowLevel = true
)

// sumPiece is the longest piece of a row whose exponentials sums adds at
// once; 0: as long as the scratch.
const sumPiece = 0

func (l rowLevel) max(x []float32, m, n int, mx []float32) {
	if l == rowsAVX512 {
		asm.MaxRowsAVX512(x, m, n, mx)
		return
	}
	asm.MaxRowsAVX2(x, m, n, mx)
}

// sums sets sum[i] to the float64 sum of row i of the m×n matrix x.
func (l rowLevel) sums(x []float32, m, n int, sum []float64) {
	if l == rowsAVX512 {
		asm.SumRowsAVX512(x, m, n, sum)
		return
	}
	asm.SumRowsAVX2(x, m, n, sum)
}

func (l rowLevel) scale(dst, x []float32, m, n int, k []float32) {
	if l == rowsAVX512 {
		asm.ScaleRowsAVX512(dst, x, m, n, k)
		return
	}
	asm.ScaleRowsAVX2(dst, x, m, n, k)
}

func (l rowLevel) shift(dst, x []float32, m, n int, k []float32) {
	if l == rowsAVX512 {
		asm.ShiftRowsAVX512(dst, x, m, n, k)
		return
	}
	asm.ShiftRowsAVX2(dst, x, m, n, k)
}

func (l rowLevel) shift2(dst, x []float32, m, n int, k, k2 []float32) {
	if l == rowsAVX512 {
		asm.Shift2RowsAVX512(dst, x, m, n, k, k2)
		return
	}
	asm.Shift2RowsAVX2(dst, x, m, n, k, k2)
}

// exp is ExpFast, not Exp: within 2 ULP (0.998 measured on a sample of
// every 17th float32) where Exp holds 0.79, in half the operations;
// Softmax's bound, 8 + n/16 ULP and more, has room for it.
func (l rowLevel) exp(dst, x []float32) {
	if l == rowsAVX512 {
		asm.ExpFastAVX512(dst, x)
		return
	}
	asm.ExpFastAVX2(dst, x)
}

func (l rowLevel) grad(dx, y, dy []float32, m, n int) {
	if l == rowsAVX512 {
		asm.SoftmaxGradRowsAVX512(dx, y, dy, m, n)
		return
	}
	asm.SoftmaxGradRowsAVX2(dx, y, dy, m, n)
}

func (l rowLevel) mseSum(pred, target []float32) float64 {
	if l == rowsAVX512 {
		return asm.MSESumAVX512(pred, target)
	}
	return asm.MSESumAVX2(pred, target)
}

func (l rowLevel) mseGrad(dpred, pred, target []float32, scale float32) float64 {
	if l == rowsAVX512 {
		return asm.MSEGradAVX512(dpred, pred, target, scale)
	}
	return asm.MSEGradAVX2(dpred, pred, target, scale)
}
