package sweep

// NUMERICS.md, at the repository's root, lists the promises this sweep
// checks; change the two together.

import (
	"fmt"
	"math"
	"os"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/simdnn/simdnn/internal/harness"
	"github.com/simdnn/simdnn/kernels"
	"github.com/simdnn/simdnn/kernels/internal/impls"
)

// transFunc is one transcendental kernel under test: its documented
// promises and its entry in an implementation's table.
type transFunc struct {
	harness.Transcendental
	entry func(im impls.Impl) impls.Unary
}

var allFuncs = []transFunc{
	{harness.Transcendentals[0], func(im impls.Impl) impls.Unary { return im.Exp }},
	{harness.Transcendentals[1], func(im impls.Impl) impls.Unary { return im.Tanh }},
	{harness.Transcendentals[2], func(im impls.Impl) impls.Unary { return im.Sigmoid }},
}

// codeOf identifies a kernel by its code, so that implementations whose
// tables share a kernel sweep it once.
func codeOf(k impls.Unary) uintptr { return reflect.ValueOf(k).Pointer() }

// generic returns the pure-Go implementation, the last of the list.
func generic() impls.Impl { return impls.List[len(impls.List)-1] }

// promise returns the error bound that f's doc comment states on im, and
// whether it promises that the results never decrease as the inputs
// increase: the fallback's kernels are monotonic, and so are the vector
// kernels that give its bits. The fast vector Tanh and Sigmoid are not:
// their errors of an ULP or two go either way from one input to the next
// (the full sweep finds hundreds of thousands of such pairs).
func (f transFunc) promise(im impls.Impl) (ulps float64, monotonic bool) {
	if codeOf(f.entry(im)) == codeOf(f.entry(generic())) {
		return harness.TranscendentalULP, true
	}
	return f.SIMDULP, f.SIMDBits
}

// implsUnderTest returns the implementations to sweep: every table this
// CPU runs (every tuning's), or only the one SIMDNN_KERNELS chose.
func implsUnderTest(t *testing.T) []impls.Impl {
	if len(impls.List) == 0 || impls.List[len(impls.List)-1].Name != "generic" {
		t.Fatalf("package kernels handed over no tables, or generic is not last: %v", impls.List)
	}
	if os.Getenv("SIMDNN_KERNELS") == "" {
		return impls.List
	}
	for _, im := range impls.List {
		if im.Active {
			return []impls.Impl{im}
		}
	}
	t.Fatalf("the active implementation %s is not in the tables", kernels.Impl())
	return nil
}

const (
	// sweepChunk is the number of inputs per kernel call in the sweep.
	sweepChunk = 4096
	// sweepBlock is the number of inputs whose rounded references are
	// held at a time (3 × 16 MiB): the reference, the costliest part of
	// the sweep, is computed once per input and shared by every
	// implementation.
	sweepBlock = 1 << 22
	// sweepShortStride is the step between the bit patterns that -short
	// samples: a prime, so that the sample meets every exponent and many
	// mantissa patterns.
	sweepShortStride = 4099
)

// sweepStats is what the sweep finds for one kernel on one implementation.
type sweepStats struct {
	n, off   int64   // inputs seen; results other than the correctly rounded one
	maxULP   float64 // the largest error among the off results
	worst    float32 // the input with that error
	worstGot float32
	badRange int64 // results outside the function's range
	badMono  int64 // consecutive inputs whose results go the wrong way
	badSat   int64 // results at an end of the range where the rounded reference is not, or not where it is
	badBits  int64 // results whose bits differ from the fallback's, where they are promised the same
	rangeEx  string
	monoEx   string
	satEx    string
	bitsEx   string
	shared   string  // the implementation whose identical kernel was swept instead
	bound    float64 // the documented bound of the kernel swept
	mono     bool    // whether it is documented monotonic
}

