package nn

import (
	"fmt"
	"math"

	"github.com/simdnn/simdnn/kernels"
)

// Optimizer updates parameters from their gradients. Parameters without a
// gradient (see [Param.HasGrad]) are left alone, as PyTorch's optimizers
// skip parameters whose grad is None.
//
// The optimizers of this package never leave a NaN or ±Inf behind: a
// step that would write one into a parameter or into the optimizer's
// state (from a non-finite gradient, or an update that overflows)
// returns an error wrapping ErrNotFinite, and the parameters and the
// state are then exactly as they were before it (see NUMERICS.md).
type Optimizer interface {
	// Step applies one update to every parameter that has a gradient.
	// It checks the hyper-parameters first: if one is out of range it
	// returns an error (wrapping ErrNotFinite for NaN or ±Inf) and
	// changes no parameter.
	Step(params []*Param) error
	// LearningRate returns the current learning rate; SetLearningRate
	// changes it, for a schedule (see [Trainer.Schedule]).
	LearningRate() float64
	SetLearningRate(lr float64)
}

// hyperChecker is an Optimizer whose hyper-parameters can be checked
// without a step: Trainer.Fit checks them before it starts.
type hyperChecker interface {
	checkHyper() error
}

// SGD is plain gradient descent as PyTorch's SGD without momentum,
// θ ← θ − lr·(∇θ + λθ) with the weight decay λ (0 for none), through
// kernels.SGD. LR and WeightDecay must be finite and ≥ 0; the zero value
// (LR 0) is valid and moves nothing. Hyper-parameters are float64, as
// PyTorch holds them, and rounded to float32 where the update uses them.
type SGD struct {
	LR, WeightDecay float64
	guard           guard
}

// NewSGD returns gradient descent with learning rate lr.
func NewSGD(lr float64) *SGD { return &SGD{LR: lr} }

// Step applies one update, or returns an error: a hyper-parameter out of
// range, or a step that would write NaN or ±Inf (see [Optimizer]).
func (o *SGD) Step(params []*Param) error {
	if err := o.checkHyper(); err != nil {
		return err
	}
	return o.guard.step("nn.SGD", params, nil, o)
}

func (o *SGD) checkHyper() error {
	const op = "nn.SGD"
	if err := checkLR(op, o.LR); err != nil {
		return err
	}
	return checkNonNegative(op, "WeightDecay", o.WeightDecay)
}

func (o *SGD) stateLen() int         { return 0 }
func (o *SGD) needsParamBound() bool { return false }

// bound: the update adds lr·(g + λw) to w. With λ ≤ 1 and lr·λ ≤ 1/2,
// g + λw stays finite and w − lr·λw shrinks w, so a finite w moves by at
// most lr·G.
func (o *SGD) bound(g, _ float64, _ *paramState, _ []float64) bool {
	wdOK := o.WeightDecay == 0 || (o.WeightDecay <= 1 && o.LR*o.WeightDecay <= 0.5)
	return wdOK && o.LR*g <= stepLimit
}

func (o *SGD) apply(w, g []float32, _ *paramState) {
	kernels.SGD(w, nil, g, kernels.SGDOptions{LR: o.LR, WeightDecay: o.WeightDecay})
}

// LearningRate returns LR.
func (o *SGD) LearningRate() float64 { return o.LR }

// SetLearningRate sets LR.
func (o *SGD) SetLearningRate(lr float64) { o.LR = lr }

// Momentum is gradient descent with momentum as PyTorch's SGD defines it
// (kernels.SGD), with weight decay λ, dampening τ and Nesterov's variant:
//
//	d = ∇θ + λθ
//	v = μ·v + (1 − τ)·d      (v = d at the first step)
//	θ = θ − lr·(d + μ·v)     with Nesterov, else θ − lr·v
//
// LR and WeightDecay must be finite and ≥ 0, Momentum in [0, 1),
// Dampening in [0, 1], and Nesterov needs Momentum > 0 and Dampening 0,
// as PyTorch requires. The zero value is ready to use with PyTorch's
// defaults (μ = 0, which is plain gradient descent).
type Momentum struct {
	LR, Momentum, Dampening, WeightDecay float64
	Nesterov                             bool
	state                                map[*Param]*paramState
	guard                                guard
}

// NewMomentum returns gradient descent with learning rate lr and momentum
// μ (0.9 is common).
func NewMomentum(lr, momentum float64) *Momentum {
	return &Momentum{LR: lr, Momentum: momentum, state: map[*Param]*paramState{}}
}

