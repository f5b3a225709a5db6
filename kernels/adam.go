package kernels

import "github.com/simdnn/simdnn/internal/adam"

// AdamOptions are the hyper-parameters of PyTorch's torch.optim.Adam and
// AdamW, held as PyTorch holds them, in float64 (Python floats), and the
// step. A step computes 1 − β, the bias corrections and 1 − LR·WeightDecay
// in float64 and rounds each scalar to float32 once, as PyTorch does when
// an operation meets a float32 tensor (1 − float32(0.999) would differ
// from float32(1 − 0.999) by 1.3e-5 of itself).
type AdamOptions struct {
	LR, Beta1, Beta2, Eps float64
	WeightDecay           float64
	Decoupled             bool // AdamW: w ← w·(1 − LR·WeightDecay) first, not WeightDecay·w added to the gradient
	AMSGrad               bool // divide by the root of the largest v so far (vmax, max_exp_avg_sq)
	Step                  int  // counted from 1
}

// Adam applies step t = Step of torch.optim.Adam, or of torch.optim.AdamW
// when Decoupled (PyTorch 1.13, the single-tensor updates that run on
// CPU), to the weights w from the gradient g, with the moment estimates m
// and v (exp_avg and exp_avg_sq), for every element:
//
//	g = g + WeightDecay·w                 if WeightDecay ≠ 0 and not Decoupled
//	w = w·(1 − LR·WeightDecay)            if Decoupled
//	m = β₁·m + (1−β₁)·g
//	v = β₂·v + (1−β₂)·g²
//	vmax = max(vmax, v)                   if AMSGrad; then vmax for v below
//	w = w − LR/(1−β₁ᵗ) · m / (√v / √(1−β₂ᵗ) + Eps)
//
// Eps is added after the bias-corrected square root, and max is NaN if
// either operand is, as torch.maximum. Start m, v and vmax at zeros. m, v
// and g must be as long as w, and so must vmax with AMSGrad; without, vmax
// is neither read nor written and may be nil. Step must be ≥ 1. Range
// checks of the values are the caller's. No two slices may overlap. Long
// slices are split over goroutines as Sgemm's products are (SetThreads);
// the results do not depend on it.
func Adam(w, m, v, vmax, g []float32, o AdamOptions) {
	checkLen("Adam", "m", len(m), "w", len(w))
	checkLen("Adam", "v", len(v), "w", len(w))
	checkLen("Adam", "g", len(g), "w", len(w))
	if o.AMSGrad {
		if vmax == nil && len(w) > 0 {
			fail("Adam", "vmax is nil with AMSGrad")
		}
		checkLen("Adam", "vmax", len(vmax), "w", len(w))
	} else {
		vmax = nil
	}
	if o.Step < 1 {
		fail("Adam", "Step=%d < 1", o.Step)
	}
	raceRead(g)
	raceRead(m)
	raceWrite(m)
	raceRead(v)
	raceWrite(v)
	raceRead(vmax)
	raceWrite(vmax)
	raceRead(w)
	raceWrite(w)
	c := optimCall{kind: adamUpdate, w: w, m: m, v: v, vmax: vmax, g: g, adam: newAdamStep(o)}
	runOptim(&c)
}

// adamStep is one Adam call's form of the update and its float32 scalars.
type adamStep struct {
	form adamForm
	s    adam.Scalars
}

// newAdamStep returns the form and scalars of a step with options o.
func newAdamStep(o AdamOptions) adamStep {
	var f adamForm
	switch {
	case o.WeightDecay == 0:
		f = adamPlain
	case o.Decoupled:
		f = adamW
	default:
		f = adamL2
	}
	if o.AMSGrad {
		f |= adamAMSGrad
	}
	return adamStep{form: f, s: adam.NewScalars(o.LR, o.Beta1, o.Beta2, o.Eps, o.WeightDecay, o.Step)}
}
