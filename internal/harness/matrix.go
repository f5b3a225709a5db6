package harness

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// Shape is the shape of one call of a matrix or row-wise kernel: M rows
// of N entries, rows LD apart (LD = N for kernels that take no leading
// dimension).
type Shape struct{ M, N, LD int }

func (s Shape) String() string {
	if s.LD == s.N {
		return fmt.Sprintf("m=%d n=%d", s.M, s.N)
	}
	return fmt.Sprintf("m=%d n=%d ld=%d", s.M, s.N, s.LD)
}

// Len returns the length of a slice that holds exactly an s-shaped
// matrix: (M−1)·LD + N, or 0 for an empty one.
func (s Shape) Len() int {
	if s.M == 0 || s.N == 0 {
		return 0
	}
	return (s.M-1)*s.LD + s.N
}

// Shapes returns the shapes row-wise kernels are swept over, all with
// LD = N: every n of 0..67 with m in {0, 1, 2, 3, 5, 17}; n = 100, 1000,
// 1024 and 4099 with m in {0, 1, 2, 3, 5}; and tall shapes, m = 100 and
// 1000 with n = 1, 7 and 33, for the reductions down a column.
func Shapes() []Shape {
	var ss []Shape
	for n := 0; n <= 4*16+3; n++ {
		for _, m := range []int{0, 1, 2, 3, 5, 17} {
			ss = append(ss, Shape{m, n, n})
		}
	}
	for _, n := range []int{100, 1000, 1024, 4099} {
		for _, m := range []int{0, 1, 2, 3, 5} {
			ss = append(ss, Shape{m, n, n})
		}
	}
	for _, m := range []int{100, 1000} {
		for _, n := range []int{1, 7, 33} {
			ss = append(ss, Shape{m, n, n})
		}
	}
	return ss
}

// GuardShapes returns the shapes of the guard-page sweeps: n from
// GuardLengths with m = 1 and 3, LD = N.
func GuardShapes() []Shape {
	var ss []Shape
	for _, n := range GuardLengths() {
		ss = append(ss, Shape{1, n, n}, Shape{3, n, n})
	}
	return ss
}

// WithLD returns each shape of ss with every leading dimension of lds(n)
// in turn.
func WithLD(ss []Shape, lds func(n int) []int) []Shape {
	var out []Shape
	for _, s := range ss {
		for _, ld := range lds(s.N) {
			out = append(out, Shape{s.M, s.N, ld})
		}
	}
	return out
}

// Matrix describes a kernel whose operands are matrices or vectors sized
// by a Shape, and whose outputs are checked as a whole by Check against a
// reference of type R, computed once per shape.
type Matrix[R any] struct {
	// Name names the kernel in failure messages.
	Name string
	// Operands names the slices in the order Call takes them; the first
	// Outputs are written, the others must come back unchanged.
	Operands []string
	Outputs  int
	// Len returns the length of operand op for shape s.
	Len func(op int, s Shape) int
	// Gen fills v, operand op of shape s, with its initial values; vals
	// holds the operands before op, already drawn.
	Gen func(r *rand.Rand, op int, s Shape, v []float32, vals [][]float32)
	// Call runs the kernel under test; its result is the kernel's return
	// value (a loss), or 0 for kernels that return nothing.
	Call func(ops [][]float32, s Shape) float32
	// Ref computes the reference from the initial values.
	Ref func(in [][]float32, s Shape) R
	// Check reports, through e, every output element of out and every
	// result res that the reference does not allow.
	Check func(e *Errs, what string, s Shape, in [][]float32, ref R, out [][]float32, res float32)
	// Aliases lists the pairs {out, in} of operands that may be the same
	// slice, as in Elementwise.
	Aliases [][2]int
}

// Sweep runs k over shapes, with every operand at every start offset
// between canaries and in place for each alias, then over guard, with
// each operand in turn against a guard page, after and before. The
// initial values come from a math/rand/v2 PCG source seeded with seed.
func (k Matrix[R]) Sweep(t *testing.T, seed uint64, shapes, guard []Shape) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, uint64(len(k.Name))))
	errs := &Errs{T: t}
	for _, s := range shapes {
		vals := k.gen(r, s)
		ref := k.Ref(vals, s)
		for trial := range Offsets {
			k.placed(errs, fmt.Sprintf("%s %v", k.Name, s), s, vals, ref, trial)
		}
		for _, al := range k.Aliases {
			k.inPlace(errs, s, vals, al)
		}
	}
	for _, s := range guard {
		vals := k.gen(r, s)
		ref := k.Ref(vals, s)
		for j := range vals {
			for _, before := range []bool{false, true} {
				ps := make([]Placed, len(vals))
				ops := make([][]float32, len(vals))
				for i, v := range vals {
					ps[i] = Place(v, 0)
					ops[i] = ps[i].S
				}
				side := "after"
				if before {
					side = "before"
					ops[j] = GuardBefore(t, len(vals[j]))
				} else {
					ops[j] = GuardAfter(t, len(vals[j]))
				}
				copy(ops[j], vals[j])
				what := fmt.Sprintf("%s %v with %s against a guard page %s it", k.Name, s, k.Operands[j], side)
				var res float32
				NoFault(t, what, func() { res = k.Call(ops, s) })
				k.check(errs, what, s, vals, ref, ops, res)
				errs.CheckCanaries(what, k.Operands, ps) // the operands not against the guard page
			}
		}
	}
}

