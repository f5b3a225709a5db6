package nn

import (
	"fmt"
	"math"
	"slices"
	"sort"
)

// LRSchedule is a learning-rate schedule: the learning rate after t
// calls of a PyTorch scheduler's step() (t from 0), in float64 as
// PyTorch holds it. [LRSchedule.PerStep] and [LRSchedule.PerEpoch] make
// it a [Trainer.Schedule] that advances once per optimizer step or once
// per epoch; [SequentialLR] chains schedules.
//
// The constructors here match torch.optim.lr_scheduler's classes of the
// same names. They compute the closed form that PyTorch documents and
// uses for scheduler.step(epoch), where PyTorch's step() updates the rate
// recursively from the previous one: the two agree to rounding in
// float64 (a few 1e-15 relative in the tests). Rates and factors are
// float64, as Python's floats are: a rate of 0.1 is then PyTorch's 0.1,
// which float32 0.1 is not.
//
// Their arguments are hyper-parameters, checked as the optimizers'
// are: a constructor returns an error (wrapping [ErrNotFinite] for NaN
// or ±Inf) for an argument out of range. A schedule they return panics
// if called with t < 0, which no Trainer does.
//
// Any func(t int) float64 is an LRSchedule too, and chains with these in
// SequentialLR: LRSchedule(func(int) float64 { return 1e-4 }) is a
// constant rate.
type LRSchedule func(t int) float64

// PerStep returns s as a [Trainer.Schedule] that advances once per
// optimizer step, as a PyTorch scheduler whose step() follows every
// optimizer.step(): step t (from 0, over every step the Trainer has
// taken) runs at s(t). Step sizes, milestones, tMax and totalIters then
// count steps.
func (s LRSchedule) PerStep() func(epoch, step int) float64 {
	if s == nil {
		panic("nn.LRSchedule.PerStep: nil schedule")
	}
	return func(_, step int) float64 { return s(step) }
}

// PerEpoch returns s as a [Trainer.Schedule] that advances once per
// epoch, as a PyTorch scheduler whose step() follows every epoch: every
// step of epoch e (from 1) runs at s(e − 1). Step sizes, milestones,
// tMax and totalIters then count epochs.
//
// Trainer.Fit numbers epochs from 1 on every call, so a second Fit of
// the same Trainer starts a per-epoch schedule over, where a per-step
// one carries on from the steps already taken.
func (s LRSchedule) PerEpoch() func(epoch, step int) float64 {
	if s == nil {
		panic("nn.LRSchedule.PerEpoch: nil schedule")
	}
	return func(epoch, _ int) float64 { return s(epoch - 1) }
}

// StepLR returns PyTorch's StepLR: the rate lr·γ^⌊t/stepSize⌋, which
// falls by the factor gamma every stepSize steps. StepLR(lr, 1, γ) is
// PyTorch's ExponentialLR, lr·γᵗ.
//
// lr and gamma must be finite and ≥ 0 and stepSize > 0. PyTorch's
// StepLR checks neither gamma nor step_size: a gamma below 0 gives
// negative rates, which Fit rejects anyway, a step_size of 0 makes it
// divide by zero, and a negative one raises the rate. A gamma above 1 is allowed, for a rate
// that grows; once it is not finite, Fit stops with ErrNotFinite.
func StepLR(lr float64, stepSize int, gamma float64) (LRSchedule, error) {
	const op = "nn.StepLR"
	if err := checkLR(op, lr); err != nil {
		return nil, err
	}
	if err := checkNonNegative(op, "gamma", gamma); err != nil {
		return nil, err
	}
	if err := checkPositive(op, "stepSize", stepSize); err != nil {
		return nil, err
	}
	return newSchedule(op, func(t int) float64 {
		return lr * math.Pow(gamma, float64(t/stepSize))
	}), nil
}

