package nn

import "github.com/simdnn/simdnn/kernels"

// Optimizer updates parameters from their gradients. Parameters without a
// gradient (see [Param.HasGrad]) are left alone, as PyTorch's optimizers
// skip parameters whose grad is None.
type Optimizer interface {
	// Step applies one update to every parameter that has a gradient.
	Step(params []*Param)
	// LearningRate returns the current learning rate; SetLearningRate
	// changes it, for a schedule (see [Trainer.Schedule]).
	LearningRate() float32
	SetLearningRate(lr float32)
}

// SGD is plain gradient descent, θ ← θ − lr·∇θ.
type SGD struct {
	LR float32
}

// NewSGD returns gradient descent with learning rate lr.
func NewSGD(lr float32) *SGD { return &SGD{LR: lr} }

// Step applies θ ← θ − lr·∇θ (kernels.Axpy).
func (o *SGD) Step(params []*Param) {
	for _, p := range params {
		if p.hasGrad {
			kernels.Axpy(p.Value, -o.LR, p.Grad)
		}
	}
}

// LearningRate returns LR.
func (o *SGD) LearningRate() float32 { return o.LR }

// SetLearningRate sets LR.
func (o *SGD) SetLearningRate(lr float32) { o.LR = lr }

// Momentum is gradient descent with momentum as PyTorch's SGD defines it
// (no dampening, no Nesterov): v ← μ·v + ∇θ, θ ← θ − lr·v, with the
// velocity v starting at zero (kernels.SGDMomentum).
type Momentum struct {
	LR, Momentum float32
	velocity     map[*Param][]float32
}

// NewMomentum returns gradient descent with learning rate lr and momentum
// μ (0.9 is common).
func NewMomentum(lr, momentum float32) *Momentum {
	return &Momentum{LR: lr, Momentum: momentum, velocity: map[*Param][]float32{}}
}

// Step applies one momentum update.
func (o *Momentum) Step(params []*Param) {
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
		kernels.SGDMomentum(p.Value, v, p.Grad, o.LR, o.Momentum)
	}
}

// LearningRate returns LR.
func (o *Momentum) LearningRate() float32 { return o.LR }

// SetLearningRate sets LR.
func (o *Momentum) SetLearningRate(lr float32) { o.LR = lr }

// Adam is the optimizer of Kingma and Ba (2015) as PyTorch's Adam defines
// it (kernels.Adam), with its step counted per parameter. Make one with
// NewAdam, which sets PyTorch's defaults.
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

// Step applies one Adam update.
func (o *Adam) Step(params []*Param) {
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
		kernels.Adam(p.Value, s.m, s.v, p.Grad, o.LR, o.Beta1, o.Beta2, o.Eps, s.step)
	}
}

// LearningRate returns LR.
func (o *Adam) LearningRate() float32 { return o.LR }

// SetLearningRate sets LR.
func (o *Adam) SetLearningRate(lr float32) { o.LR = lr }
