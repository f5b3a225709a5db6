package kernels

// NUMERICS.md, at the repository's root, lists the promises these tests
// check; change the two together.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/simdnn/simdnn/internal/harness"
)

// transcendentalULP is the accuracy that the doc comments of Exp, Tanh and
// Sigmoid promise for the pure-Go kernels, and for Exp on every
// implementation: at most this many ULPs from the exact result, over every
// float32 input.
const transcendentalULP = 1

// transFunc describes one of the transcendental kernels under test.
type transFunc struct {
	name   string
	f      func(dst, x []float32)                // the public function
	entry  func(im *impl) func(dst, x []float32) // its entry in an implementation's table
	ref    func(float32) float64
	lo, hi float32 // the range of the results of non-NaN inputs
	// simdULP is the bound the doc comment states for the vector
	// kernels; simdBits says they give the fallback's bits. Where an
	// implementation's table holds the fallback itself, its bound and
	// bits are the fallback's.
	simdULP  float64
	simdBits bool
}

var transFuncs = []transFunc{
	{"Exp", Exp, func(im *impl) func(dst, x []float32) { return im.exp }, harness.Exp, 0, float32(math.Inf(1)), transcendentalULP, true},
	{"Tanh", Tanh, func(im *impl) func(dst, x []float32) { return im.tanh }, harness.Tanh, -1, 1, fastTransULP, false},
	{"Sigmoid", Sigmoid, func(im *impl) func(dst, x []float32) { return im.sigmoid }, harness.Sigmoid, 0, 1, fastTransULP, false},
}

// fastTransULP is the bound that the doc comments of Tanh and Sigmoid state
// for their vector kernels, which use fused multiply-adds and a faster exp.
const fastTransULP = 3

// isFallback reports whether im's entry for f is the pure-Go kernel.
func (f transFunc) isFallback(im *impl) bool {
	return reflect.ValueOf(f.entry(im)).Pointer() == reflect.ValueOf(f.entry(&generic)).Pointer()
}

// bound returns the error bound of f on the active implementation.
func (f transFunc) bound() float64 {
	if f.isFallback(active) {
		return transcendentalULP
	}
	return f.simdULP
}

// monotonic reports whether f on the active implementation is documented
// never to decrease as x increases: the fallback's kernels are, and so
// are the vector kernels that give its bits. The fast vector Tanh and
// Sigmoid are not: their errors of an ULP or two go either way from one
// input to the next (the full sweep finds tens of thousands of such pairs).
func (f transFunc) monotonic() bool { return f.sameBitsAsFallback() }

// sameBitsAsFallback reports whether f on the active implementation gives
// the fallback's bits (NaN payloads aside).
func (f transFunc) sameBitsAsFallback() bool {
	return f.simdBits || f.isFallback(active)
}

// saturates reports whether r is one of the ends of f's range (for Exp, 0
// or +Inf): the results that the doc comments pin to the correctly rounded
// function's thresholds.
func (f transFunc) saturates(r float32) bool { return r == f.lo || r == f.hi }

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
	rangeEx  string
	monoEx   string
	satEx    string
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
}

// sweepInputs lists the inputs of the sweep by index: every float32 bit
// pattern in order, or with -short every sweepShortStride-th one followed
// by the special values of TestTranscendentalValues.
type sweepInputs struct {
	stride  int64
	strided int64 // how many of the inputs are strided bit patterns
	extra   []float32
}

