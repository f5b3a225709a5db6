package kernels

// SGDOptions are the hyper-parameters of PyTorch's torch.optim.SGD, held
// as PyTorch holds them, in float64 (Python floats). A step computes
// 1 − Dampening in float64 and rounds each scalar to float32 once, as
// PyTorch does when an operation meets a float32 tensor.
type SGDOptions struct {
	LR          float64 // learning rate
	Momentum    float64 // 0 for none: no velocity
	Dampening   float64 // the share 1 − Dampening of the gradient enters the velocity
	WeightDecay float64 // L2 penalty: WeightDecay·w is added to the gradient
	Nesterov    bool    // Nesterov momentum: needs Momentum > 0 and Dampening = 0
}

// SGD applies one step of torch.optim.SGD (PyTorch 1.13, the
// single-tensor update that runs on CPU) to the weights w from the
// gradient g, with the velocity v (PyTorch's momentum_buffer), for every
// element:
//
//	d = g, plus WeightDecay·w if WeightDecay ≠ 0
//	if Momentum ≠ 0:
//	    v = Momentum·v + (1 − Dampening)·d
//	    d = d + Momentum·v if Nesterov, else v
//	w = w − LR·d
//
// PyTorch's first step sets v = d instead of Momentum·v + (1 −
// Dampening)·d: pass v zeroed with Dampening = 0 on the first step, which
// gives exactly d, and the real Dampening from the second on. g must be as
// long as w, and so must v when Momentum ≠ 0; otherwise v is neither read
// nor written and may be nil. Nesterov needs Momentum > 0 and Dampening =
// 0, as PyTorch's does. Range checks of the values (a negative learning
// rate, say) are the caller's. w, v and g must not overlap. Long slices
// are split over goroutines as Sgemm's products are (SetThreads); the
// results do not depend on it.
func SGD(w, v, g []float32, o SGDOptions) {
	checkLen("SGD", "g", len(g), "w", len(w))
	momentum := o.Momentum != 0
	if momentum {
		if v == nil && len(w) > 0 {
			fail("SGD", "v is nil with Momentum=%v", o.Momentum)
		}
		checkLen("SGD", "v", len(v), "w", len(w))
	}
	if o.Nesterov && (o.Momentum <= 0 || o.Dampening != 0) {
		fail("SGD", "Nesterov needs Momentum > 0 and Dampening = 0, have Momentum=%v Dampening=%v", o.Momentum, o.Dampening)
	}
	raceRead(g)
	if momentum {
		raceRead(v)
		raceWrite(v)
	} else {
		v = nil
	}
	raceRead(w)
	raceWrite(w)
	c := optimCall{kind: sgdUpdate, w: w, v: v, g: g, sgd: newSGDStep(o)}
	runOptim(&c)
}

// sgdStep is one SGD call's form of the update and its float32 scalars.
type sgdStep struct {
	form                   sgdForm
	lr, momentum, damp, wd float32 // damp is 1 − dampening
}

// newSGDStep returns the form and scalars of a step with options o.
func newSGDStep(o SGDOptions) sgdStep {
	var f sgdForm
	switch {
	case o.Momentum == 0:
		f = sgdPlain
	case o.Nesterov:
		f = sgdNesterov
	case o.Dampening != 0:
		f = sgdDampened
	default:
		f = sgdMomentum
	}
	if o.WeightDecay != 0 {
		f |= sgdL2
	}
	return sgdStep{form: f, lr: float32(o.LR), momentum: float32(o.Momentum), damp: float32(1 - o.Dampening), wd: float32(o.WeightDecay)}
}
