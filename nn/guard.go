package nn

import (
	"fmt"
	"math"

	"github.com/simdnn/simdnn/kernels"
)

// The optimizers' non-finite guard. A step must never write NaN or ±Inf
// into a parameter or the optimizer's state; a step that would, returns
// an error wrapping ErrNotFinite and leaves them all as they were.
//
// Undoing an update after the fact would need a copy of everything it
// wrote, and checking every result before writing would read everything
// twice: each costs more than the update of SGD itself. Instead a step
// bounds what its update can produce from cheap facts, and runs in place
// when the bounds prove every result finite:
//
//   - the gradient: |g[i]| ≤ G, from kernels.SumSquares, which also finds
//     a NaN or ±Inf in it (one streaming read of the gradients, the
//     guard's whole cost in the common case);
//   - the parameter: finite, as every step, Load and initializer leave it
//     (and, with weight decay, |w[i]| ≤ P from a SumSquares of w);
//   - the optimizer's state: bounds it keeps per parameter, carried from
//     step to step by the update's own recurrence;
//   - the hyper-parameters.
//
// An update that adds at most stepLimit to a finite float32 stays finite
// (the largest float32 is 2¹²⁸ − 2¹⁰⁴, and a sum rounds to it unless it
// passes it by 2¹⁰³), and squares of at most gradLimit stay below 2¹²⁰.
// When a bound fails (a NaN or ±Inf gradient, values near float32's
// limits, an extreme hyper-parameter), the step runs on copies of the
// parameters and state instead, checks every result, and installs the
// copies only if all are finite: slower, and exact.
const (
	gradLimit = 0x1p60
	stepLimit = 0x1p100
	// slack covers the roundings between a bound's recurrence and the
	// kernels' arithmetic: a few float32 roundings, each at most 2⁻²⁴.
	slack = 1 + 0x1p-20
)

// elemBound returns a bound on |x[i]| for every element of x, from its
// kernels.SumSquares s (see its doc comment): +Inf or NaN when s is.
func elemBound(s float64, n int) float64 {
	return math.Sqrt(s*(1+0x1p-16) + float64(n)*0x1p-149)
}

// maxAbs returns the largest |x[i]|, exactly, or NaN if x holds one.
func maxAbs(x []float32) float64 {
	var m float64
	for _, v := range x {
		a := math.Abs(float64(v))
		if !(a <= m) {
			m = a // NaN sticks: NaN <= m is false, and so is m <= NaN
			if math.IsNaN(a) {
				return a
			}
		}
	}
	return m
}

// paramState is an optimizer's state for one parameter: the tensors its
// update changes besides the parameter, named as PyTorch's optimizer
// state_dict names them, a bound on the magnitude of each, and the steps
// taken.
type paramState struct {
	bufs  [][]float32
	bound []float64
	step  int
}

// newParamState returns zero state of n tensors of length size.
func newParamState(n, size int) *paramState {
	s := &paramState{bufs: make([][]float32, n), bound: make([]float64, n)}
	for i := range s.bufs {
		s.bufs[i] = make([]float32, size)
	}
	return s
}

// rebound sets the state's bounds to the exact magnitudes of its tensors.
func (s *paramState) rebound() {
	for i, b := range s.bufs {
		s.bound[i] = maxAbs(b)
	}
}

// clone returns a copy of s.
func (s *paramState) clone() *paramState {
	c := &paramState{bufs: make([][]float32, len(s.bufs)), bound: append([]float64(nil), s.bound...), step: s.step}
	for i, b := range s.bufs {
		c.bufs[i] = append([]float32(nil), b...)
	}
	return c
}

// rule is what the guard needs of an optimizer: its update of one
// parameter, and the bounds that prove it finite.
type rule interface {
	// stateLen is the number of state tensors per parameter that the
	// update reads and writes with the current options.
	stateLen() int
	// needsParamBound reports whether bound needs P, the bound on the
	// parameter's magnitude (with weight decay).
	needsParamBound() bool
	// bound returns whether the update of a parameter whose gradient
	// is bounded by g (and the parameter by p) provably writes only
	// finite values given state st, and the state's bounds after it
	// (into next).
	bound(g, p float64, st *paramState, next []float64) bool
	// apply runs the update of w from g in place, as step st.step+1.
	apply(w, g []float32, st *paramState)
}

