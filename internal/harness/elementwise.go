package harness

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// Elementwise.Sweep runs one elementwise kernel over every length, offset,
// aliasing and guard-page placement against a float64 reference;
// Matrix.Sweep in matrix.go does the same for row-wise and matrix kernels.
// Both build on place.go (operands between canaries) and check.go
// (tolerances that understand NaN, signed zeros and overflow).

// Elementwise describes a kernel whose operands are slices of one length,
// each element of the outputs depending only on the same element of the
// operands (scalar parameters are captured by Call, Ref and Tol).
type Elementwise struct {
	// Name names the kernel in failure messages.
	Name string
	// Operands names the slices in the order Call takes them. The first
	// Outputs of them are written (possibly also read, as Axpy's y); the
	// others are inputs, which must come back unchanged.
	Operands []string
	Outputs  int
	// Call runs the kernel under test on the operands.
	Call func(ops [][]float32)
	// Gen draws the initial value of one element of operand op. For an
	// output that the kernel only writes it should draw garbage (NaN
	// included), so that a kernel that reads it is caught.
	Gen func(r *rand.Rand, op int) float32
	// Ref sets want[k], for each output k, from in[j], the values of
	// element i of every operand j before the call.
	Ref func(in []float32, want []float64)
	// Tol returns the tolerance of output op at that element, as Within
	// takes it; nil, or 0 and 0, asks for the correctly rounded result.
	Tol func(in []float32, want []float64, op int) (ulps, abs float64)
	// Alt, if not nil, returns one more result that the contract allows
	// for output op, accepted bit for bit: Axpy's unfused a·x + y.
	Alt func(in []float32, op int) float32
	// Aliases lists the pairs {out, in} of operands that may be the same
	// slice. For each, Sweep checks that the call with out and in one
	// slice (holding in's values) gives, bit for bit, what the call with
	// two slices holding those same values gives.
	Aliases [][2]int
	// NoGuard leaves out the guard-page sweep. Set it on all but one of
	// several sweeps of a kernel that differ only in scalar parameters:
	// which memory a kernel touches does not depend on them, and each
	// guard page costs an mmap.
	NoGuard bool
}

// Sweep runs e over every length of Lengths with every operand at every
// start offset between canaries, in place for each alias, and, unless
// NoGuard, with each operand in turn against a guard page (GuardAfter and
// GuardBefore, at the GuardLengths), checking every element against Ref
// and every canary. The inputs are drawn from a math/rand/v2 PCG source
// seeded with seed.
func (e Elementwise) Sweep(t *testing.T, seed uint64) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, uint64(len(e.Name))))
	errs := &Errs{T: t}
	for _, n := range Lengths() {
		vals := e.gen(r, n)
		want := e.expect(vals)
		for trial := range Offsets {
			e.placed(errs, fmt.Sprintf("%s n=%d", e.Name, n), vals, want, trial)
		}
		for _, al := range e.Aliases {
			e.inPlace(errs, n, vals, al)
		}
	}
	if e.NoGuard {
		return
	}
	for _, n := range GuardLengths() {
		vals := e.gen(r, n)
		want := e.expect(vals)
		for k := range vals {
			for _, before := range []bool{false, true} {
				ps := make([]Placed, len(vals))
				ops := make([][]float32, len(vals))
				for j, v := range vals {
					ps[j] = Place(v, 0)
					ops[j] = ps[j].S
				}
				side := "after"
				if before {
					side = "before"
					ops[k] = GuardBefore(t, n)
				} else {
					ops[k] = GuardAfter(t, n)
				}
				copy(ops[k], vals[k])
				what := fmt.Sprintf("%s n=%d with %s against a guard page %s it", e.Name, n, e.Operands[k], side)
				NoFault(t, what, func() { e.Call(ops) })
				e.check(errs, what, vals, want, ops)
				errs.CheckCanaries(what, e.Operands, ps) // the operands not against the guard page
			}
		}
	}
}

// Once runs e on one set of operand values, vals[k] for operand k, each
// placed between canaries at its offset of trial (TrialOffset), and
// checks every output element against Ref within Tol, every input
// unchanged and every canary intact, as the sweep does for each of its
// calls. It returns the operands after the call, for the comparisons a
// fuzz target makes between implementations. what names the call in
// failure messages.
func (e Elementwise) Once(errs *Errs, what string, vals [][]float32, trial int) [][]float32 {
	errs.T.Helper()
	return e.placed(errs, what, vals, e.expect(vals), trial)
}

