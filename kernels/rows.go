//go:build !purego && (amd64 || arm64)

package kernels

import "math"

// The row-wise kernels (Softmax, LogSoftmax, SoftmaxGrad,
// SoftmaxCrossEntropy, MSE) on the generated code, a block of rows at a
// time: the assembly takes each row's maximum, subtracts it, and scales
// or shifts the rows; the elementwise exp runs over the whole block at
// once (for rows of 10, one call per row would leave its long dependency
// chain exposed); Go does the one logarithm or division a row needs, in
// float64 as the fallback does. This driver is shared; each architecture's
// rows_ARCH.go gives its rowLevel's hooks (max, shift, shift2, scale, exp,
// sums, grad, mseSum, mseGrad) and sumPiece:
//
//   - amd64 sums with SumRows and exponentiates with ExpFast, so its
//     results are the fallback's but for the order of the float64 sums and
//     the exponentials' last bits;
//   - arm64 sums in Go in the fallback's order and pieces and exponentiates
//     with ExpNEON, which gives fallback.Exp's bits, so its results are the
//     fallback's bits.
//
// The hooks are methods on a constant rowLevel, so the calls are direct
// and the per-row buffers, which the assembly does not retain
// (noescape), stay on the stack: through a function value they would
// escape to the heap on every call.

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

// expRows sets e to e^(x − mx) row by row for the r rows of n entries of
// x and sum to their float64 sums. e may be x.
func (l rowLevel) expRows(e, x []float32, r, n int, mx []float32, sum []float64) {
	l.max(x, r, n, mx)
	l.shift(e, x, r, n, mx)
	l.exp(e, e)
	l.sums(e, r, n, sum)
}

// expSums sets sum to the float64 sums of e^(x − mx) for the r rows of n
// entries of x, whose maxima mx holds, writing the exponentials only to
// scratch: a block at a time when the rows fit in it and in one piece of
// the sums (sumPiece), else a row at a time, in pieces.
func (l rowLevel) expSums(scratch, x []float32, r, n int, mx []float32, sum []float64) {
	piece := len(scratch)
	if sumPiece > 0 {
		piece = min(piece, sumPiece)
	}
	if r*n <= len(scratch) && n <= piece {
		e := scratch[:r*n]
		l.shift(e, x, r, n, mx)
		l.exp(e, e)
		l.sums(e, r, n, sum)
		return
	}
	var part [1]float64
	for j := range r {
		row := x[j*n : (j+1)*n]
		sum[j] = 0
		for off := 0; off < n; off += piece {
			k := min(piece, n-off)
			e := scratch[:k]
			l.shift(e, row[off:off+k], 1, k, mx[j:j+1])
			l.exp(e, e)
			l.sums(e, 1, k, part[:])
			sum[j] += part[0]
		}
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
	if dpred == nil {
		s = l.mseSum(pred, target)
	} else {
		s = l.mseGrad(dpred, pred, target, 2/float32(len(pred)))
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
