package harness

import (
	"fmt"
	"math"
	"testing"
	"unsafe"
)

// Slices placed at an offset between canaries, so that a kernel that
// writes or reads next to its operands is caught even where a guard page
// cannot see (inside the same page).

// CanaryLen is the number of elements checked on each side of a slice made
// by Place. A kernel that writes a masked tail one vector too far stays
// within the same page, where a guard page cannot see it; the canaries do.
const CanaryLen = 16

// CanaryBits is the bit pattern of a canary: a negative signalling NaN with
// a payload no arithmetic produces, so neither a stored result nor a
// quieted copy of the canary can pass for it.
const CanaryBits uint32 = 0xffa5c3e1

// Canary returns the canary value, also used to fill padding that a kernel
// must not touch (the columns past n when ld > n).
func Canary() float32 { return math.Float32frombits(CanaryBits) }

// align is the alignment, in bytes, of the element at offset 0 of a slice
// made by Place: that of the widest vector (AVX-512), so that offset 0 is
// aligned for every kernel and the offsets 1..Offsets−1 are not.
const align = 64

// Placed is a slice cut out of a larger array, Offsets elements or fewer
// past a 64-byte boundary, with CanaryLen canaries or more on each side.
type Placed struct {
	S   []float32 // the slice under test; len(S) == cap(S)
	buf []float32 // the whole array
	lo  int       // index of S[0] in buf
}

// Place returns a copy of vals that starts off elements (0 ≤ off <
// Offsets) past a 64-byte boundary, with every other element of its array a
// canary. Its capacity is its length, so an append cannot write into the
// canaries either.
func Place(vals []float32, off int) Placed { return Placed{}.Replace(vals, off) }

// Replace returns what Place(vals, off) returns, reusing p's array when it
// is long enough: a test that places its operands for hundreds of
// thousands of calls (the GEMM grid) then does not keep the garbage
// collector busy. p must no longer be used.
func (p Placed) Replace(vals []float32, off int) Placed {
	if off < 0 || off >= Offsets {
		panic(fmt.Sprintf("harness.Place: offset %d outside [0, %d)", off, Offsets))
	}
	const slack = align / 4
	size := CanaryLen + slack + Offsets + len(vals) + CanaryLen
	buf := p.buf
	if cap(buf) < size {
		buf = make([]float32, size)
	}
	buf = buf[:size]
	for i := range buf {
		buf[i] = Canary()
	}
	lo := CanaryLen
	for uintptr(unsafe.Pointer(&buf[lo]))%align != 0 {
		lo++
	}
	lo += off
	n := len(vals)
	copy(buf[lo:], vals)
	return Placed{S: buf[lo : lo+n : lo+n], buf: buf, lo: lo}
}

// Offset returns the start of S in elements past its 64-byte boundary.
func (p Placed) Offset() int {
	return int(uintptr(unsafe.Pointer(&p.buf[p.lo])) % align / 4)
}

// BadCanary returns the index, relative to S[0], of the first canary that
// no longer holds CanaryBits, and false if every one is intact. A negative
// index is before the slice, len(S) or more after it.
func (p Placed) BadCanary() (int, bool) {
	for i, v := range p.buf {
		if i >= p.lo && i < p.lo+len(p.S) {
			continue
		}
		if math.Float32bits(v) != CanaryBits {
			return i - p.lo, true
		}
	}
	return 0, false
}

// TrialOffset is the offset of operand op in trial (0 ≤ trial < Offsets)
// of an offset sweep. Over the trials each operand takes every offset
// once, and, because the multipliers 2·op+1 are distinct odd numbers, the
// offsets of two operands relative to each other vary too.
func TrialOffset(trial, op int) int {
	return (trial*(2*op+1) + op) % Offsets
}

// GuardLengths returns the lengths of the guard-page sweeps: 0..67, where
// masked and scalar tails live, 129 and 143, the widest loop's block with
// a tail, and 4099, a long body with a tail. Under -short it keeps 0..19
// and the lengths around 32 and 64 of the first: every tail of one 16-wide
// vector, and the two-vector and unrolled boundaries.
func GuardLengths() []int {
	var ls []int
	for n := 0; n <= 4*16+3; n++ {
		if testing.Short() && n >= 20 && (n < 31 || n > 33) && n < 63 {
			continue
		}
		ls = append(ls, n)
	}
	// The widest loop's block and tail, at its end.
	return append(ls, wideLoop+1, wideLoop+15, 4099)
}

// Outputs places the output slices of a test that calls kernels directly,
// rather than through a sweep, between canaries, and checks them all at
// once: an over-write that stays within Go's size-class rounding of a
// plain make is invisible to guard pages and to the garbage collector.
type Outputs struct {
	names []string
	ps    []Placed
}

// Place returns a copy of vals between canaries, remembered under name;
// successive slices start at successive offsets, so that the outputs of a
// test are not all aligned alike.
func (o *Outputs) Place(name string, vals []float32) []float32 {
	p := Place(vals, len(o.ps)%Offsets)
	o.names = append(o.names, name)
	o.ps = append(o.ps, p)
	return p.S
}

// Make is Place of n canaries: an output the kernel only writes, so a
// kernel that reads it before writing gets a NaN.
func (o *Outputs) Make(name string, n int) []float32 {
	vals := make([]float32, n)
	for i := range vals {
		vals[i] = Canary()
	}
	return o.Place(name, vals)
}

// Check reports, through e, every slice placed so far whose canaries were
// overwritten.
func (o *Outputs) Check(e *Errs, what string) {
	e.T.Helper()
	e.CheckCanaries(what, o.names, o.ps)
}

// Err returns an error naming the first slice placed so far whose
// canaries were overwritten, or nil: for a goroutine other than the
// test's, which must not stop the test itself.
func (o *Outputs) Err() error {
	for i, p := range o.ps {
		if at, bad := p.BadCanary(); bad {
			return fmt.Errorf("wrote outside %s: element %d (len %d) is %s", o.names[i], at, len(p.S), F(p.buf[p.lo+at]))
		}
	}
	return nil
}
