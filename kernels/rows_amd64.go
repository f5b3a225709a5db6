//go:build !purego

package kernels

import (
	"math"

	"github.com/simdnn/simdnn/asm"
)

// The row-wise kernels on the generated code, a block of rows at a time:
// the assembly takes each row's maximum, subtracts it, sums and scales
// rows; the elementwise Exp runs over the whole block at once (for rows of
// 10, one exp per row would leave its long dependency chain exposed); Go
// does the one logarithm or division a row needs, in float64 as the
// fallback does. So the results are the fallback's but for the order of
// the float64 sums and for the exponentials, from the faster ExpFast.

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
	// rowBuf is the most rows per block, the length of the per-row
	// buffers on the stack.
	rowBuf = 256
	// rowBlockElems bounds a block's entries, so that the block stays in
	// L1 from one pass to the next; it is also the length of the scratch
	// that holds the exponentials when the output may not.
	rowBlockElems = 4096
	// smallScratch is the scratch of calls on at most that many
	// entries: Go clears a stack array on every call, and clearing 16 KB
	// cost 200 ns, 4/5 of a softmax over 4 rows of 10.
	smallScratch = 512
)

// rowBlock returns the number of rows of n entries per block.
func rowBlock(n int) int { return max(1, min(rowBuf, rowBlockElems/max(n, 1))) }

func (l rowLevel) max(x []float32, m, n int, mx []float32) {
	if l == rowsAVX512 {
		asm.MaxRowsAVX512(x, m, n, mx)
		return
	}
	asm.MaxRowsAVX2(x, m, n, mx)
}