// MultiStepLR returns PyTorch's MultiStepLR: the rate lr·γᵏ, where k is
// the number of milestones ≤ t, so that the rate falls by the factor
// gamma at each milestone.
//
// lr and gamma must be finite and ≥ 0, and the milestones strictly
// increasing and ≥ 0, as PyTorch's documentation asks (it does not
// check; a repeated milestone there applies gamma once per copy).
// MultiStepLR keeps its own copy of milestones.
func MultiStepLR(lr float64, milestones []int, gamma float64) (LRSchedule, error) {
	const op = "nn.MultiStepLR"
	if err := checkLR(op, lr); err != nil {
		return nil, err
	}
	if err := checkNonNegative(op, "gamma", gamma); err != nil {
		return nil, err
	}
	if err := checkMilestones(op, milestones, 0); err != nil {
		return nil, err
	}
	ms := slices.Clone(milestones)
	return newSchedule(op, func(t int) float64 {
		return lr * math.Pow(gamma, float64(countAtMost(ms, t)))
	}), nil
}

// CosineAnnealingLR returns PyTorch's CosineAnnealingLR: the rate
//
//	η_min + (lr − η_min)·(1 + cos(π·t/T_max))/2
//
// which falls from lr at t = 0 to etaMin at t = tMax along half a cosine.
//
// Past tMax it does what PyTorch's does: the same formula, so the rate
// climbs back to lr at t = 2·tMax and keeps cycling with period 2·tMax
// (no restart to lr, as CosineAnnealingWarmRestarts would). For a rate
// that stays at etaMin, set tMax to the length of the run, or follow
// the cosine with a constant LRSchedule in [SequentialLR].
//
// lr and etaMin must be finite and ≥ 0 and tMax > 0 (PyTorch's checks
// neither eta_min nor T_max; a T_max of 0 makes it divide by zero). An etaMin above lr
// is allowed, as in PyTorch: the rate then climbs from lr to etaMin.
func CosineAnnealingLR(lr float64, tMax int, etaMin float64) (LRSchedule, error) {
	const op = "nn.CosineAnnealingLR"
	if err := checkLR(op, lr); err != nil {
		return nil, err
	}
	if err := checkNonNegative(op, "etaMin", etaMin); err != nil {
		return nil, err
	}
	if err := checkPositive(op, "tMax", tMax); err != nil {
		return nil, err
	}
	return newSchedule(op, func(t int) float64 {
		// PyTorch's closed form, operation for operation.
		return etaMin + (lr-etaMin)*(1+math.Cos(math.Pi*float64(t)/float64(tMax)))/2
	}), nil
}

// LinearLR returns PyTorch's LinearLR: the rate
//
//	lr·(startFactor + (endFactor − startFactor)·min(t, totalIters)/totalIters)
//
// which moves in a straight line from lr·startFactor at t = 0 to
// lr·endFactor at t = totalIters and stays there. With endFactor 1 it
// is the usual linear warm-up to lr; with startFactor 1, a linear decay.
//
// lr must be finite and ≥ 0, totalIters > 0, and the factors in
// PyTorch's ranges: 0 < startFactor ≤ 1 and 0 ≤ endFactor ≤ 1. A
// startFactor of 0 is refused, as later releases of PyTorch refuse it,
// because PyTorch's step() divides by it; a warm-up from a rate of nearly 0
// takes a small startFactor.
func LinearLR(lr, startFactor, endFactor float64, totalIters int) (LRSchedule, error) {
	const op = "nn.LinearLR"
	if err := checkLR(op, lr); err != nil {
		return nil, err
	}
	if err := checkFactor(op, "startFactor", startFactor, false); err != nil {
		return nil, err
	}
	if err := checkFactor(op, "endFactor", endFactor, true); err != nil {
		return nil, err
	}
	if err := checkPositive(op, "totalIters", totalIters); err != nil {
		return nil, err
	}
	return newSchedule(op, func(t int) float64 {
		// PyTorch's closed form, operation for operation.
		return lr * (startFactor + (endFactor-startFactor)*float64(min(totalIters, t))/float64(totalIters))
	}), nil
}