func (s *sweepStats) merge(o *sweepStats) {
	if o.off > 0 && (s.off == 0 || o.maxULP > s.maxULP) {
		s.maxULP, s.worst, s.worstGot = o.maxULP, o.worst, o.worstGot
	}
	s.n += o.n
	s.off += o.off
	if s.badRange == 0 {
		s.rangeEx = o.rangeEx
	}
	s.badRange += o.badRange
	if s.badMono == 0 {
		s.monoEx = o.monoEx
	}
	s.badMono += o.badMono
	if s.badSat == 0 {
		s.satEx = o.satEx
	}
	s.badSat += o.badSat
	if s.badBits == 0 {
		s.bitsEx = o.bitsEx
	}
	s.badBits += o.badBits
}

// sweepInputs lists the inputs of the sweep by index: every float32 bit
// pattern in order, or with -short every sweepShortStride-th one followed
// by the special values of TestTranscendentalValues.
type sweepInputs struct {
	stride  int64
	strided int64 // how many of the inputs are strided bit patterns
	extra   []float32
}

func newSweepInputs(funcs []transFunc) sweepInputs {
	if !testing.Short() {
		return sweepInputs{stride: 1, strided: 1 << 32}
	}
	in := sweepInputs{stride: sweepShortStride, strided: (1<<32 + sweepShortStride - 1) / sweepShortStride}
	for _, f := range funcs {
		for _, v := range harness.TransValues(f.Name) {
			in.extra = append(in.extra, v.X)
		}
	}
	return in
}

func (in sweepInputs) len() int64 { return in.strided + int64(len(in.extra)) }

func (in sweepInputs) at(i int64) float32 {
	if i < in.strided {
		return math.Float32frombits(uint32(i * in.stride))
	}
	return in.extra[i-in.strided]
}

// fill sets x to the inputs first, first+1, … .
func (in sweepInputs) fill(x []float32, first int64) {
	for k := range x {
		x[k] = in.at(first + int64(k))
	}
}

// parallelChunks calls work(lo, hi) for consecutive ranges of at most
// sweepChunk indices covering [0, n), on runtime.GOMAXPROCS goroutines, and
// returns when all are done.
func parallelChunks(n int64, work func(worker int, lo, hi int64)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for {
				lo := next.Add(sweepChunk) - sweepChunk
				if lo >= n {
					return
				}
				work(w, lo, min(lo+sweepChunk, n))
			}
		})
	}
	wg.Wait()
}

