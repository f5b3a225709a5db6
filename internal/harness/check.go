package harness

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// The tolerance check that understands NaN, signed zeros and overflow, the
// special values, and a capped error report.

// Specials returns the float32 values whose handling every kernel's
// contract pins down: ±0, the smallest and largest denormals, ±FLT_MIN,
// ±1, ±1e30, ±FLT_MAX, ±Inf and NaN.
func Specials() []float32 {
	pos := []float32{
		0,
		math.Float32frombits(1),          // 2⁻¹⁴⁹, the smallest denormal
		math.Float32frombits(0x007fffff), // the largest denormal
		0x1p-126,                         // FLT_MIN
		1,
		1e30,
		math.MaxFloat32,
		float32(math.Inf(1)),
	}
	var s []float32
	for _, v := range pos {
		s = append(s, v, -v)
	}
	return append(s, float32(math.NaN()))
}

// overflow is the smallest magnitude that rounds to ±Inf in float32:
// FLT_MAX plus half its ULP.
const overflow = 0x1p128 - 0x1p103

// Within reports whether got is within ulps·ULPAt(want) + abs of the
// float64 reference want. With ulps and abs both 0 it asks for the
// correctly rounded result bit for bit, so −0 and +0 differ. A NaN matches
// only a NaN (any payload); an infinite got matches a want of the same
// sign that rounds to it or that lies within the tolerance of the rounding
// threshold; a finite got never matches an infinite want.
func Within(got float32, want, ulps, abs float64) bool {
	if ulps == 0 && abs == 0 {
		return SameBits(got, float32(want))
	}
	g := float64(got)
	tol := ulps*ULPAt(want) + abs
	switch {
	case math.IsNaN(g) || math.IsNaN(want):
		return math.IsNaN(g) && math.IsNaN(want)
	case g == want:
		return true // equal infinities, whatever tol is
	case math.IsInf(g, 0):
		return math.Signbit(g) == math.Signbit(want) && math.Abs(want)+tol >= overflow
	case math.IsInf(want, 0):
		return false
	}
	return math.Abs(g-want) <= tol
}

// SumErr returns a bound on the error of a float32 sum of n terms,
// relative to the sum of their absolute values, whatever the order in
// which a kernel adds them, as long as each float32 accumulator adds at
// most n/4 + 1 of them (the kernels accumulate in vectors of 4 lanes or
// more) and the lanes are then reduced in a tree of depth ≤ 5: each of
// the ≤ n/4 + 6 roundings on the way of a term is a relative error
// ≤ 2⁻²⁴. The 2 more cover rounding the terms themselves (products) and
// a final conversion. Recursive summation's classic bound, (n−1)·2⁻²⁴,
// would be needlessly loose for the vector kernels.
func SumErr(n int) float64 { return float64(n/4+8) * 0x1p-24 }

// F formats a float32 with its bits, so that signed zeros and NaN payloads
// show in a failure message.
func F(v float32) string {
	return fmt.Sprintf("%g [%#08x]", v, math.Float32bits(v))
}

// MaxErrors is how many failures Errs reports before it stops the test.
const MaxErrors = 10

// Errs reports failures through T and stops the test after MaxErrors of
// them: a broken kernel fails thousands of elements, and the first few say
// all there is to say.
type Errs struct {
	T testing.TB
	n int
}

// Errorf reports one failure, and stops the test if it is the
// MaxErrors-th.
func (e *Errs) Errorf(format string, args ...any) {
	e.T.Helper()
	e.n++
	e.T.Errorf(format, args...)
	if e.n >= MaxErrors {
		e.T.Fatalf("stopping after %d failures", e.n)
	}
}

// CheckCanaries reports, through e, every slice of ps whose canaries were
// overwritten; names[i] names ps[i] in the message.
func (e *Errs) CheckCanaries(what string, names []string, ps []Placed) {
	e.T.Helper()
	for i, p := range ps {
		if at, bad := p.BadCanary(); bad {
			e.Errorf("%s: wrote outside %s: element %d (len %d) is %s", what, names[i], at, len(p.S), F(p.buf[p.lo+at]))
		}
	}
}

// Uniform returns a float32 drawn uniformly from [lo, hi).
func Uniform(r *rand.Rand, lo, hi float64) float32 {
	return float32(lo + (hi-lo)*r.Float64())
}

// Int32View returns s reinterpreted as int32s, so that an int32 operand
// (class labels) can be placed by Place, GuardAfter and GuardBefore.
func Int32View(s []float32) []int32 {
	return unsafe.Slice((*int32)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

// FromInt32 returns the bits of l as float32s, the values to Place for an
// int32 operand that Int32View will read back.
func FromInt32(l []int32) []float32 {
	s := make([]float32, len(l))
	for i, v := range l {
		s[i] = math.Float32frombits(uint32(v))
	}
	return s
}
