package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/simdnn/simdnn/internal/freelist"
)

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

// threadLimit is SetThreads' bound; 0 means GOMAXPROCS.
var threadLimit atomic.Int32

// SetThreads bounds the number of goroutines one call of Sgemm or
// SgemmBiasAct runs on, the caller's included, and returns the previous
// bound. n ≤ 0 restores the default, GOMAXPROCS at the time of each call;
// n = 1 keeps every call on the calling goroutine. A call never uses more
// than GOMAXPROCS goroutines, nor more than its size makes worthwhile (a
// product of a few million flops runs on the caller alone). The result
// does not depend on the bound.
//
// The goroutines beyond the caller's come from a pool that is started on
// first use and kept: they wait, costing nothing, while no product runs.
func SetThreads(n int) int {
	prev := int(threadLimit.Swap(int32(max(n, 0))))
	if prev == 0 {
		return runtime.GOMAXPROCS(0)
	}
	return prev
}

// threadsFor returns the number of stripes for a product of m×n×k in
// tiles of mr×nr.
func threadsFor(m, n, k, mr, nr int) int {
	flops := 2 * float64(m) * float64(n) * float64(k)
	if flops < 2*minStripeFlops {
		return 1 // without asking GOMAXPROCS, which takes a lock
	}
	t := runtime.GOMAXPROCS(0)
	if lim := int(threadLimit.Load()); lim > 0 {
		t = min(t, lim)
	}
	if t == 1 {
		return 1
	}
	t = min(t, int(flops/minStripeFlops))
	tiles := max((m+mr-1)/mr, (n+nr-1)/nr)
	return max(1, min(t, tiles))
}

// serialGemm is an impl's sgemm that runs on the calling goroutine.
type serialGemm func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, ep epilogue)

// gemmPicker chooses the serial algorithm for a whole product, with the
// tile it works in.
type gemmPicker func(transA bool, m, n, k int) (serial serialGemm, mr, nr int)

// one is the gemmPicker of an implementation with a single algorithm.
func one(serial serialGemm, mr, nr int) gemmPicker {
	return func(bool, int, int, int) (serialGemm, int, int) { return serial, mr, nr }
}

// parallelSgemm returns an impl's sgemm that runs the algorithm pick
// chooses for the product, splitting C into stripes of whole tiles on up
// to threadsFor goroutines.
func parallelSgemm(pick gemmPicker) serialGemm {
	var pool freelist.List[gemmJob]
	return func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, ep epilogue) {
		serial, mr, nr := pick(transA, m, n, k)
		t := threadsFor(m, n, k, mr, nr)
		if t == 1 {
			serial(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, ep)
			return
		}
		call := pool.Get()
		call.gemmArgs = gemmArgs{
			serial: serial,
			transA: transA, transB: transB, m: m, n: n, k: k,
			alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, ep: ep,
		}
		// Split the dimension whose operand is the cheaper to pack
		// again in every stripe: along n, every stripe packs all of A
		// (m×k); along m, all of B (k×n).
		d, tile := m, mr
		call.byCols = m < n && (n+nr-1)/nr >= t || (m+mr-1)/mr < t
		if call.byCols {
			d, tile = n, nr
		}
		tiles := (d + tile - 1) / tile
		call.width = (tiles + t - 1) / t * tile
		call.stripes = (d + call.width - 1) / call.width
		call.next.Store(0)
		call.run()
		call.gemmArgs = gemmArgs{} // drop the references to the operands
		pool.Put(call)
	}
}

// gemmArgs are the arguments of one Sgemm.
type gemmArgs struct {
	serial         serialGemm
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a, b, c        []float32
	lda, ldb, ldc  int
	ep             epilogue
}

// gemmJob is one Sgemm split into stripes: the caller and the workers it
// recruits take stripes by number until none is left.
type gemmJob struct {
	gemmArgs

	byCols  bool // stripes of columns, or else of rows
	width   int  // columns or rows per stripe, a whole number of tiles
	stripes int

	next atomic.Int32   // the next stripe to take
	wg   sync.WaitGroup // the workers recruited
}

// run recruits up to stripes−1 idle workers, takes stripes on the calling
// goroutine until none is left, and waits for the workers. A worker that
// is busy elsewhere is not waited for: the send below only succeeds when a
// worker is already waiting to receive, so the caller never blocks on a
// queue, and with no idle worker at all it computes every stripe itself.
// A worker that has just finished a stripe of the previous call is not
// busy but not yet waiting either; for it, the caller retries the send a
// few times (recruitTries, a few microseconds), or back-to-back calls
// would find it in that gap and run alone.
func (call *gemmJob) run() {
	startWorkers(call.stripes - 1)
	for range call.stripes - 1 {
		call.wg.Add(1)
		if !recruit(call) {
			call.wg.Done()
		}
	}
	call.work()
	call.wg.Wait()
}

// recruitTries bounds the retries of recruit.
const recruitTries = 64

// recruit hands call to an idle worker and reports whether one took it.
func recruit(call *gemmJob) bool {
	for range recruitTries {
		select {
		case gemmWork <- call:
			return true
		default:
		}
		if busy.Load() >= workers.Load() {
			return false // every worker is computing
		}
		runtime.Gosched()
	}
	return false
}

// work takes stripes until none is left.
func (call *gemmJob) work() {
	for {
		s := int(call.next.Add(1)) - 1
		if s >= call.stripes {
			return
		}
		call.stripe(s)
	}
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

// gemmWork hands calls to idle workers; it is unbuffered, so that a call
// is only ever handed to a worker that is waiting for one.
var gemmWork = make(chan *gemmJob)

// workers counts the workers started, which are never stopped, and busy
// those that hold a call.
var (
	workersMu sync.Mutex
	workers   atomic.Int32
	busy      atomic.Int32
)

// startWorkers makes sure at least n workers exist.
func startWorkers(n int) {
	if int(workers.Load()) >= n {
		return
	}
	workersMu.Lock()
	defer workersMu.Unlock()
	for ; int(workers.Load()) < n; workers.Add(1) {
		go func() {
			for call := range gemmWork {
				busy.Add(1)
				call.work()
				busy.Add(-1)
				call.wg.Done()
			}
		}()
	}
}