// Run measures the error of the named kernel (Exp, Tanh or Sigmoid) on
// every float32 input (every 4099th with -short) on every implementation,
// against harness's float64 references, and asserts the bound their doc
// comments state for that implementation. It also checks that every result
// of a non-NaN input lies in the function's range, that it is at an end of
// the range (±1 for Tanh, 0 or 1 for Sigmoid, 0 or +Inf for Exp) exactly
// where the correctly rounded result is, which pins the documented
// saturation thresholds on every input, and, for the kernels documented
// monotonic, that the results never go down as the inputs go up.
//
// Where the function promises the fallback's bits on every implementation
// (Exp), each vector kernel's result is also compared with the fallback's,
// bit for bit but for NaN payloads.
//
// A result equal to the rounded reference is within ½ ULP and is not
// measured further; only the others are, with the float64 reference
// computed again. Implementations whose table holds the very same kernel
// as one swept before are not swept twice.
func Run(t *testing.T, name string) {
	var funcs []transFunc
	for _, f := range allFuncs {
		if f.Name == name {
			funcs = append(funcs, f)
		}
	}
	if len(funcs) == 0 {
		t.Fatalf("sweep.Run: no transcendental kernel is named %q", name)
	}
	under := implsUnderTest(t)
	in := newSweepInputs(funcs)
	n := in.len()
	stats := map[string][]sweepStats{}
	start := time.Now()
	var refTime time.Duration

	refs := make([][]float32, len(funcs))
	// fallback holds the generic implementation's results for the
	// functions whose vector kernels promise its bits, where a kernel
	// under test is not the generic one itself; nil for the others.
	fallback := make([][]float32, len(funcs))
	fallbackIn := make([][]float32, runtime.GOMAXPROCS(0)) // each worker's inputs
	for w := range fallbackIn {
		fallbackIn[w] = make([]float32, sweepChunk)
	}
	for fi, f := range funcs {
		refs[fi] = make([]float32, min(n, sweepBlock))
		for _, im := range under {
			if f.SIMDBits && fallback[fi] == nil && codeOf(f.entry(im)) != codeOf(f.entry(generic())) {
				fallback[fi] = make([]float32, min(n, sweepBlock))
			}
		}
	}
	for base := int64(0); base < n; base += sweepBlock {
		blk := min(n-base, sweepBlock)
		refStart := time.Now()
		parallelChunks(blk, func(_ int, lo, hi int64) {
			for fi, f := range funcs {
				ref := refs[fi][lo:hi]
				for j := range ref {
					ref[j] = harness.Round32(f.Ref(in.at(base + lo + int64(j))))
				}
			}
		})
		refTime += time.Since(refStart)
		parallelChunks(blk, func(w int, lo, hi int64) {
			for fi, f := range funcs {
				if fb := fallback[fi]; fb != nil {
					x := fallbackIn[w][:hi-lo]
					in.fill(x, base+lo)
					f.entry(generic())(fb[lo:hi], x)
				}
			}
		})

		swept := map[uintptr]string{} // kernel code pointer → implementation that swept it
		for _, im := range under {
			st := stats[im.Name]
			if st == nil {
				st = make([]sweepStats, len(funcs))
				stats[im.Name] = st
			}
			var todo []int // the indices in funcs of the kernels to sweep
			for fi, f := range funcs {
				key := codeOf(f.entry(im))
				if by, ok := swept[key]; ok {
					st[fi].shared = by
					continue
				}
				swept[key] = im.Name
				st[fi].bound, st[fi].mono = f.promise(im)
				todo = append(todo, fi)
			}
			sweepBlockOf(funcs, im, todo, in, base, refs, fallback, blk, st)
		}
	}

	t.Logf("%d inputs in %v (references %v) on %d goroutines", n, time.Since(start).Round(time.Millisecond), refTime.Round(time.Millisecond), runtime.GOMAXPROCS(0))
	for _, im := range under {
		name, st := im.Name, stats[im.Name]
		for fi, f := range funcs {
			s := &st[fi]
			if s.shared != "" {
				t.Logf("%s %s: the same kernel as %s's", name, f.Name, s.shared)
				continue
			}
			if s.off == 0 {
				t.Logf("%s %s: all %d results correctly rounded", name, f.Name, s.n)
			} else {
				t.Logf("%s %s: max %.4f ULP at x = %s (got %s, want %.9g); %d of %d results not correctly rounded",
					name, f.Name, s.maxULP, harness.F(s.worst), harness.F(s.worstGot), f.Ref(s.worst), s.off, s.n)
			}
			if s.maxULP > s.bound {
				t.Errorf("%s %s: error %.4f ULP at x = %s (got %s, want %.9g), above the documented %g ULP",
					name, f.Name, s.maxULP, harness.F(s.worst), harness.F(s.worstGot), f.Ref(s.worst), s.bound)
			}
			if s.badRange > 0 {
				t.Errorf("%s %s: %d results outside [%g, %g], first %s", name, f.Name, s.badRange, f.Lo, f.Hi, s.rangeEx)
			}
			switch {
			case s.badMono > 0 && s.mono:
				t.Errorf("%s %s: %d pairs of consecutive inputs not monotonic, first %s", name, f.Name, s.badMono, s.monoEx)
			case s.badMono > 0:
				t.Logf("%s %s: %d pairs of consecutive inputs not monotonic (not documented to be), first %s", name, f.Name, s.badMono, s.monoEx)
			}
			if s.badSat > 0 {
				t.Errorf("%s %s: %d results saturated where the correctly rounded result is not, or not where it is; first %s", name, f.Name, s.badSat, s.satEx)
			}
			if s.badBits > 0 {
				t.Errorf("%s %s: %d results differ from the fallback's bits, which the kernel promises; first %s", name, f.Name, s.badBits, s.bitsEx)
			}
		}
	}
}

