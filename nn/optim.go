package nn

import (
	"fmt"

	"github.com/simdnn/simdnn/kernels"
)

// Optimizer updates parameters from their gradients. Parameters without a
// gradient (see [Param.HasGrad]) are left alone, as PyTorch's optimizers
// skip parameters whose grad is None.
type Optimizer interface {
	// Step applies one update to every parameter that has a gradient.
	// It checks the hyper-parameters first: if one is out of range it
	// returns an error (wrapping ErrNotFinite for NaN or ±Inf) and
	// changes no parameter.
	Step(params []*Param) error
	// LearningRate returns the current learning rate; SetLearningRate
	// changes it, for a schedule (see [Trainer.Schedule]).
	LearningRate() float32
	SetLearningRate(lr float32)
}

// hyperChecker is an Optimizer whose hyper-parameters can be checked
// without a step: Trainer.Fit checks them before it starts.
type hyperChecker interface {
	checkHyper() error
}

// SGD is plain gradient descent, θ ← θ − lr·∇θ. The learning rate must
// be finite and ≥ 0; the zero value (LR 0) is valid and moves nothing.
type SGD struct {
	LR float32
}

// NewSGD returns gradient descent with learning rate lr.
func NewSGD(lr float32) *SGD { return &SGD{LR: lr} }

// Step applies θ ← θ − lr·∇θ (kernels.Axpy), or returns an error if LR is
// NaN, ±Inf or negative.
func (o *SGD) Step(params []*Param) error {
	if err := o.checkHyper(); err != nil {
		return err
	}
	for _, p := range params {
		if p.hasGrad {
			kernels.Axpy(p.Value, -o.LR, p.Grad)
		}
	}
	return nil
}

func (o *SGD) checkHyper() error { return checkLR("nn.SGD", o.LR) }

// LearningRate returns LR.
func (o *SGD) LearningRate() float32 { return o.LR }

// SetLearningRate sets LR.
func (o *SGD) SetLearningRate(lr float32) { o.LR = lr }

// Momentum is gradient descent with momentum as PyTorch's SGD defines it
// (no dampening, no Nesterov): v ← μ·v + ∇θ, θ ← θ − lr·v, with the
// velocity v starting at zero (kernels.SGD). LR must be finite
// and ≥ 0, and μ in [0, 1). The zero value is ready to use with PyTorch's
// default μ = 0, which is plain gradient descent.
type Momentum struct {
	LR, Momentum float32
	velocity     map[*Param][]float32
}

// NewMomentum returns gradient descent with learning rate lr and momentum
// μ (0.9 is common).
func NewMomentum(lr, momentum float32) *Momentum {
	return &Momentum{LR: lr, Momentum: momentum, velocity: map[*Param][]float32{}}
}

// Step applies one momentum update, or returns an error if LR or
// Momentum is out of range.
func (o *Momentum) Step(params []*Param) error {
	if err := o.checkHyper(); err != nil {
		return err
	}
	for _, p := range params {
		if !p.hasGrad {
			continue
		}
		if o.velocity == nil {
			o.velocity = map[*Param][]float32{}
		}
		v, ok := o.velocity[p]
		if !ok {
			v = make([]float32, len(p.Value))
			o.velocity[p] = v
		}
		kernels.SGD(p.Value, v, p.Grad, kernels.SGDOptions{LR: float64(o.LR), Momentum: float64(o.Momentum)})
	}
	return nil
}

func (o *Momentum) checkHyper() error {
	const op = "nn.Momentum"
	if err := checkLR(op, o.LR); err != nil {
		return err
	}
	return checkUnit(op, "Momentum", o.Momentum)
}

// LearningRate returns LR.
func (o *Momentum) LearningRate() float32 { return o.LR }

// SetLearningRate sets LR.
func (o *Momentum) SetLearningRate(lr float32) { o.LR = lr }

// Adam is the optimizer of Kingma and Ba (2015) as PyTorch's Adam defines
// it (kernels.Adam), with its step counted per parameter. LR must be
// finite and ≥ 0, Beta1 and Beta2 in [0, 1), Eps finite and > 0.
//
// Make one with NewAdam, which sets PyTorch's defaults. The zero value
// is not usable, and neither is an Adam literal that leaves Eps out:
// Step rejects Eps = 0 rather than guess whether zero betas were meant.
type Adam struct {
	LR, Beta1, Beta2, Eps float32
	state                 map[*Param]*adamState
}

type adamState struct {
	m, v []float32
	step int
}

// NewAdam returns Adam with learning rate lr (1e-3 is common) and
// PyTorch's defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
func NewAdam(lr float32) *Adam {
	return &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, state: map[*Param]*adamState{}}
}

// Step applies one Adam update, or returns an error if a hyper-parameter
// is out of range.
func (o *Adam) Step(params []*Param) error {
	if err := o.checkHyper(); err != nil {
		return err
	}
	for _, p := range params {
		if !p.hasGrad {
			continue
		}
		if o.state == nil {
			o.state = map[*Param]*adamState{}
		}
		s, ok := o.state[p]
		if !ok {
			s = &adamState{m: make([]float32, len(p.Value)), v: make([]float32, len(p.Value))}
			o.state[p] = s
		}
		s.step++
		kernels.Adam(p.Value, s.m, s.v, nil, p.Grad, kernels.AdamOptions{LR: float64(o.LR), Beta1: float64(o.Beta1), Beta2: float64(o.Beta2), Eps: float64(o.Eps), Step: s.step})
	}
	return nil
}

func (o *Adam) checkHyper() error {
	const op = "nn.Adam"
	if err := checkLR(op, o.LR); err != nil {
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

// LearningRate returns LR.
func (o *Adam) LearningRate() float32 { return o.LR }

// SetLearningRate sets LR.
func (o *Adam) SetLearningRate(lr float32) { o.LR = lr }

// checkLR returns an error, naming op, unless lr is finite and ≥ 0.
func checkLR(op string, lr float32) error {
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
func checkUnit(op, name string, v float32) error {
	switch {
	case v-v != 0:
		return fmt.Errorf("%s: %s = %v: %w", op, name, v, ErrNotFinite)
	case v < 0 || v >= 1:
		return fmt.Errorf("%s: %s = %v, want 0 ≤ %s < 1", op, name, v, name)
	}
	return nil
}