// Step applies one momentum update, or returns an error: a
// hyper-parameter out of range, or a step that would write NaN or ±Inf.
func (o *Momentum) Step(params []*Param) error {
	if err := o.checkHyper(); err != nil {
		return err
	}
	if o.state == nil {
		o.state = map[*Param]*paramState{}
	}
	return o.guard.step("nn.Momentum", params, o.state, o)
}

func (o *Momentum) checkHyper() error {
	const op = "nn.Momentum"
	if err := checkLR(op, o.LR); err != nil {
		return err
	}
	if err := checkNonNegative(op, "WeightDecay", o.WeightDecay); err != nil {
		return err
	}
	if err := checkUnit(op, "Momentum", o.Momentum); err != nil {
		return err
	}
	if err := checkNonNegative(op, "Dampening", o.Dampening); err != nil {
		return err
	}
	switch {
	case o.Dampening > 1:
		return fmt.Errorf("%s: Dampening = %v, want 0 ≤ Dampening ≤ 1", op, o.Dampening)
	case o.Nesterov && (o.Momentum == 0 || o.Dampening != 0):
		return fmt.Errorf("%s: Nesterov momentum needs Momentum > 0 and Dampening = 0, have %v and %v", op, o.Momentum, o.Dampening)
	}
	return nil
}

// stateLen is 1, the velocity, or 0 with Momentum 0, which PyTorch's SGD
// runs without a buffer.
func (o *Momentum) stateLen() int {
	if o.Momentum == 0 {
		return 0
	}
	return 1
}

func (o *Momentum) needsParamBound() bool { return o.WeightDecay != 0 }

// bound follows the update's recurrence in magnitudes: |d| ≤ G + λP,
// |v| ≤ μ|v| + (1−τ)|d|, and θ moves by lr times |v|, or |d| + μ|v|.
func (o *Momentum) bound(g, p float64, st *paramState, next []float64) bool {
	d := g + o.WeightDecay*p
	if o.Momentum == 0 {
		return d <= stepLimit && o.LR*d <= stepLimit
	}
	v := d
	if st.step > 0 {
		v = o.Momentum*st.bound[0] + (1-o.Dampening)*d
	}
	u := v
	if o.Nesterov {
		u = d + o.Momentum*v
	}
	next[0] = v * slack
	return d <= stepLimit && v <= stepLimit && u <= stepLimit && o.LR*u <= stepLimit
}

func (o *Momentum) apply(w, g []float32, st *paramState) {
	damp := o.Dampening
	if st.step == 0 {
		damp = 0 // PyTorch's first step sets the buffer to d
	}
	var v []float32
	if o.Momentum != 0 {
		v = st.bufs[0]
	}
	kernels.SGD(w, v, g, kernels.SGDOptions{LR: o.LR, Momentum: o.Momentum, Dampening: damp,
		WeightDecay: o.WeightDecay, Nesterov: o.Nesterov})
}

// LearningRate returns LR.
func (o *Momentum) LearningRate() float64 { return o.LR }

// SetLearningRate sets LR.
func (o *Momentum) SetLearningRate(lr float64) { o.LR = lr }

// Adam is the optimizer of Kingma and Ba (2015) as PyTorch's Adam
// defines it (kernels.Adam), with its step counted per parameter, weight
// decay λ added to the gradient (L2), or applied to the parameters
// directly when Decoupled (PyTorch's AdamW, of Loshchilov and Hutter),
// and the AMSGrad variant. LR and WeightDecay must be finite and ≥ 0,
// Beta1 and Beta2 in [0, 1), Eps finite and > 0. The hyper-parameters
// are float64 and the bias corrections and 1 − β are computed in float64,
// as PyTorch computes them, so the state agrees with PyTorch's to float32
// rounding.
//
// Make one with NewAdam or NewAdamW, which set PyTorch's defaults. The
// zero value is not usable, and neither is an Adam literal that leaves
// Eps out: Step rejects Eps = 0 rather than guess whether zero betas were
// meant.
type Adam struct {
	LR, Beta1, Beta2, Eps, WeightDecay float64
	Decoupled, AMSGrad                 bool
	state                              map[*Param]*paramState
	guard                              guard
}

// NewAdam returns Adam with learning rate lr (1e-3 is common) and
// PyTorch's defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8, no weight decay.
func NewAdam(lr float64) *Adam {
	return &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, state: map[*Param]*paramState{}}
}

