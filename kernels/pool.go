package kernels

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Large products (sgemm_parallel.go), long optimizer updates
// (optim_parallel.go) and long sums of squares (sumsq_parallel.go) are
// split into stripes that the calling goroutine and a pool of workers
// take by number until none is left. The stripes share no output, so
// they need no synchronisation but the final wait, and each is computed
// the same way whoever takes it: results do not depend on the number of
// goroutines.

// threadLimit is SetThreads' bound; 0 means GOMAXPROCS.
var threadLimit atomic.Int32

// SetThreads bounds the number of goroutines one call of Sgemm,
// SgemmBiasAct, SGD, Adam, Axpy or SumSquares runs on, the caller's
// included, and returns the previous bound. n ≤ 0 restores the default,
// GOMAXPROCS at the time of each call; n = 1 keeps every call on the
// calling goroutine. A call never uses more than GOMAXPROCS goroutines,
// nor more than its size makes worthwhile (a product of a few million
// flops, an update of fewer than 32768 elements, or an Axpy or
// SumSquares of fewer than 131072, runs on the caller alone). The result
// does not depend on the bound.
//
// The goroutines beyond the caller's come from a pool that is started on
// first use and kept. After a split call they spin for up to half a
// millisecond (spinFor), so that the next product of a training step
// finds them running; then they park, costing nothing, until one comes.
func SetThreads(n int) int {
	// Clamped, not truncated: SetThreads(1<<32) must not become the default.
	prev := int(threadLimit.Swap(int32(min(max(n, 0), math.MaxInt32))))
	if prev == 0 {
		return runtime.GOMAXPROCS(0)
	}
	return prev
}

// maxThreads returns the most goroutines a call may use: GOMAXPROCS,
// bounded by SetThreads. It takes the scheduler's lock; callers ask it
// only for work large enough to split.
func maxThreads() int {
	t := runtime.GOMAXPROCS(0)
	if lim := int(threadLimit.Load()); lim > 0 {
		t = min(t, lim)
	}
	return t
}

// A stripeTask is work cut into numbered stripes.
type stripeTask interface{ stripe(s int) }

// job is one call split into stripes: the caller and the workers that
// join it take stripes by number until none is left. It is embedded in
// the pooled state of each kind of call, whose task it runs.
type job struct {
	task    stripeTask
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
// on Zen 5, 2 vCPUs of a Firecracker VM), longer than most products of a
// training step take; without spinning, two goroutines ran a step slower
// than one there (to measure again, set spinFor to 0 and compare
// threads=GOMAXPROCS with threads=1 in
// go test ./bench -run '^$' -bench TrainStep -cpu 2). Spinning costs at
// most spinFor of one idle CPU after each split call; back-to-back calls,
// as in training, find the workers spinning and start them within a
// microsecond.
const spinFor = 500 * time.Microsecond

// offer is the split call, if any, that spinning workers may join; a
// caller posts its call here and withdraws it when it has taken the last
// stripe. Concurrent callers that find it taken hand their calls only to
// parked workers, through parked.
var offer atomic.Pointer[job]

// run offers stripes−1 seats to the workers, takes stripes on the calling
// goroutine until none is left, closes the seats and waits for the
// workers that joined. A worker joins only while a seat is open, so the
// caller never waits for one that has yet to start: with no worker at
// hand, it computes every stripe itself.
func (call *job) run(stripes int) {
	call.stripes = stripes
	call.next.Store(0)
	n := int32(stripes - 1)
	startWorkers(int(n))
	call.wg.Add(int(n))
	call.running.Store(n)
	call.seats.Store(n) // publishes the arguments to the workers that join
	posted := offer.CompareAndSwap(nil, call)
	for range n {
		select {
		case parked <- call: // a parked worker; it joins if a seat is left
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
func (call *job) join() bool {
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
func (call *job) work() {
	for {
		s := int(call.next.Add(1)) - 1
		if s >= call.stripes {
			return
		}
		call.task.stripe(s)
	}
}

// parked hands calls to parked workers; it is unbuffered, so that a call
// is only ever handed to a worker that is waiting for one.
var parked = make(chan *job)

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
		var call *job
		spinUntil(func() bool {
			c := offer.Load()
			if c != nil && c.join() {
				call = c
			}
			return call != nil
		})
		if call == nil {
			for call = range parked {
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