// SequentialLR returns PyTorch's SequentialLR: schedules[0] until
// milestones[0], then schedules[1] until milestones[1], and so on, each
// schedule started afresh at its milestone. For m[i−1] ≤ t < m[i] (with
// m[−1] = 0, and m[i] = ∞ for the last schedule) the rate is
//
//	schedules[i](t − m[i−1])
//
// so a warm-up of w steps into a cosine is
// SequentialLR([]LRSchedule{warmup, cosine}, []int{w}). Where PyTorch's
// schedulers all start from the optimizer's learning rate, each schedule
// here has its own lr: give them the same one to match PyTorch.
//
// There must be one schedule more than milestones, none of them nil, and
// the milestones strictly increasing and > 0. PyTorch checks only the
// count: with a milestone of 0 it still takes the first rate from the
// first schedule and starts the second from that rate, and unsorted
// milestones pick schedules out of order. SequentialLR keeps its own
// copies of both slices.
func SequentialLR(schedules []LRSchedule, milestones []int) (LRSchedule, error) {
	const op = "nn.SequentialLR"
	if len(schedules) == 0 {
		return nil, fmt.Errorf("%s: no schedules", op)
	}
	if len(milestones) != len(schedules)-1 {
		return nil, fmt.Errorf("%s: %d schedules need %d milestones, got %d", op, len(schedules), len(schedules)-1, len(milestones))
	}
	for i, s := range schedules {
		if s == nil {
			return nil, fmt.Errorf("%s: schedule %d is nil", op, i)
		}
	}
	if err := checkMilestones(op, milestones, 1); err != nil {
		return nil, err
	}
	ss, ms := slices.Clone(schedules), slices.Clone(milestones)
	return newSchedule(op, func(t int) float64 {
		i := countAtMost(ms, t)
		if i == 0 {
			return ss[0](t)
		}
		return ss[i](t - ms[i-1])
	}), nil
}

// newSchedule returns f as an LRSchedule that panics, naming op, when
// called with t < 0: PyTorch has no rate before its first step, and
// integer division and the milestones would give one that means nothing.
func newSchedule(op string, f func(t int) float64) LRSchedule {
	return func(t int) float64 {
		if t < 0 {
			panic(fmt.Sprintf("%s: step %d < 0", op, t))
		}
		return f(t)
	}
}

// countAtMost returns how many of the sorted ms are ≤ t: Python's
// bisect_right, which PyTorch uses to place t among milestones.
func countAtMost(ms []int, t int) int {
	return sort.Search(len(ms), func(i int) bool { return ms[i] > t })
}

// checkNonNegative returns an error, naming op and the argument, unless
// v is finite and ≥ 0.
func checkNonNegative(op, name string, v float64) error {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return fmt.Errorf("%s: %s = %v: %w", op, name, v, ErrNotFinite)
	case v < 0:
		return fmt.Errorf("%s: %s = %v, want ≥ 0", op, name, v)
	}
	return nil
}

// checkPositive returns an error, naming op and the argument, unless
// n > 0.
func checkPositive(op, name string, n int) error {
	if n <= 0 {
		return fmt.Errorf("%s: %s = %d, want > 0", op, name, n)
	}
	return nil
}

// checkFactor returns an error, naming op and the factor, unless v is
// in (0, 1], or in [0, 1] if zeroOK.
func checkFactor(op, name string, v float64, zeroOK bool) error {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return fmt.Errorf("%s: %s = %v: %w", op, name, v, ErrNotFinite)
	case zeroOK && (v < 0 || v > 1):
		return fmt.Errorf("%s: %s = %v, want 0 ≤ %s ≤ 1", op, name, v, name)
	case !zeroOK && (v <= 0 || v > 1):
		return fmt.Errorf("%s: %s = %v, want 0 < %s ≤ 1", op, name, v, name)
	}
	return nil
}

// checkMilestones returns an error, naming op, unless ms is strictly
// increasing and its first value ≥ least.
func checkMilestones(op string, ms []int, least int) error {
	for i, m := range ms {
		if m < least || i > 0 && m <= ms[i-1] {
			return fmt.Errorf("%s: milestones %v, want strictly increasing and ≥ %d", op, ms, least)
		}
	}
	return nil
}
