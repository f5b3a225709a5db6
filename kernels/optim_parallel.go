package kernels

import "github.com/simdnn/simdnn/internal/freelist"

// SGD, Adam and Axpy (plain SGD's update) over long slices split them
// into contiguous stripes on the pool's goroutines (pool.go). The updates
// are elementwise and their scalars computed once per call, so the
// results are the same bits however the slices are cut. Besides the time of the update itself, splitting spreads
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

// optimKind is the update an optimCall runs.
type optimKind uint8

const (
	sgdUpdate  optimKind = iota // SGD
	adamUpdate                  // Adam
	axpyUpdate                  // Axpy
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

// optimCall is one SGD, Adam or Axpy call: its slices, each nil or as long
// as w, and its per-call scalars, computed once for every stripe. Axpy's
// y is w, its x is g.
type optimCall struct {
	kind             optimKind
	w, m, v, vmax, g []float32
	alpha            float32 // Axpy's
	sgd              sgdStep
	adam             adamStep
}

// update runs the call's update on elements [lo, hi) with the kernels
// of im.
func (c *optimCall) update(im *impl, lo, hi int) {
	w, g := c.w[lo:hi], c.g[lo:hi]
	switch c.kind {
	case sgdUpdate:
		im.sgd.step(w, stripe(c.v, lo, hi), g, &c.sgd)
	case adamUpdate:
		im.adam.step(w, c.m[lo:hi], c.v[lo:hi], stripe(c.vmax, lo, hi), g, &c.adam)
	case axpyUpdate:
		im.axpy(w, c.alpha, g)
	}
}

// stripe returns s[lo:hi], or nil for a nil s (a slice the update does
// not use).
func stripe(s []float32, lo, hi int) []float32 {
	if s == nil {
		return nil
	}
	return s[lo:hi]
}

// optimJob is one optimCall split into stripes.
type optimJob struct {
	job
	im *impl // the implementation active when the call began
	optimCall
	width int
}

var optimJobs freelist.List[optimJob]

// stripe updates elements [s·width, (s+1)·width) of the slices.
func (call *optimJob) stripe(s int) {
	lo := s * call.width
	call.update(call.im, lo, min(lo+call.width, len(call.w)))
}

// runOptim runs c, on the pool when it is long enough to gain.
func runOptim(c *optimCall) {
	minElems := minStripeElems
	if c.kind == axpyUpdate {
		minElems = minAxpyStripe
	}
	stripes, width := optimStripes(len(c.w), minElems)
	if stripes == 1 {
		c.update(active, 0, len(c.w))
		return
	}
	call := optimJobs.Get()
	call.task, call.im, call.optimCall, call.width = call, active, *c, width
	call.run(stripes)
	call.optimCall = optimCall{} // drop the references
	optimJobs.Put(call)
}