func newSweepInputs() sweepInputs {
	if !testing.Short() {
		return sweepInputs{stride: 1, strided: 1 << 32}
	}
	in := sweepInputs{stride: sweepShortStride, strided: (1<<32 + sweepShortStride - 1) / sweepShortStride}
	for _, f := range transFuncs {
		for _, v := range transValues(f.name) {
			in.extra = append(in.extra, v.x)
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

// TestTranscendentalULP measures the error of Exp, Tanh and Sigmoid on
// every float32 input (every 4099th with -short) on every implementation,
// against harness's float64 references, and asserts the bound their doc
// comments state for that implementation. It also checks that every result
// of a non-NaN input lies in the function's range, that it is at an end of
// the range (±1 for Tanh, 0 or 1 for Sigmoid, 0 or +Inf for Exp) exactly
// where the correctly rounded result is, which pins the documented
// saturation thresholds on every input, and, for the kernels documented
// monotonic, that the results never go down as the inputs go up.
//
// A result equal to the rounded reference is within ½ ULP and is not
// measured further; only the others are, with the float64 reference
// computed again. Implementations whose table holds the very same kernel
// as one swept before are not swept twice.
func TestTranscendentalULP(t *testing.T) {
	in := newSweepInputs()
	n := in.len()
	stats := map[string][]sweepStats{}
	start := time.Now()
	var refTime time.Duration

	refs := make([][]float32, len(transFuncs))
	for fi := range refs {
		refs[fi] = make([]float32, min(n, sweepBlock))
	}
	for base := int64(0); base < n; base += sweepBlock {
		blk := min(n-base, sweepBlock)
		refStart := time.Now()
		parallelChunks(blk, func(_ int, lo, hi int64) {
			for fi, f := range transFuncs {
				ref := refs[fi][lo:hi]
				for j := range ref {
					ref[j] = harness.Round32(f.ref(in.at(base + lo + int64(j))))
				}
			}
		})
		refTime += time.Since(refStart)

		swept := map[uintptr]string{} // kernel code pointer → implementation that swept it
		forEachImpl(t, func(t *testing.T) {
			st := stats[Impl()]
			if st == nil {
				st = make([]sweepStats, len(transFuncs))
				stats[Impl()] = st
			}
			var todo []int // the indices in transFuncs of the kernels to sweep
			for fi, f := range transFuncs {
				key := reflect.ValueOf(f.entry(active)).Pointer()
				if by, ok := swept[key]; ok {
					st[fi].shared = by
					continue
				}
				swept[key] = Impl()
				st[fi].bound, st[fi].mono = f.bound(), f.monotonic()
				todo = append(todo, fi)
			}
			sweepBlockOf(todo, in, base, refs, blk, st)
		})
	}

	t.Logf("%d inputs in %v (references %v) on %d goroutines", n, time.Since(start).Round(time.Millisecond), refTime.Round(time.Millisecond), runtime.GOMAXPROCS(0))
	for _, name := range Available() {
		st := stats[name]
		if st == nil {
			continue // not under test (SIMDNN_KERNELS)
		}
		for fi, f := range transFuncs {
			s := &st[fi]
			if s.shared != "" {
				t.Logf("%s %s: the same kernel as %s's", name, f.name, s.shared)
				continue
			}
			if s.off == 0 {
				t.Logf("%s %s: all %d results correctly rounded", name, f.name, s.n)
			} else {
				t.Logf("%s %s: max %.4f ULP at x = %s (got %s, want %.9g); %d of %d results not correctly rounded",
					name, f.name, s.maxULP, harness.F(s.worst), harness.F(s.worstGot), f.ref(s.worst), s.off, s.n)
			}
			if s.maxULP > s.bound {
				t.Errorf("%s %s: error %.4f ULP at x = %s (got %s, want %.9g), above the documented %g ULP",
					name, f.name, s.maxULP, harness.F(s.worst), harness.F(s.worstGot), f.ref(s.worst), s.bound)
			}
			if s.badRange > 0 {
				t.Errorf("%s %s: %d results outside [%g, %g], first %s", name, f.name, s.badRange, f.lo, f.hi, s.rangeEx)
			}
			switch {
			case s.badMono > 0 && s.mono:
				t.Errorf("%s %s: %d pairs of consecutive inputs not monotonic, first %s", name, f.name, s.badMono, s.monoEx)
			case s.badMono > 0:
				t.Logf("%s %s: %d pairs of consecutive inputs not monotonic (not documented to be), first %s", name, f.name, s.badMono, s.monoEx)
			}
			if s.badSat > 0 {
				t.Errorf("%s %s: %d results saturated where the correctly rounded result is not, or not where it is; first %s", name, f.name, s.badSat, s.satEx)
			}
		}
	}
}

// sweepBlockOf runs the kernels transFuncs[todo] through the public API on
// the inputs base to base+blk of in, whose rounded references are refs, on
// GOMAXPROCS goroutines, and adds what it finds to st. Each chunk also
// evaluates the input before it, so that monotonicity is checked across
// chunk and block boundaries too.
func sweepBlockOf(todo []int, in sweepInputs, base int64, refs [][]float32, blk int64, st []sweepStats) {
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
		for k := range x {
			x[k] = in.at(first + int64(k))
		}
		s := make([]sweepStats, len(transFuncs))
		for _, fi := range todo {
			f, ref, s := transFuncs[fi], refs[fi][lo:hi], &s[fi]
			f.f(y, x)
			for k := 1; k < len(x); k++ {
				if px, v, pr, r := x[k-1], x[k], y[k-1], y[k]; px < v && pr > r || px > v && pr < r {
					if s.badMono == 0 {
						s.monoEx = fmt.Sprintf("%s(%s) = %s, %s(%s) = %s", f.name, harness.F(px), harness.F(pr), f.name, harness.F(v), harness.F(r))
					}
					s.badMono++
				}
			}
			x, y := x[skip:], y[skip:]
			s.n += int64(len(x))
			for k, v := range x {
				r := y[k]
				if v == v && !(r >= f.lo && r <= f.hi) {
					if s.badRange == 0 {
						s.rangeEx = fmt.Sprintf("%s(%s) = %s", f.name, harness.F(v), harness.F(r))
					}
					s.badRange++
				}
				if v == v && f.saturates(r) != f.saturates(ref[k]) {
					if s.badSat == 0 {
						s.satEx = fmt.Sprintf("%s(%s) = %s, correctly rounded %s", f.name, harness.F(v), harness.F(r), harness.F(ref[k]))
					}
					s.badSat++
				}
				if harness.SameBits(r, ref[k]) {
					continue
				}
				s.off++
				if u := harness.ULP(r, f.ref(v)); s.off == 1 || u > s.maxULP {
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

// transValue is an input of the special-value table and what it must give.
type transValue struct {
	x     float32
	want  float32
	exact bool // want is the only acceptable result, bit for bit; otherwise within the bound of the reference
}

// transValues returns the special values of the named function: the
// special values of every kernel, the saturation, overflow and underflow
// thresholds documented on the function with their float32 neighbours,
// and the points where the implementations switch formulas.
func transValues(name string) []transValue {
	bits := math.Float32frombits
	inf := float32(math.Inf(1))
	nan := float32(math.NaN())
	ex := func(x, want float32) transValue { return transValue{x, want, true} }
	near := func(xs ...float32) []transValue {
		var vs []transValue
		for _, x := range xs {
			vs = append(vs, transValue{x: x})
		}
		return vs
	}
	nans := []transValue{ex(nan, nan), ex(-nan, nan), ex(bits(0x7f800001), nan), ex(bits(0xffc01234), nan)}
	tiny := near(bits(1), -bits(1), bits(0x007fffff), -bits(0x007fffff), 0x1p-126, -0x1p-126)

	var vs []transValue
	switch name {
	case "Exp":
		vs = []transValue{
			ex(0, 1), ex(negZero(), 1),
			ex(inf, inf), ex(-inf, 0), ex(1e30, inf), ex(-1e30, 0),
			ex(math.MaxFloat32, inf), ex(-math.MaxFloat32, 0),
			// Overflow: 88.7228317 is the last finite result.
			ex(bits(0x42b17218), inf), ex(bits(0x42b17219), inf), ex(89, inf),
			// Underflow: −103.972084 is the first 0, −103.972076 gives 2⁻¹⁴⁹.
			ex(bits(0xc2cff1b5), 0), ex(bits(0xc2cff1b6), 0), ex(-104, 0), ex(-200, 0),
			ex(bits(0xc2cff1b4), 0x1p-149),
		}
		vs = append(vs, near(1, -1, bits(0x42b17217), bits(0x42b17216), 88, -87,
			-87.33654, -87.33655, // eˣ around FLT_MIN
			-100, -103.9, bits(0xc2cff1b3),
			0.34657359, -0.34657359, 0.5, 10)...)
	case "Sigmoid":
		vs = []transValue{
			ex(0, 0.5), ex(negZero(), 0.5),
			ex(inf, 1), ex(-inf, 0), ex(1e30, 1), ex(-1e30, 0),
			ex(math.MaxFloat32, 1), ex(-math.MaxFloat32, 0),
			// Saturation: 17.32868 is the first 1.
			ex(bits(0x418aa123), 1), ex(bits(0x418aa124), 1), ex(18, 1), ex(100, 1),
			ex(bits(0x418aa122), bits(0x3f7fffff)),
			// Underflow, as for Exp.
			ex(bits(0xc2cff1b5), 0), ex(bits(0xc2cff1b6), 0), ex(-104, 0), ex(-200, 0),
			ex(bits(0xc2cff1b4), 0x1p-149),
		}
		vs = append(vs, near(1, -1, 17, -17, 88, -88, 89, -89, -87.33654, -100, -103.9, bits(0xc2cff1b3))...)
	case "Tanh":
		vs = []transValue{
			ex(0, 0), ex(negZero(), negZero()),
			ex(inf, 1), ex(-inf, -1), ex(1e30, 1), ex(-1e30, -1),
			ex(math.MaxFloat32, 1), ex(-math.MaxFloat32, -1),
			// Saturation: 9.01091385 is the first ±1.
			ex(bits(0x41102cb4), 1), ex(-bits(0x41102cb4), -1), ex(bits(0x41102cb5), 1), ex(10, 1), ex(-10, -1),
			ex(bits(0x41102cb3), bits(0x3f7fffff)), ex(-bits(0x41102cb3), -bits(0x3f7fffff)),
		}
		vs = append(vs, near(1, -1, 0.625, -0.625, bits(0x3f1fffff), bits(0x3f200001), -bits(0x3f1fffff),
			0x1p-12, bits(0x397fffff), -0x1p-12, 9, -9, 9.1, 45, -45)...)
	}
	vs = append(vs, tiny...)
	return append(vs, nans...)
}

func negZero() float32 { return float32(math.Copysign(0, -1)) }

// TestTranscendentalValues checks Exp, Tanh and Sigmoid on their special
// values: bit for bit where the documented result is exact (and the
// reference agrees, which checks the table itself), within the bound
// elsewhere, in one call and one element at a time. It also checks that
// Tanh is odd exactly, on the table and on random inputs.
func TestTranscendentalValues(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		for _, f := range transFuncs {
			vals := transValues(f.name)
			x := make([]float32, len(vals))
			for i, v := range vals {
				x[i] = v.x
			}
			all := make([]float32, len(x))
			f.f(all, x)
			for i, v := range vals {
				one := []float32{0}
				f.f(one, x[i:i+1])
				want := f.ref(v.x)
				for _, got := range []float32{all[i], one[0]} {
					switch {
					case v.exact && !harness.SameBits(got, v.want):
						t.Errorf("%s(%s) = %s, want %s", f.name, harness.F(v.x), harness.F(got), harness.F(v.want))
					case !v.exact && harness.ULP(got, want) > f.bound():
						t.Errorf("%s(%s) = %s, want %.9g within %g ULP", f.name, harness.F(v.x), harness.F(got), want, f.bound())
					case v.x == v.x && !(got >= f.lo && got <= f.hi):
						t.Errorf("%s(%s) = %s, outside [%g, %g]", f.name, harness.F(v.x), harness.F(got), f.lo, f.hi)
					}
				}
				if v.exact && !harness.SameBits(harness.Round32(want), v.want) {
					t.Errorf("table: %s(%s) rounds to %s, not %s", f.name, harness.F(v.x), harness.F(harness.Round32(want)), harness.F(v.want))
				}
			}
		}

		// Tanh is odd, bit for bit.
		r := rand.New(rand.NewPCG(1, 2))
		var x []float32
		for _, v := range transValues("Tanh") {
			x = append(x, v.x)
		}
		for range 4096 {
			x = append(x, math.Float32frombits(r.Uint32()), float32(r.NormFloat64()*3))
		}
		neg := make([]float32, len(x))
		for i, v := range x {
			neg[i] = -v
		}
		pos, negOut := make([]float32, len(x)), make([]float32, len(x))
		Tanh(pos, x)
		Tanh(negOut, neg)
		for i, v := range x {
			if v == v && !harness.SameBits(negOut[i], -pos[i]) {
				t.Errorf("Tanh(%s) = %s but Tanh(%s) = %s", harness.F(v), harness.F(pos[i]), harness.F(neg[i]), harness.F(negOut[i]))
			}
		}
	})
}