func (l rowLevel) sum(x []float32, m, n int, sum []float64) {
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

// expRows sets e to e^(x − mx) row by row for the r rows of n entries of
// x and sum to their float64 sums. e may be x.
func (l rowLevel) expRows(e, x []float32, r, n int, mx []float32, sum []float64) {
	l.max(x, r, n, mx)
	l.shift(e, x, r, n, mx)
	l.exp(e, e)
	l.sum(e, r, n, sum)
}

// expSums sets sum to the float64 sums of e^(x − mx) for the r rows of n
// entries of x, whose maxima mx holds, writing the exponentials only to
// scratch: a block at a time, or a row in pieces when one row is longer.
func (l rowLevel) expSums(scratch, x []float32, r, n int, mx []float32, sum []float64) {
	if r*n <= len(scratch) {
		e := scratch[:r*n]
		l.shift(e, x, r, n, mx)
		l.exp(e, e)
		l.sum(e, r, n, sum)
		return
	}
	// r = 1: one long row.
	var part [1]float64
	sum[0] = 0
	for off := 0; off < n; off += len(scratch) {
		k := min(len(scratch), n-off)
		e := scratch[:k]
		l.shift(e, x[off:off+k], 1, k, mx)
		l.exp(e, e)
		l.sum(e, 1, k, part[:])
		sum[0] += part[0]
	}
}

// softmax is fallback.Softmax: e^(x−max) per row, then the row times
// float32(1/Σ).
func (l rowLevel) softmax(dst, x []float32, m, n int) {
	if n == 0 {
		return
	}
	if m*n <= smallScratch {
		var scratch [smallScratch]float32
		l.softmaxIn(scratch[:], dst, x, m, n)
		return
	}
	var scratch [rowBlockElems]float32
	l.softmaxIn(scratch[:], dst, x, m, n)
}

func (l rowLevel) softmaxIn(scratch, dst, x []float32, m, n int) {
	var mx, scale [rowBuf]float32
	var sum [rowBuf]float64
	b := rowBlock(n)
	for i := 0; i < m; i += b {
		r := min(b, m-i)
		d := dst[i*n : (i+r)*n]
		e := work(scratch, d)
		l.expRows(e, x[i*n:(i+r)*n], r, n, mx[:r], sum[:r])
		for j, s := range sum[:r] {
			scale[j] = float32(1 / s)
		}
		l.scale(d, e, r, n, scale[:r])
	}
}

// work returns where a block's exponentials go before they are scaled
// into d: the scratch when it holds them, so that the scaling reads one
// array and writes another. In place, each short row's masked store would
// hold up the masked load of the next row, which overlaps its cache line
// (store forwarding fails): ScaleRows measured 6× slower on rows of 10.
// A row longer than the scratch goes to d; its one masked tail costs
// little.
func work(scratch, d []float32) []float32 {
	if len(d) <= len(scratch) {
		return scratch[:len(d)]
	}
	return d
}

// logSoftmax is fallback.LogSoftmax: (x − max) − float32(log Σ).
func (l rowLevel) logSoftmax(dst, x []float32, m, n int) {
	if n == 0 {
		return
	}
	if m*n <= smallScratch {
		var scratch [smallScratch]float32
		l.logSoftmaxIn(scratch[:], dst, x, m, n)
		return
	}
	var scratch [rowBlockElems]float32
	l.logSoftmaxIn(scratch[:], dst, x, m, n)
}

func (l rowLevel) logSoftmaxIn(scratch, dst, x []float32, m, n int) {
	var mx, lse [rowBuf]float32
	var sum [rowBuf]float64
	b := rowBlock(n)
	for i := 0; i < m; i += b {
		r := min(b, m-i)
		xs := x[i*n : (i+r)*n]
		l.max(xs, r, n, mx[:r])
		l.expSums(scratch, xs, r, n, mx[:r], sum[:r])
		for j, s := range sum[:r] {
			lse[j] = float32(math.Log(s))
		}
		d := dst[i*n : (i+r)*n]
		if out := apart(scratch, d, xs); len(out) > 0 {
			l.shift2(out, xs, r, n, mx[:r], lse[:r])
			copy(d, out)
			continue
		}
		l.shift2(d, xs, r, n, mx[:r], lse[:r])
	}
}

// apart returns the scratch that a row kernel writing d while reading
// the inputs ins should write instead, then copied to d: when d is one of
// the inputs and the scratch holds it. In place, each short row's masked
// (AVX-512) or scalar (AVX2) stores hold up the next row's loads from the
// same cache line, whose data the store buffer cannot forward: SoftmaxGrad
// on 1024 rows of 10 in place measured 24 µs against 4.5 µs out of place,
// slower than the pure-Go kernel; the copy costs 0.5 µs. It returns nil
// when d is no input or the block is larger than the scratch (rows that
// long pay one such stall per long row).
func apart(scratch, d []float32, ins ...[]float32) []float32 {
	if len(d) > len(scratch) || !aliased(d, ins...) {
		return nil
	}
	return scratch[:len(d)]
}

// aliased reports whether d is one of ins (partial overlap is not
// supported, so the first elements tell).
func aliased(d []float32, ins ...[]float32) bool {
	for _, in := range ins {
		if len(d) > 0 && len(in) > 0 && &in[0] == &d[0] {
			return true
		}
	}
	return false
}

// softmaxGrad is SoftmaxGradRows, through apart's scratch in place.
func (l rowLevel) softmaxGrad(dx, y, dy []float32, m, n int) {
	if m*n == 0 {
		return
	}
	if n > rowBlockElems || !aliased(dx, y, dy) {
		l.grad(dx, y, dy, m, n)
		return
	}
	if m*n <= smallScratch {
		var scratch [smallScratch]float32
		l.softmaxGradIn(scratch[:], dx, y, dy, m, n)
		return
	}
	var scratch [rowBlockElems]float32
	l.softmaxGradIn(scratch[:], dx, y, dy, m, n)
}

func (l rowLevel) softmaxGradIn(scratch, dx, y, dy []float32, m, n int) {
	b := rowBlock(n)
	for i := 0; i < m; i += b {
		r := min(b, m-i)
		lo, hi := i*n, (i+r)*n
		out := scratch[:r*n]
		l.grad(out, y[lo:hi], dy[lo:hi], r, n)
		copy(dx[lo:hi], out)
	}
}

func (l rowLevel) grad(dx, y, dy []float32, m, n int) {
	if l == rowsAVX512 {
		asm.SoftmaxGradRowsAVX512(dx, y, dy, m, n)
		return
	}
	asm.SoftmaxGradRowsAVX2(dx, y, dy, m, n)
}

// softmaxCrossEntropy is fallback.SoftmaxCrossEntropy.
func (l rowLevel) softmaxCrossEntropy(dlogits, logits []float32, labels []int32, m, n int) float32 {
	if m == 0 {
		return float32(math.NaN())
	}
	if m*n <= smallScratch {
		var scratch [smallScratch]float32
		return l.softmaxCrossEntropyIn(scratch[:], dlogits, logits, labels, m, n)
	}
	var scratch [rowBlockElems]float32
	return l.softmaxCrossEntropyIn(scratch[:], dlogits, logits, labels, m, n)
}

func (l rowLevel) softmaxCrossEntropyIn(scratch, dlogits, logits []float32, labels []int32, m, n int) float32 {
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
			l.max(xs, r, n, mx[:r])
			l.expSums(scratch, xs, r, n, mx[:r], sum[:r])
		} else {
			l.expRows(work(scratch, dlogits[i*n:(i+r)*n]), xs, r, n, mx[:r], sum[:r])
		}
		for j, s := range sum[:r] {
			loss += math.Log(s) - float64(xl[j]-mx[j])
			scale[j] = float32(1/s) * inv
		}
		if dlogits != nil {
			d := dlogits[i*n : (i+r)*n]
			l.scale(d, work(scratch, d), r, n, scale[:r])
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
func withRows(im *impl, l rowLevel) {
	im.softmax = func(dst, x []float32, m, n int) { l.softmax(dst, x, m, n) }
	im.logSoftmax = func(dst, x []float32, m, n int) { l.logSoftmax(dst, x, m, n) }
	im.softmaxCrossEntropy = func(dlogits, logits []float32, labels []int32, m, n int) float32 {
		return l.softmaxCrossEntropy(dlogits, logits, labels, m, n)
	}
	im.mse = func(dpred, pred, target []float32) float32 { return l.mse(dpred, pred, target) }
	im.softmaxGrad = func(dx, y, dy []float32, m, n int) { l.softmaxGrad(dx, y, dy, m, n) }
}
