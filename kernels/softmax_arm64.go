//go:build !purego

package kernels

import (
	"math"

	"github.com/simdnn/simdnn/asm"
)

// Softmax, LogSoftmax and SoftmaxCrossEntropy on NEON, a block of rows at a time: the assembly
// takes each row's maximum, subtracts it and scales or shifts the rows;
// ExpNEON runs over the whole block at once (for rows of 10, one call per
// row would leave exp's long dependency chains exposed); Go adds each
// row's exponentials in float64 and takes the one division or logarithm
// a row needs. Every step is the fallback's, in its order, and ExpNEON
// gives fallback.Exp's bits, so the results are the fallback's bits.

const (
	// neonRowBuf is the most rows per block, the length of the per-row
	// buffers on the stack.
	neonRowBuf = 256
	// neonBlockElems bounds a block's entries, so that the block stays
	// in L1 from one pass to the next.
	neonBlockElems = 4096
	// neonExpChunk is the length of the pieces whose sums
	// fallback.LogSoftmax adds (its expSum's buffer): LogSoftmax sums
	// a row in the same pieces, so that its float64 sum is the same.
	neonExpChunk = 256
)

// neonRowBlock returns the number of rows of n > 0 entries per block.
func neonRowBlock(n int) int { return max(1, min(neonRowBuf, neonBlockElems/n)) }

// sum64 adds the entries of e in order in float64, as fallback's
// expShifted does.
func sum64(e []float32) float64 {
	var s float64
	for _, v := range e {
		s += float64(v)
	}
	return s
}

// softmaxNEON is fallback.Softmax: e^(x − max) per row, then the row
// times float32(1/Σ). The exponentials are written to dst, which may be x.
func softmaxNEON(dst, x []float32, m, n int) {
	if n == 0 {
		return
	}
	var mx, inv [neonRowBuf]float32
	b := neonRowBlock(n)
	for i := 0; i < m; i += b {
		r := min(b, m-i)
		xs, d := x[i*n:(i+r)*n], dst[i*n:(i+r)*n]
		asm.MaxRowsNEON(xs, r, n, mx[:r])
		asm.ShiftRowsNEON(d, xs, r, n, mx[:r])
		asm.ExpNEON(d, d)
		for j := range r {
			inv[j] = float32(1 / sum64(d[j*n:(j+1)*n]))
		}
		asm.ScaleRowsNEON(d, d, r, n, inv[:r])
	}
}

// logSoftmaxNEON is fallback.LogSoftmax: (x − max) − float32(log Σ), the
// exponentials in a scratch buffer, since dst may be x, whose entries
// are read again after the sums. Calls on few entries take a small
// scratch: Go clears a stack array on every call, and 16 KB of it would
// cost more than a few short rows do.
func logSoftmaxNEON(dst, x []float32, m, n int) {
	if n == 0 {
		return
	}
	if m*n <= neonExpChunk {
		var scratch [neonExpChunk]float32
		logSoftmaxIn(scratch[:], dst, x, m, n)
		return
	}
	var scratch [neonBlockElems]float32
	logSoftmaxIn(scratch[:], dst, x, m, n)
}

// logSoftmaxIn is logSoftmaxNEON with scratch, at least neonExpChunk
// entries long, for the exponentials.
func logSoftmaxIn(scratch, dst, x []float32, m, n int) {
	var mx, lse [neonRowBuf]float32
	var sum [neonRowBuf]float64
	b := min(neonRowBlock(n), max(1, len(scratch)/n))
	for i := 0; i < m; i += b {
		r := min(b, m-i)
		xs := x[i*n : (i+r)*n]
		asm.MaxRowsNEON(xs, r, n, mx[:r])
		expSumsNEON(scratch, xs, r, n, mx[:r], sum[:r])
		for j, s := range sum[:r] {
			lse[j] = float32(math.Log(s))
		}
		asm.Shift2RowsNEON(dst[i*n:(i+r)*n], xs, r, n, mx[:r], lse[:r])
	}
}