// NewAdamW returns AdamW, Adam with decoupled weight decay, with learning
// rate lr and PyTorch's defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8 and weight
// decay 0.01.
func NewAdamW(lr float64) *Adam {
	o := NewAdam(lr)
	o.WeightDecay, o.Decoupled = 0.01, true
	return o
}

// Step applies one Adam update, or returns an error: a hyper-parameter
// out of range, or a step that would write NaN or ±Inf.
func (o *Adam) Step(params []*Param) error {
	if err := o.checkHyper(); err != nil {
		return err
	}
	if o.state == nil {
		o.state = map[*Param]*paramState{}
	}
	return o.guard.step(o.name(), params, o.state, o)
}

func (o *Adam) name() string {
	if o.Decoupled {
		return "nn.AdamW"
	}
	return "nn.Adam"
}

func (o *Adam) checkHyper() error {
	op := o.name()
	if err := checkLR(op, o.LR); err != nil {
		return err
	}
	if err := checkNonNegative(op, "WeightDecay", o.WeightDecay); err != nil {
		return err
	}
	if err := checkUnit(op, "Beta1", o.Beta1); err != nil {
		return err
	}
	if err := checkUnit(op, "Beta2", o.Beta2); err != nil {
		return err
	}
	switch {
	case o.Eps-o.Eps != 0:
		return fmt.Errorf("%s: Eps = %v: %w", op, o.Eps, ErrNotFinite)
	case o.Eps <= 0:
		return fmt.Errorf("%s: Eps = %v, want > 0 (NewAdam sets PyTorch's defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8)", op, o.Eps)
	}
	return nil
}

func (o *Adam) stateLen() int {
	if o.AMSGrad {
		return 3
	}
	return 2
}

func (o *Adam) needsParamBound() bool { return o.WeightDecay != 0 && !o.Decoupled }

// bound follows the update's recurrence in magnitudes: |g + λθ| ≤ D,
// |m| ≤ β₁|m| + (1−β₁)D, v ≤ β₂v + (1−β₂)D², and θ moves by at most
// lr/(1−β₁ᵗ)·|m|/ε, the denominator √v̂ + ε being at least ε. AdamW's
// factor 1 − lr·λ shrinks θ when lr·λ ≤ 1.
func (o *Adam) bound(g, p float64, st *paramState, next []float64) bool {
	d := g
	if !o.Decoupled {
		d += o.WeightDecay * p
	}
	m := o.Beta1*st.bound[0] + (1-o.Beta1)*d
	v := o.Beta2*st.bound[1] + (1-o.Beta2)*d*d
	next[0], next[1] = m*slack, v*slack
	if o.AMSGrad {
		next[2] = max(st.bound[2], v) * slack
	}
	t := float64(st.step + 1)
	size := o.LR / (1 - math.Pow(o.Beta1, t))
	eps := float64(float32(o.Eps))
	a := size * m
	ok := d <= gradLimit && m <= stepLimit && eps > 0 && a <= stepLimit && a/eps <= stepLimit
	if o.Decoupled {
		ok = ok && o.LR*o.WeightDecay <= 1
	}
	return ok
}

func (o *Adam) apply(w, g []float32, st *paramState) {
	var vmax []float32
	if o.AMSGrad {
		vmax = st.bufs[2]
	}
	kernels.Adam(w, st.bufs[0], st.bufs[1], vmax, g, kernels.AdamOptions{LR: o.LR, Beta1: o.Beta1, Beta2: o.Beta2,
		Eps: o.Eps, WeightDecay: o.WeightDecay, Decoupled: o.Decoupled, AMSGrad: o.AMSGrad, Step: st.step + 1})
}

// LearningRate returns LR.
func (o *Adam) LearningRate() float64 { return o.LR }

// SetLearningRate sets LR.
func (o *Adam) SetLearningRate(lr float64) { o.LR = lr }

// checkLR returns an error, naming op, unless lr is finite and ≥ 0.
func checkLR(op string, lr float64) error {
	switch {
	case lr-lr != 0:
		return fmt.Errorf("%s: learning rate %v: %w", op, lr, ErrNotFinite)
	case lr < 0:
		return fmt.Errorf("%s: learning rate %v is negative", op, lr)
	}
	return nil
}

// checkUnit returns an error, naming op and the hyper-parameter, unless v
// is in [0, 1).
func checkUnit(op, name string, v float64) error {
	switch {
	case v-v != 0:
		return fmt.Errorf("%s: %s = %v: %w", op, name, v, ErrNotFinite)
	case v < 0 || v >= 1:
		return fmt.Errorf("%s: %s = %v, want 0 ≤ %s < 1", op, name, v, name)
	}
	return nil
}
