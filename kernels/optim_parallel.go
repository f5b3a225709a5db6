package kernels

import "github.com/simdnn/simdnn/internal/freelist"

// SGDMomentum, Adam and Axpy (plain SGD's update) over long slices split
// them into contiguous stripes on the pool's goroutines (pool.go). The
// updates are elementwise, so the results are the same bits however the
// slices are cut. Besides the time of the update itself, splitting spreads
// the reads of gradients that a split product has just written on two
// cores: on one goroutine, Adam then fetched half of them from the other
// core's cache, and ran at half its speed, and Axpy at a quarter (75
// against 18 µs per SGD step of the MNIST model at batch 32).

// minStripeElems is the shortest stripe of an optimizer update: a few
// microseconds of Adam, several times what it costs to hand a stripe to a
// spinning worker. Axpy runs two (from memory) to seven (in cache) times
// as fast, so its stripes are four times as long (minAxpyStripe).
const (
	minStripeElems = 16 << 10
	minAxpyStripe  = 4 * minStripeElems
)

// optimKind is the update an optimJob runs.
type optimKind uint8

const (
	momentumUpdate optimKind = iota // SGDMomentum
	adamUpdate                      // Adam
	axpyUpdate                      // Axpy
)

// stripeAlign keeps stripes' boundaries on whole cache lines of floats
// (when the slices start on one), so that no line is written by two cores.
const stripeAlign = 16

// optimStripes returns the number of stripes for an update of n elements,
// in stripes of at least minElems, and their width: one stripe when n is
// too short to gain.
func optimStripes(n, minElems int) (stripes, width int) {
	if n < 2*minElems {
		return 1, n // without asking GOMAXPROCS, which takes a lock
	}
	t := min(maxThreads(), n/minElems)
	if t <= 1 {
		return 1, n
	}
	width = (n + t - 1) / t
	width = (width + stripeAlign - 1) / stripeAlign * stripeAlign
	return (n + width - 1) / width, width
}

// optimJob is one SGDMomentum, Adam or Axpy call split into stripes.
// Axpy's y is w, its x is g and its alpha is lr.
type optimJob struct {
	job
	im            *impl // the implementation active when the call began
	kind          optimKind
	w, m, v, g    []float32
	lr, b1, b2, e float32 // momentum is b1 for SGDMomentum
	step          int
	width         int
}

var optimJobs freelist.List[optimJob]

// stripe updates elements [s·width, (s+1)·width) of the slices.
func (call *optimJob) stripe(s int) {
	lo := s * call.width
	hi := min(lo+call.width, len(call.w))
	w, g := call.w[lo:hi], call.g[lo:hi]
	switch call.kind {
	case adamUpdate:
		call.im.adam(w, call.m[lo:hi], call.v[lo:hi], g, call.lr, call.b1, call.b2, call.e, call.step)
	case momentumUpdate:
		call.im.sgdMomentum(w, call.v[lo:hi], g, call.lr, call.b1)
	case axpyUpdate:
		call.im.axpy(w, call.lr, g)
	}
}

// splitOptim runs one update on the pool when it is long enough to gain,
// and reports whether it did; the caller runs it whole otherwise. m is nil
// for SGDMomentum, m and v for Axpy.
func splitOptim(kind optimKind, w, m, v, g []float32, lr, b1, b2, eps float32, step int) bool {
	minElems := minStripeElems
	if kind == axpyUpdate {
		minElems = minAxpyStripe
	}
	stripes, width := optimStripes(len(w), minElems)
	if stripes == 1 {
		return false
	}
	call := optimJobs.Get()
	call.task, call.im = call, active
	call.kind, call.w, call.m, call.v, call.g = kind, w, m, v, g
	call.lr, call.b1, call.b2, call.e, call.step, call.width = lr, b1, b2, eps, step, width
	call.run(stripes)
	call.w, call.m, call.v, call.g = nil, nil, nil, nil // drop the references
	optimJobs.Put(call)
	return true
}
