package kernels

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

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
// first use and kept. After a split call they spin for up to half a
// millisecond (spinFor), so that the next product of a training step
// finds them running; then they park, costing nothing, until one comes.
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

// gemmJob is one Sgemm split into stripes: the caller and the workers that
// join it take stripes by number until none is left.
type gemmJob struct {
	gemmArgs

	byCols  bool // stripes of columns, or else of rows
	width   int  // columns or rows per stripe, a whole number of tiles
	stripes int

	next    atomic.Int32 // the next stripe to take
	seats   atomic.Int32 // workers that may still join; ≤ 0 once closed
	running atomic.Int32 // seats offered and not yet given back
	wg      sync.WaitGroup
}

// A worker that has just finished a stripe does not park at once: it
// spins for spinFor, watching the offer slot, and so does a caller whose
// last stripe is still being computed by a worker. Waking a parked
// goroutine means waking an idle CPU, which on a virtual machine takes
// 150 µs at the median and milliseconds at the 90th percentile (measured
// on the development machine, a 2-vCPU Firecracker VM), longer than
// most products of a training step take; with it, two goroutines ran a
// step slower than one. Spinning costs at most spinFor of one idle CPU
// after each split call; back-to-back calls, as in training, find the
// workers spinning and start them within a microsecond.
const spinFor = 500 * time.Microsecond

// offer is the split call, if any, that spinning workers may join; a
// caller posts its call here and withdraws it when it has taken the last
// stripe. Concurrent callers that find it taken hand their calls only to
// parked workers, through gemmWork.
var offer atomic.Pointer[gemmJob]

// run offers stripes−1 seats to the workers, takes stripes on the calling
// goroutine until none is left, closes the seats and waits for the
// workers that joined. A worker joins only while a seat is open, so the
// caller never waits for one that has yet to start: with no worker at
// hand, it computes every stripe itself.
func (call *gemmJob) run() {
	n := int32(call.stripes - 1)
	startWorkers(int(n))
	call.wg.Add(int(n))
	call.running.Store(n)
	call.seats.Store(n) // publishes the arguments to the workers that join
	posted := offer.CompareAndSwap(nil, call)
	for range n {
		select {
		case gemmWork <- call: // a parked worker; it joins if a seat is left
		default:
		}
	}
	call.work()
	if posted {
		offer.CompareAndSwap(call, nil)
	}
	if left := call.seats.Swap(math.MinInt32 / 2); left > 0 {
		call.wg.Add(-int(left)) // the seats nobody took
		call.running.Add(-left)
	}
	if !spinUntil(func() bool { return call.running.Load() == 0 }) {
		// A long stripe: park. A worker gives its seat back in two
		// steps, wg first, running last, and may be between them.
		call.wg.Wait()
		for call.running.Load() != 0 {
			runtime.Gosched()
		}
	}
}

// join takes one of call's seats if one is open. A worker may hold a
// pointer to a call that has finished and been reused from the pool; the
// compare-and-swap then joins the new call, whose arguments it publishes,
// or fails against the closed seats of an idle one.
func (call *gemmJob) join() bool {
	for {
		s := call.seats.Load()
		if s <= 0 {
			return false
		}
		if call.seats.CompareAndSwap(s, s-1) {
			return true
		}
	}
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

// gemmWork hands calls to parked workers; it is unbuffered, so that a call
// is only ever handed to a worker that is waiting for one.
var gemmWork = make(chan *gemmJob)

// workers counts the workers started, which are never stopped.
var (
	workersMu sync.Mutex
	workers   atomic.Int32
)

// startWorkers makes sure at least n workers exist.
func startWorkers(n int) {
	if int(workers.Load()) >= n {
		return
	}
	workersMu.Lock()
	defer workersMu.Unlock()
	for ; int(workers.Load()) < n; workers.Add(1) {
		go worker()
	}
}

// worker joins the calls it finds posted while it spins, or else is
// handed while parked.
func worker() {
	for {
		var call *gemmJob
		spinUntil(func() bool {
			c := offer.Load()
			if c != nil && c.join() {
				call = c
			}
			return call != nil
		})
		if call == nil {
			for call = range gemmWork {
				if call.join() {
					break
				}
			}
		}
		call.work()
		call.wg.Done()
		call.running.Add(-1) // the last touch: the caller may return now
	}
}

// spinUntil calls done until it reports true and reports whether it did
// before spinFor ran out. It yields the processor only every few
// microseconds: runtime.Gosched takes the scheduler's lock, and a spin
// that yields at every turn keeps that lock so busy that the caller,
// which needs it too (runtime.GOMAXPROCS), parks on it and pays the very
// wake-up the spin is there to avoid.
func spinUntil(done func() bool) bool {
	start := time.Now()
	for i := 1; ; i++ {
		if done() {
			return true
		}
		if i%spinCheck == 0 {
			if time.Since(start) > spinFor {
				return false
			}
			if i%(16*spinCheck) == 0 {
				runtime.Gosched()
			}
		}
	}
}

// spinCheck is the number of turns of spinUntil between looks at the
// clock: a few hundred nanoseconds.
const spinCheck = 256
