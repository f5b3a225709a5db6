package kernels

import "github.com/simdnn/simdnn/fallback"

// Each option of SGD and Adam that changes the loop is a kernel of its
// own, generated for every instruction set (gen/sgd.go, gen/adam.go) and
// written out in package fallback, so that no loop tests an option per
// element. A call picks its form once (newSGDStep, newAdamStep); an
// implementation's kernels for every form are one value of sgdKernels or
// adamKernels.

// sgdForm is a form of SGD's update: a base form, plus sgdL2 for weight
// decay.
type sgdForm uint8

const (
	sgdPlain    sgdForm = 0 << 1 // no momentum
	sgdMomentum sgdForm = 1 << 1
	sgdDampened sgdForm = 2 << 1 // momentum with dampening
	sgdNesterov sgdForm = 3 << 1
	sgdL2       sgdForm = 1 // weight decay, added to any of the above
)

// sgdKernels are one implementation's kernels of SGD's forms, with the
// signatures of package fallback's.
type sgdKernels struct {
	plain                  func(w, g []float32, lr float32)
	plainL2                func(w, g []float32, lr, wd float32)
	momentum, nesterov     func(w, v, g []float32, lr, momentum float32)
	momentumL2, nesterovL2 func(w, v, g []float32, lr, momentum, wd float32)
	dampened               func(w, v, g []float32, lr, momentum, damp float32)
	dampenedL2             func(w, v, g []float32, lr, momentum, damp, wd float32)
}

// step runs the kernel of s's form.
func (k *sgdKernels) step(w, v, g []float32, s *sgdStep) {
	switch s.form {
	case sgdPlain:
		k.plain(w, g, s.lr)
	case sgdPlain | sgdL2:
		k.plainL2(w, g, s.lr, s.wd)
	case sgdMomentum:
		k.momentum(w, v, g, s.lr, s.momentum)
	case sgdMomentum | sgdL2:
		k.momentumL2(w, v, g, s.lr, s.momentum, s.wd)
	case sgdDampened:
		k.dampened(w, v, g, s.lr, s.momentum, s.damp)
	case sgdDampened | sgdL2:
		k.dampenedL2(w, v, g, s.lr, s.momentum, s.damp, s.wd)
	case sgdNesterov:
		k.nesterov(w, v, g, s.lr, s.momentum)
	case sgdNesterov | sgdL2:
		k.nesterovL2(w, v, g, s.lr, s.momentum, s.wd)
	}
}

// adamForm is a form of Adam's update: a weight decay, plus adamAMSGrad.
type adamForm uint8

const (
	adamPlain   adamForm = 0 << 1 // no weight decay
	adamL2      adamForm = 1 << 1 // Adam's weight decay, added to the gradient
	adamW       adamForm = 2 << 1 // AdamW's decoupled weight decay
	adamAMSGrad adamForm = 1      // AMSGrad, added to any of the above
)

// adamKernels are one implementation's kernels of Adam's forms, with the
// signatures of package fallback's: the scalars of adam.Scalars in the
// order of its fields, the weight decay's last.
type adamKernels struct {
	plain               func(w, m, v, g []float32, b1, omb1, b2, omb2, size, c, eps float32)
	l2, w               func(w, m, v, g []float32, b1, omb1, b2, omb2, size, c, eps, decay float32)
	amsgrad             func(w, m, v, vmax, g []float32, b1, omb1, b2, omb2, size, c, eps float32)
	l2AMSGrad, wAMSGrad func(w, m, v, vmax, g []float32, b1, omb1, b2, omb2, size, c, eps, decay float32)
}

// step runs the kernel of a's form.
func (k *adamKernels) step(w, m, v, vmax, g []float32, a *adamStep) {
	s := &a.s
	b1, omb1, b2, omb2, size, c, eps := s.Beta1, s.OneMinusBeta1, s.Beta2, s.OneMinusBeta2, s.StepSize, s.InvSqrtBC2, s.Eps
	switch a.form {
	case adamPlain:
		k.plain(w, m, v, g, b1, omb1, b2, omb2, size, c, eps)
	case adamL2:
		k.l2(w, m, v, g, b1, omb1, b2, omb2, size, c, eps, s.WeightDecay)
	case adamW:
		k.w(w, m, v, g, b1, omb1, b2, omb2, size, c, eps, s.Decay)
	case adamPlain | adamAMSGrad:
		k.amsgrad(w, m, v, vmax, g, b1, omb1, b2, omb2, size, c, eps)
	case adamL2 | adamAMSGrad:
		k.l2AMSGrad(w, m, v, vmax, g, b1, omb1, b2, omb2, size, c, eps, s.WeightDecay)
	case adamW | adamAMSGrad:
		k.wAMSGrad(w, m, v, vmax, g, b1, omb1, b2, omb2, size, c, eps, s.Decay)
	}
}

// The pure-Go kernels of every form.
var (
	genericSGD = sgdKernels{
		plain: fallback.SGD, plainL2: fallback.SGDL2,
		momentum: fallback.SGDMomentum, momentumL2: fallback.SGDMomentumL2,
		dampened: fallback.SGDDampened, dampenedL2: fallback.SGDDampenedL2,
		nesterov: fallback.SGDNesterov, nesterovL2: fallback.SGDNesterovL2,
	}
	genericAdam = adamKernels{
		plain: fallback.Adam, l2: fallback.AdamL2, w: fallback.AdamW,
		amsgrad: fallback.AdamAMSGrad, l2AMSGrad: fallback.AdamL2AMSGrad, wAMSGrad: fallback.AdamWAMSGrad,
	}
)