// Once runs k on one set of operand values of shape s, each placed
// between canaries at its offset of trial (TrialOffset), and checks the
// outputs with Check against Ref, every input unchanged and every canary
// intact, as the sweep does for each of its calls. It returns the
// operands after the call and the kernel's result, for the comparisons a
// fuzz target makes between implementations.
func (k Matrix[R]) Once(errs *Errs, what string, s Shape, vals [][]float32, trial int) ([][]float32, float32) {
	errs.T.Helper()
	return k.placed(errs, what, s, vals, k.Ref(vals, s), trial)
}

// placed is Once with the reference ref already computed.
func (k Matrix[R]) placed(errs *Errs, what string, s Shape, vals [][]float32, ref R, trial int) ([][]float32, float32) {
	errs.T.Helper()
	ps := make([]Placed, len(vals))
	ops := make([][]float32, len(vals))
	offs := make([]int, len(vals))
	for j, v := range vals {
		ps[j] = Place(v, TrialOffset(trial, j))
		ops[j], offs[j] = ps[j].S, ps[j].Offset()
	}
	what = fmt.Sprintf("%s offsets=%v", what, offs)
	res := k.Call(ops, s)
	k.check(errs, what, s, vals, ref, ops, res)
	errs.CheckCanaries(what, k.Operands, ps)
	return ops, res
}

// gen draws the initial values of every operand of shape s.
func (k Matrix[R]) gen(r *rand.Rand, s Shape) [][]float32 {
	vals := make([][]float32, len(k.Operands))
	for j := range vals {
		vals[j] = make([]float32, k.Len(j, s))
		k.Gen(r, j, s, vals[j], vals[:j])
	}
	return vals
}

// check runs Check, then checks that every input is unchanged.
func (k Matrix[R]) check(errs *Errs, what string, s Shape, vals [][]float32, ref R, ops [][]float32, res float32) {
	errs.T.Helper()
	k.Check(errs, what, s, vals, ref, ops, res)
	for j := k.Outputs; j < len(vals); j++ {
		for i, v := range vals[j] {
			if math.Float32bits(ops[j][i]) != math.Float32bits(v) {
				errs.Errorf("%s: input %s[%d] changed from %s to %s", what, k.Operands[j], i, F(v), F(ops[j][i]))
			}
		}
	}
}

// inPlace checks the call with operands al[0] and al[1] one slice against
// the call with two slices holding the same values, bit for bit, the
// result included.
func (k Matrix[R]) inPlace(errs *Errs, s Shape, vals [][]float32, al [2]int) {
	errs.T.Helper()
	out, in := al[0], al[1]
	same := make([][]float32, len(vals))
	copy(same, vals)
	same[out] = vals[in]
	ref := k.Ref(same, s)

	what := fmt.Sprintf("%s %v %s and %s separate", k.Name, s, k.Operands[out], k.Operands[in])
	sep, sepRes := k.placed(errs, what, s, same, ref, s.N%Offsets)

	ps := make([]Placed, len(vals))
	ops := make([][]float32, len(vals))
	for j, v := range same {
		ps[j] = Place(v, TrialOffset(s.N%Offsets, j))
		ops[j] = ps[j].S
	}
	ops[in] = ops[out]
	res := k.Call(ops, s)
	what = fmt.Sprintf("%s %v in place (%s == %s)", k.Name, s, k.Operands[out], k.Operands[in])
	errs.CheckCanaries(what, k.Operands, ps)
	if math.Float32bits(res) != math.Float32bits(sepRes) {
		errs.Errorf("%s: returned %s, but %s with separate slices", what, F(res), F(sepRes))
	}
	for j := range k.Outputs {
		for i := range ops[j] {
			if math.Float32bits(ops[j][i]) != math.Float32bits(sep[j][i]) {
				errs.Errorf("%s: %s[%d] = %s, but %s with separate slices", what, k.Operands[j], i, F(ops[j][i]), F(sep[j][i]))
			}
		}
	}
}
