package kernels

import "github.com/simdnn/simdnn/internal/freelist"

// SGDMomentum and Adam over long slices split them into contiguous
// stripes on the pool's goroutines (pool.go). The updates are elementwise,
// so the results are the same bits however the slices are cut. Besides the
// time of the update itself, splitting spreads the reads of gradients that
// a split product has just written on two cores: on one goroutine, Adam
// then fetched half of them from the other core's cache, and ran at half
// its speed.

// minStripeElems is the shortest stripe of an optimizer update: a few
// microseconds of Adam, several times what it costs to hand a stripe to a
// spinning worker.
const minStripeElems = 16 << 10

// stripeAlign keeps stripes' boundaries on whole cache lines of floats
// (when the slices start on one), so that no line is written by two cores.
const stripeAlign = 16

// optimStripes returns the number of stripes for an update of n elements
// and their width: one stripe when n is too short to gain.
func optimStripes(n int) (stripes, width int) {
	if n < 2*minStripeElems {
		return 1, n // without asking GOMAXPROCS, which takes a lock
	}
	t := min(maxThreads(), n/minStripeElems)
	if t <= 1 {
		return 1, n
	}
	width = (n + t - 1) / t
	width = (width + stripeAlign - 1) / stripeAlign * stripeAlign
	return (n + width - 1) / width, width
}

// optimJob is one SGDMomentum or Adam call split into stripes.
type optimJob struct {
	job
	im            *impl // the implementation active when the call began
	adam          bool
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
	w, v, g := call.w[lo:hi], call.v[lo:hi], call.g[lo:hi]
	if call.adam {
		call.im.adam(w, call.m[lo:hi], v, g, call.lr, call.b1, call.b2, call.e, call.step)
		return
	}
	call.im.sgdMomentum(w, v, g, call.lr, call.b1)
}

// splitOptim runs one update on the pool when it is long enough to gain,
// and reports whether it did; the caller runs it whole otherwise. m is nil
// for SGDMomentum.
func splitOptim(adam bool, w, m, v, g []float32, lr, b1, b2, eps float32, step int) bool {
	stripes, width := optimStripes(len(w))
	if stripes == 1 {
		return false
	}
	call := optimJobs.Get()
	call.task, call.im = call, active
	call.adam, call.w, call.m, call.v, call.g = adam, w, m, v, g
	call.lr, call.b1, call.b2, call.e, call.step, call.width = lr, b1, b2, eps, step, width
	call.run(stripes)
	call.w, call.m, call.v, call.g = nil, nil, nil, nil // drop the references
	optimJobs.Put(call)
	return true
}