// placed is Once with the reference values want already computed.
func (e Elementwise) placed(errs *Errs, what string, vals [][]float32, want [][]float64, trial int) [][]float32 {
	errs.T.Helper()
	ps := make([]Placed, len(vals))
	ops := make([][]float32, len(vals))
	offs := make([]int, len(vals))
	for k, v := range vals {
		ps[k] = Place(v, TrialOffset(trial, k))
		ops[k], offs[k] = ps[k].S, ps[k].Offset()
	}
	what = fmt.Sprintf("%s offsets=%v", what, offs)
	e.Call(ops)
	e.check(errs, what, vals, want, ops)
	errs.CheckCanaries(what, e.Operands, ps)
	return ops
}

// gen draws the initial values of every operand for length n.
func (e Elementwise) gen(r *rand.Rand, n int) [][]float32 {
	vals := make([][]float32, len(e.Operands))
	for k := range vals {
		vals[k] = make([]float32, n)
		for i := range vals[k] {
			vals[k][i] = e.Gen(r, k)
		}
	}
	return vals
}

// expect returns the reference value of every element of every output.
func (e Elementwise) expect(vals [][]float32) [][]float64 {
	n := len(vals[0])
	want := make([][]float64, len(vals))
	for k := range e.Outputs {
		want[k] = make([]float64, n)
	}
	in := make([]float32, len(vals))
	w := make([]float64, len(vals))
	for i := range n {
		for k := range vals {
			in[k] = vals[k][i]
		}
		e.Ref(in, w)
		for k := range e.Outputs {
			want[k][i] = w[k]
		}
	}
	return want
}

// check compares every output element of ops with want and every input
// element with its value before the call.
func (e Elementwise) check(errs *Errs, what string, vals [][]float32, want [][]float64, ops [][]float32) {
	errs.T.Helper()
	in := make([]float32, len(vals))
	w := make([]float64, len(vals))
	for i := range len(vals[0]) {
		for k := range vals {
			in[k] = vals[k][i]
		}
		for k := range e.Outputs {
			w[k] = want[k][i]
		}
		for k := range vals {
			got := ops[k][i]
			if k >= e.Outputs {
				if math.Float32bits(got) != math.Float32bits(in[k]) {
					errs.Errorf("%s: input %s[%d] changed from %s to %s", what, e.Operands[k], i, F(in[k]), F(got))
				}
				continue
			}
			if e.accept(got, in, w, k) {
				continue
			}
			ulps, abs := e.tol(in, w, k)
			errs.Errorf("%s: %s[%d] = %s, want %g (%s) within %g ULP + %g: %g ULP away; inputs %s",
				what, e.Operands[k], i, F(got), w[k], F(float32(w[k])), ulps, abs, ULP(got, w[k]), e.describe(in))
		}
	}
}

// tol returns the tolerance of output k.
func (e Elementwise) tol(in []float32, want []float64, k int) (ulps, abs float64) {
	if e.Tol == nil {
		return 0, 0
	}
	return e.Tol(in, want, k)
}

// accept reports whether got is an allowed value of output k.
func (e Elementwise) accept(got float32, in []float32, want []float64, k int) bool {
	ulps, abs := e.tol(in, want, k)
	if Within(got, want[k], ulps, abs) {
		return true
	}
	return e.Alt != nil && SameBits(got, e.Alt(in, k))
}

// describe formats the operand values of one element.
func (e Elementwise) describe(in []float32) string {
	var b strings.Builder
	for k, v := range in {
		if k > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s=%s", e.Operands[k], F(v))
	}
	return b.String()
}

// inPlace checks the call with operands al[0] and al[1] one slice against
// the call with two slices holding the same values, bit for bit, NaN
// payloads included: the same code on the same values has no reason to
// differ.
func (e Elementwise) inPlace(errs *Errs, n int, vals [][]float32, al [2]int) {
	errs.T.Helper()
	out, in := al[0], al[1]
	same := make([][]float32, len(vals))
	copy(same, vals)
	same[out] = vals[in]
	want := e.expect(same)

	what := fmt.Sprintf("%s n=%d %s and %s separate", e.Name, n, e.Operands[out], e.Operands[in])
	sep := e.placed(errs, what, same, want, n%Offsets)

	ps := make([]Placed, len(vals))
	ops := make([][]float32, len(vals))
	for k, v := range same {
		ps[k] = Place(v, TrialOffset(n%Offsets, k))
		ops[k] = ps[k].S
	}
	ops[in] = ops[out]
	e.Call(ops)
	what = fmt.Sprintf("%s n=%d in place (%s == %s)", e.Name, n, e.Operands[out], e.Operands[in])
	errs.CheckCanaries(what, e.Operands, ps)
	for k := range e.Outputs {
		for i := range n {
			if math.Float32bits(ops[k][i]) != math.Float32bits(sep[k][i]) {
				errs.Errorf("%s: %s[%d] = %s, but %s with separate slices", what, e.Operands[k], i, F(ops[k][i]), F(sep[k][i]))
			}
		}
	}
}