// guard runs one step of an optimizer over params: the parameters' state
// is in states (created at their first update). It returns an error
// wrapping ErrNotFinite, and changes nothing, if the step would write NaN
// or ±Inf anywhere.
type guard struct {
	plan []planned // per parameter with a gradient, reused
	next []float64
	none paramState // the state of every parameter of a stateless rule
}

type planned struct {
	p    *Param
	i    int // index in params
	st   *paramState
	g    float64 // the gradient's bound
	nxt  []float64
	made bool // st is new: the map gets it only if the step succeeds
}

func (gd *guard) step(op string, params []*Param, states map[*Param]*paramState, r rule) error {
	gd.plan = gd.plan[:0]
	n := r.stateLen()
	need := 0
	for i, p := range params {
		if p.hasGrad {
			need += n
			gd.plan = append(gd.plan, planned{p: p, i: i})
		}
	}
	if cap(gd.next) < need {
		gd.next = make([]float64, need)
	}
	next := gd.next[:need]
	safe := true
	for k := range gd.plan {
		pl := &gd.plan[k]
		pl.st, pl.made = states[pl.p], false
		switch {
		case n == 0:
			pl.st = &gd.none
		case pl.st == nil:
			pl.st, pl.made = newParamState(n, len(pl.p.Value)), true
		case len(pl.st.bufs) < n:
			// An option that needs more state (AMSGrad, momentum)
			// was switched on after steps without it: the new
			// tensors start at zeros, as PyTorch starts them.
			for len(pl.st.bufs) < n {
				pl.st.bufs = append(pl.st.bufs, make([]float32, len(pl.p.Value)))
				pl.st.bound = append(pl.st.bound, 0)
			}
		}
		pl.g = elemBound(kernels.SumSquares(pl.p.Grad), len(pl.p.Grad))
		pl.nxt = next[k*n : (k+1)*n]
		if !safe {
			continue
		}
		pb := 0.0
		if r.needsParamBound() {
			pb = elemBound(kernels.SumSquares(pl.p.Value), len(pl.p.Value))
		}
		safe = pl.g <= gradLimit && pb <= gradLimit && r.bound(pl.g, pb, pl.st, pl.nxt)
	}
	if !safe {
		return gd.trial(op, states, r)
	}
	for _, pl := range gd.plan {
		r.apply(pl.p.Value, pl.p.Grad, pl.st)
		pl.st.step++
		copy(pl.st.bound, pl.nxt)
		if pl.made {
			states[pl.p] = pl.st
		}
	}
	return nil
}

// trial runs the step on copies of the parameters and their state, and
// installs them only if every value is finite.
func (gd *guard) trial(op string, states map[*Param]*paramState, r rule) error {
	ws := make([][]float32, len(gd.plan))
	sts := make([]*paramState, len(gd.plan))
	for k, pl := range gd.plan {
		ws[k] = append([]float32(nil), pl.p.Value...)
		sts[k] = pl.st.clone()
		r.apply(ws[k], pl.p.Grad, sts[k])
		what := ""
		if j, _ := firstNotFinite(ws[k]); j >= 0 {
			what = fmt.Sprintf("element %d of the parameter", j)
		}
		for b, buf := range sts[k].bufs {
			if j, _ := firstNotFinite(buf); what == "" && j >= 0 {
				what = fmt.Sprintf("element %d of its state tensor %d", j, b)
			}
		}
		if what != "" {
			cause := "the update overflows"
			if math.IsNaN(pl.g) || math.IsInf(pl.g, 0) {
				cause = "its gradient holds NaN or ±Inf"
			}
			return fmt.Errorf("%s: parameter %d (%s %v): %s: the step would make %s NaN or ±Inf: %w; no parameter changed",
				op, pl.i, pl.p.Name, pl.p.Shape, cause, what, ErrNotFinite)
		}
	}
	for k, pl := range gd.plan {
		copy(pl.p.Value, ws[k])
		st := sts[k]
		st.step++
		st.rebound()
		if pl.made {
			states[pl.p] = st
		} else {
			*pl.st = *st
		}
	}
	return nil
}
