package kernels

import "github.com/simdnn/simdnn/internal/freelist"

// Sgemm splits large products over goroutines: C is cut into stripes of
// whole micro-kernel tiles, along its rows or its columns, and each stripe
// is an Sgemm of its own (packing its own share of one operand and all of
// the other). The stripes share no output and no buffers, so they need no
// synchronisation but the final wait, and every element of C is computed
// by the same sequence of roundings whatever the number of stripes: the
// result is bit-identical for any GOMAXPROCS and any SetThreads.

// minStripeFlops is the least work worth a stripe of its own: about 10–40
// µs at the speed of one core, against the microseconds it takes to wake
// a goroutine and for the stripes to finish together.
const minStripeFlops = 4 << 20

// threadsFor returns the number of stripes for a product of m×n×k in
// tiles of mr×nr.
func threadsFor(m, n, k, mr, nr int) int {
	flops := 2 * float64(m) * float64(n) * float64(k)
	if flops < 2*minStripeFlops {
		return 1 // without asking GOMAXPROCS, which takes a lock
	}
	t := maxThreads()
	if t == 1 {
		return 1
	}
	t = min(t, int(flops/minStripeFlops))
	tiles := max((m+mr-1)/mr, (n+nr-1)/nr)
	return max(1, min(t, tiles))
}

// gemmFunc computes C = act(alpha·op(A)·op(B) + beta·C + bias) with the
// contract of Sgemm and SgemmBiasAct, its arguments checked and m, n > 0.
// The algorithms (blockedGemm, rowsGemm, ...) run on the calling
// goroutine; parallelSgemm's may split the product over several.
type gemmFunc func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, ep epilogue)

// gemmPicker chooses the serial algorithm for a whole product, with the
// tile it works in.
type gemmPicker func(transA, transB bool, m, n, k int) (serial gemmFunc, mr, nr int)

// one is the gemmPicker of an implementation with a single algorithm.
func one(serial gemmFunc, mr, nr int) gemmPicker {
	return func(bool, bool, int, int, int) (gemmFunc, int, int) { return serial, mr, nr }
}

// parallelSgemm returns an impl's sgemm that runs the algorithm pick
// chooses for the product, splitting C into stripes of whole tiles on up
// to threadsFor goroutines.
func parallelSgemm(pick gemmPicker) gemmFunc {
	var pool freelist.List[gemmJob]
	return func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, ep epilogue) {
		serial, mr, nr := pick(transA, transB, m, n, k)
		t := threadsFor(m, n, k, mr, nr)
		if t == 1 {
			serial(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, ep)
			return
		}
		call := pool.Get()
		call.task = call
		call.gemmArgs = gemmArgs{
			serial: serial,
			transA: transA, transB: transB, m: m, n: n, k: k,
			alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, ep: ep,
		}
		call.byCols = splitCols(transB, m, n, k, ldb, mr, nr, t)
		d, tile := m, mr
		if call.byCols {
			d, tile = n, nr
		}
		tiles := (d + tile - 1) / tile
		call.width = (tiles + t - 1) / t * tile
		call.run((d + call.width - 1) / call.width)
		call.gemmArgs = gemmArgs{} // drop the references to the operands
		pool.Put(call)
	}
}

// splitCols reports whether a product is cut into t stripes of columns
// rather than of rows: whichever makes the largest stripe cheaper, in
// flops of its tiles plus its packing. Both the split and the packing
// count: 784 columns are 13 tiles of 64, which two stripes share 7 to 6
// (a stripe 8% above half the work), where 256 rows are 43 tiles of 6,
// shared 22 to 21 (2%); but along m every stripe packs all of op(B)
// unless it reads B in place (readsB), and along n all of op(A). A value
// packed is counted as pricePack flops, about what the measurements
// behind readsB give.
func splitCols(transB bool, m, n, k, ldb, mr, nr, t int) bool {
	const pricePack = 24
	tilesM, tilesN := (m+mr-1)/mr, (n+nr-1)/nr
	if tilesM < t {
		return true
	}
	if tilesN < t {
		return false
	}
	stripeM, stripeN := (tilesM+t-1)/t, (tilesN+t-1)/t
	kf := float64(k)
	// Along m: the stripe's share of A and all of op(B) unless in place.
	rows := float64(stripeM*mr) * float64(tilesN*nr) * kf * 2
	packRows := float64(stripeM*mr) * kf
	if !readsB(transB, stripeM*mr, ldb) {
		packRows += kf * float64(n)
	}
	// Along n: all of A and the stripe's share of op(B), unless in place.
	cols := float64(tilesM*mr) * float64(stripeN*nr) * kf * 2
	packCols := float64(m) * kf
	if !readsB(transB, m, ldb) {
		packCols += kf * float64(stripeN*nr)
	}
	return cols+pricePack*packCols < rows+pricePack*packRows
}

// gemmArgs are the arguments of one Sgemm.
type gemmArgs struct {
	serial         gemmFunc
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a, b, c        []float32
	lda, ldb, ldc  int
	ep             epilogue
}

// gemmJob is one Sgemm split into stripes of C.
type gemmJob struct {
	job
	gemmArgs

	byCols bool // stripes of columns, or else of rows
	width  int  // columns or rows per stripe, a whole number of tiles
}

// stripe computes stripe s: the same product restricted to its columns
// (or rows) of C, with the matching part of op(B) (or op(A)) and of the
// bias.
func (call *gemmJob) stripe(s int) {
	lo := s * call.width
	a, b, c, ep := call.a, call.b, call.c, call.ep
	m, n := call.m, call.n
	if call.byCols {
		n = min(call.width, n-lo)
		if call.transB {
			b = b[lo*call.ldb:] // op(B)'s columns are B's rows
		} else {
			b = b[lo:]
		}
		c, ep = c[lo:], ep.columns(lo)
	} else {
		m = min(call.width, m-lo)
		if call.transA {
			a = a[lo:] // op(A)'s rows are A's columns
		} else {
			a = a[lo*call.lda:]
		}
		c = c[lo*call.ldc:]
	}
	call.serial(call.transA, call.transB, m, n, call.k, call.alpha, a, call.lda, b, call.ldb, call.beta, c, call.ldc, ep)
}