// expSumsNEON sets sum to Σ e^(x − mx) for each of the r rows of n entries
// of xs, writing the exponentials only to scratch (at least neonExpChunk
// entries, and r·n when n ≤ neonExpChunk). It adds them as fallback's
// expSum does, a row in pieces of neonExpChunk, so the sums have its bits.
func expSumsNEON(scratch, xs []float32, r, n int, mx []float32, sum []float64) {
	if n <= neonExpChunk {
		// Each row is one piece.
		e := scratch[:r*n]
		asm.ShiftRowsNEON(e, xs, r, n, mx)
		asm.ExpNEON(e, e)
		for j := range r {
			sum[j] = sum64(e[j*n : (j+1)*n])
		}
		return
	}
	// Longer rows, each in pieces.
	for j := range r {
		row := xs[j*n : (j+1)*n]
		var s float64
		for off := 0; off < n; off += neonExpChunk {
			k := min(neonExpChunk, n-off)
			e := scratch[:k]
			asm.ShiftRowsNEON(e, row[off:off+k], 1, k, mx[j:j+1])
			asm.ExpNEON(e, e)
			s += sum64(e)
		}
		sum[j] = s
	}
}

// softmaxCrossEntropyNEON is fallback.SoftmaxCrossEntropy on the same row
// kernels, with its bits. With a gradient, the exponentials go to dlogits
// (read back for the whole row's sum, as fallback's expShifted does);
// without one, only to a scratch, summed in expSum's pieces.
func softmaxCrossEntropyNEON(dlogits, logits []float32, labels []int32, m, n int) float32 {
	if m == 0 {
		return float32(math.NaN())
	}
	switch {
	case dlogits != nil:
		return softmaxCrossEntropyIn(nil, dlogits, logits, labels, m, n)
	case m*n <= neonExpChunk:
		var scratch [neonExpChunk]float32
		return softmaxCrossEntropyIn(scratch[:], dlogits, logits, labels, m, n)
	}
	var scratch [neonBlockElems]float32
	return softmaxCrossEntropyIn(scratch[:], dlogits, logits, labels, m, n)
}

// softmaxCrossEntropyIn is softmaxCrossEntropyNEON with scratch, at least
// neonExpChunk entries long when dlogits is nil and unused otherwise.
func softmaxCrossEntropyIn(scratch, dlogits, logits []float32, labels []int32, m, n int) float32 {
	var mx, xl, scale [neonRowBuf]float32
	var sum [neonRowBuf]float64
	var loss float64
	inv := 1 / float32(m)
	b := neonRowBlock(n)
	if dlogits == nil {
		b = min(b, max(1, len(scratch)/n))
	}
	for i := 0; i < m; i += b {
		r := min(b, m-i)
		xs, labs := logits[i*n:(i+r)*n], labels[i:i+r]
		// The labels' logits before dlogits, which may be logits,
		// overwrites them.
		for j, lab := range labs {
			xl[j] = xs[j*n+int(lab)]
		}
		asm.MaxRowsNEON(xs, r, n, mx[:r])
		var d []float32
		if dlogits == nil {
			expSumsNEON(scratch, xs, r, n, mx[:r], sum[:r])
		} else {
			d = dlogits[i*n : (i+r)*n]
			asm.ShiftRowsNEON(d, xs, r, n, mx[:r])
			asm.ExpNEON(d, d)
			for j := range r {
				sum[j] = sum64(d[j*n : (j+1)*n])
			}
		}
		for j, s := range sum[:r] {
			loss += math.Log(s) - float64(xl[j]-mx[j])
			scale[j] = float32(1/s) * inv
		}
		if d != nil {
			asm.ScaleRowsNEON(d, d, r, n, scale[:r])
			for j, lab := range labs {
				d[j*n+int(lab)] -= inv
			}
		}
	}
	return float32(loss / float64(m))
}