// sweepBlockOf runs the kernels funcs[todo] of implementation im on the
// inputs base to base+blk of in, whose rounded references are refs and
// whose fallback results, where promised bit for bit, are fallback, on
// GOMAXPROCS goroutines, and adds what it finds to st. Each chunk also
// evaluates the input before it, so that monotonicity is checked across
// chunk and block boundaries too.
func sweepBlockOf(funcs []transFunc, im impls.Impl, todo []int, in sweepInputs, base int64, refs, fallback [][]float32, blk int64, st []sweepStats) {
	if len(todo) == 0 {
		return
	}
	var mu sync.Mutex
	workers := runtime.GOMAXPROCS(0)
	xs := make([][]float32, workers)
	got := make([][]float32, workers)
	for w := range workers {
		xs[w] = make([]float32, sweepChunk+1)
		got[w] = make([]float32, sweepChunk+1)
	}
	parallelChunks(blk, func(w int, lo, hi int64) {
		first := base + lo
		if first > 0 {
			first-- // the previous input, for monotonicity only
		}
		skip := int(base + lo - first) // 1 if x[0] is that previous input
		x, y := xs[w][:base+hi-first], got[w][:base+hi-first]
		in.fill(x, first)
		s := make([]sweepStats, len(funcs))
		for _, fi := range todo {
			f, ref, s := funcs[fi], refs[fi][lo:hi], &s[fi]
			var fb []float32 // the fallback's results, where they must be matched
			if fallback[fi] != nil && codeOf(f.entry(im)) != codeOf(f.entry(generic())) {
				fb = fallback[fi][lo:hi]
			}
			f.entry(im)(y, x)
			for k := 1; k < len(x); k++ {
				if px, v, pr, r := x[k-1], x[k], y[k-1], y[k]; px < v && pr > r || px > v && pr < r {
					if s.badMono == 0 {
						s.monoEx = fmt.Sprintf("%s(%s) = %s, %s(%s) = %s", f.Name, harness.F(px), harness.F(pr), f.Name, harness.F(v), harness.F(r))
					}
					s.badMono++
				}
			}
			x, y := x[skip:], y[skip:]
			s.n += int64(len(x))
			for k, v := range x {
				r := y[k]
				if v == v && !(r >= f.Lo && r <= f.Hi) {
					if s.badRange == 0 {
						s.rangeEx = fmt.Sprintf("%s(%s) = %s", f.Name, harness.F(v), harness.F(r))
					}
					s.badRange++
				}
				if v == v && f.Saturates(r) != f.Saturates(ref[k]) {
					if s.badSat == 0 {
						s.satEx = fmt.Sprintf("%s(%s) = %s, correctly rounded %s", f.Name, harness.F(v), harness.F(r), harness.F(ref[k]))
					}
					s.badSat++
				}
				if fb != nil && !harness.SameBits(r, fb[k]) {
					if s.badBits == 0 {
						s.bitsEx = fmt.Sprintf("%s(%s) = %s, the fallback's %s", f.Name, harness.F(v), harness.F(r), harness.F(fb[k]))
					}
					s.badBits++
				}
				if harness.SameBits(r, ref[k]) {
					continue
				}
				s.off++
				if u := harness.ULP(r, f.Ref(v)); s.off == 1 || u > s.maxULP {
					s.maxULP, s.worst, s.worstGot = u, v, r
				}
			}
		}
		mu.Lock()
		for _, fi := range todo {
			st[fi].merge(&s[fi])
		}
		mu.Unlock()
	})
}
