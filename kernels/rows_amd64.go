//go:build !purego

package kernels

import (
	"math"

	"github.com/simdnn/simdnn/asm"
)

// The row-wise kernels on the generated code: the assembly walks whole
// blocks of rows, computing each row's maximum and Σ e^(x−max), scaling
// and shifting rows; between its calls, Go does the one logarithm or
// division per row that a row needs (float64 math, as the fallback does,
// so the two agree but for the order of the float64 sums).

// rowLevel picks one level's generated row kernels. Each table entry is a
// closure over a constant rowLevel, so the calls are direct and the
// per-row buffers, which the assembly does not retain (noescape), stay on
// the stack: through a function value they would escape to the heap on
// every call.
type rowLevel bool

const (
	rowsAVX2   rowLevel = false
	rowsAVX512 rowLevel = true
)

const (
	// rowBuf is the number of rows per block, the length of the
	// per-row buffers on the stack.
	rowBuf = 256
	// rowBlockElems bounds a block's entries, so that the block stays in
	// L1 between the pass that writes e^(x−max) and the one that scales
	// it.
	rowBlockElems = 4096
)

// rowBlock returns the number of rows of n entries per block.
func rowBlock(n int) int { return max(1, min(rowBuf, rowBlockElems/max(n, 1))) }

func (l rowLevel) expSum(e, x []float32, m, n int, mx []float32, sum []float64) {
	if l == rowsAVX512 {
		asm.ExpSumRowsAVX512(e, x, m, n, mx, sum)
		return
	}
	asm.ExpSumRowsAVX2(e, x, m, n, mx, sum)
}

func (l rowLevel) maxSum(x []float32, m, n int, mx []float32, sum []float64) {
	if l == rowsAVX512 {
		asm.MaxSumRowsAVX512(x, m, n, mx, sum)
		return
	}
	asm.MaxSumRowsAVX2(x, m, n, mx, sum)
}

func (l rowLevel) scale(x []float32, m, n int, scale []float32) {
	if l == rowsAVX512 {
		asm.ScaleRowsAVX512(x, m, n, scale)
		return
	}
	asm.ScaleRowsAVX2(x, m, n, scale)
}

func (l rowLevel) shift(dst, x []float32, m, n int, mx, lse []float32) {
	if l == rowsAVX512 {
		asm.ShiftRowsAVX512(dst, x, m, n, mx, lse)
		return
	}
	asm.ShiftRowsAVX2(dst, x, m, n, mx, lse)
}

// softmax is fallback.Softmax: e^(x−max) per row, then the row times
// float32(1/Σ).
func (l rowLevel) softmax(dst, x []float32, m, n int) {
	if n == 0 {
		return
	}
	var mx, scale [rowBuf]float32
	var sum [rowBuf]float64
	b := rowBlock(n)
	for i := 0; i < m; i += b {
		r := min(b, m-i)
		d := dst[i*n : (i+r)*n]
		l.expSum(d, x[i*n:(i+r)*n], r, n, mx[:r], sum[:r])
		for j, s := range sum[:r] {
			scale[j] = float32(1 / s)
		}
		l.scale(d, r, n, scale[:r])
	}
}

// logSoftmax is fallback.LogSoftmax: (x − max) − float32(log Σ).
func (l rowLevel) logSoftmax(dst, x []float32, m, n int) {
	if n == 0 {
		return
	}
	var mx, lse [rowBuf]float32
	var sum [rowBuf]float64
	b := rowBlock(n)
	for i := 0; i < m; i += b {
		r := min(b, m-i)
		xs := x[i*n : (i+r)*n]
		l.maxSum(xs, r, n, mx[:r], sum[:r])
		for j, s := range sum[:r] {
			lse[j] = float32(math.Log(s))
		}
		l.shift(dst[i*n:(i+r)*n], xs, r, n, mx[:r], lse[:r])
	}
}

// softmaxCrossEntropy is fallback.SoftmaxCrossEntropy.
func (l rowLevel) softmaxCrossEntropy(dlogits, logits []float32, labels []int32, m, n int) float32 {
	if m == 0 {
		return float32(math.NaN())
	}
	var mx, xl, scale [rowBuf]float32
	var sum [rowBuf]float64
	var loss float64
	inv := 1 / float32(m)
	b := rowBlock(n)
	for i := 0; i < m; i += b {
		r := min(b, m-i)
		xs, labs := logits[i*n:(i+r)*n], labels[i:i+r]
		// The labels' logits before dlogits, which may be logits,
		// overwrites them.
		for j, lab := range labs {
			xl[j] = xs[j*n+int(lab)]
		}
		if dlogits == nil {
			l.maxSum(xs, r, n, mx[:r], sum[:r])
		} else {
			l.expSum(dlogits[i*n:(i+r)*n], xs, r, n, mx[:r], sum[:r])
		}
		for j, s := range sum[:r] {
			loss += math.Log(s) - float64(xl[j]-mx[j])
			scale[j] = float32(1/s) * inv
		}
		if dlogits != nil {
			d := dlogits[i*n : (i+r)*n]
			l.scale(d, r, n, scale[:r])
			for j, lab := range labs {
				d[j*n+int(lab)] -= inv
			}
		}
	}
	return float32(loss / float64(m))
}

// mse is fallback.MSE.
func (l rowLevel) mse(dpred, pred, target []float32) float32 {
	if len(pred) == 0 {
		return float32(math.NaN())
	}
	var s float64
	switch {
	case dpred == nil && l == rowsAVX512:
		s = asm.MSESumAVX512(pred, target)
	case dpred == nil:
		s = asm.MSESumAVX2(pred, target)
	case l == rowsAVX512:
		s = asm.MSEGradAVX512(dpred, pred, target, 2/float32(len(pred)))
	default:
		s = asm.MSEGradAVX2(dpred, pred, target, 2/float32(len(pred)))
	}
	return float32(s / float64(len(pred)))
}

// withRows fills im's row-wise entries with level l's kernels.
func withRows(im *impl, l rowLevel, grad func(dx, y, dy []float32, m, n int)) {
	im.softmax = func(dst, x []float32, m, n int) { l.softmax(dst, x, m, n) }
	im.logSoftmax = func(dst, x []float32, m, n int) { l.logSoftmax(dst, x, m, n) }
	im.softmaxCrossEntropy = func(dlogits, logits []float32, labels []int32, m, n int) float32 {
		return l.softmaxCrossEntropy(dlogits, logits, labels, m, n)
	}
	im.mse = func(dpred, pred, target []float32) float32 { return l.mse(dpred, pred, target) }
	im.softmaxGrad = grad
}
