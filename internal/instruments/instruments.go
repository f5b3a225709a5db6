// Package instruments holds the measuring instruments that the benchmarks
// quote the kernels against, in the same run, for the implementation that
// package kernels runs: the FMA peak of its vector width, the divider's
// throughput for Adam's square root and division, streams that read and
// write as many arrays as the elementwise kernels and the optimizer
// updates, and a streaming read. They are not kernels: they compute
// nothing anyone uses.
package instruments

// Set is the instruments of one implementation. The peaks are nil where
// there is no generated instrument (the generic implementation, which is
// not held against the vector units); the streams and Read are Go loops
// there.
type Set struct {
	// FMAPeak runs n iterations of FMAFlops float32 flops on registers
	// only, as many independent chains as the GEMM micro-kernel has
	// accumulators.
	FMAPeak  func(n int)
	FMAFlops float64

	// SqrtDivPeak runs n iterations of a square root and a division of
	// SqrtDivElems elements each, on registers only: Adam's bound.
	SqrtDivPeak  func(n int)
	SqrtDivElems float64

	// Add21 sets dst = x + y: two arrays read, a third written, as the
	// derivatives and MSE's gradient do.
	Add21 func(dst, x, y []float32)
	// Stream21, Stream32 and Stream43 add their last slice to each of
	// the others in place: 2 arrays read and 1 written (Axpy), 3 and 2
	// (SGDMomentum), 4 and 3 (Adam).
	Stream21 func(y, x []float32)
	Stream32 func(w, v, g []float32)
	Stream43 func(w, m, v, g []float32)

	// Read reads every element of x and writes nothing, a streaming
	// read: the bound of a pass that must read all of its operands once.
	Read func(x []float32)
}

// Active returns the instruments of the implementation package kernels
// runs (kernels.Impl).
func Active() Set { return active() }

// goSet is the instruments as Go loops, without the peaks.
func goSet() Set {
	return Set{
		Add21: func(dst, x, y []float32) {
			x, y = x[:len(dst)], y[:len(dst)]
			for i := range dst {
				dst[i] = x[i] + y[i]
			}
		},
		Stream21: func(y, x []float32) {
			x = x[:len(y)]
			for i := range y {
				y[i] += x[i]
			}
		},
		Stream32: func(w, v, g []float32) {
			v, g = v[:len(w)], g[:len(w)]
			for i := range w {
				w[i] += g[i]
				v[i] += g[i]
			}
		},
		Stream43: func(w, m, v, g []float32) {
			m, v, g = m[:len(w)], v[:len(w)], g[:len(w)]
			for i := range w {
				w[i] += g[i]
				m[i] += g[i]
				v[i] += g[i]
			}
		},
		Read: goRead,
	}
}

// sink keeps goRead's sum alive: the compiler does not remove a store to
// a package variable, so the loads that feed it stay.
//
//lint:ignore U1000 written, never read, by design
var sink float32

// vectorRead returns Read made of a generated instrument that reads
// whole blocks of 64 values, with goRead for the rest.
func vectorRead(blocks func(x []float32)) func(x []float32) {
	return func(x []float32) {
		n := len(x) &^ 63
		blocks(x[:n])
		goRead(x[n:])
	}
}

// goRead sums x with eight independent accumulators, so that the loop is
// bound by loads rather than by the latency of one chain of additions.
func goRead(x []float32) {
	var a [8]float32
	for len(x) >= 8 {
		a[0] += x[0]
		a[1] += x[1]
		a[2] += x[2]
		a[3] += x[3]
		a[4] += x[4]
		a[5] += x[5]
		a[6] += x[6]
		a[7] += x[7]
		x = x[8:]
	}
	for _, v := range x {
		a[0] += v
	}
	sink = a[0] + a[1] + a[2] + a[3] + a[4] + a[5] + a[6] + a[7]
}
