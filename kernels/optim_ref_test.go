package kernels

import (
	"math"
)

// The references of the optimizer tests are PyTorch 1.13's single-tensor
// updates (torch/optim/sgd.py, adam.py, adamw.py) transcribed into
// float64, taking the float64 options as PyTorch takes its Python floats.
// Where a float32 tensor PyTorch stores (the decayed gradient, a moment,
// the update) would overflow, they store ±Inf, as any float32 state must.
//
// The tolerance of every output is a bound on the error of the float32
// operations the kernels perform, in their order: each hyper-parameter
// rounded to float32 once (off by |x − float32(x)|), each product, sum,
// square root and quotient rounded once (off by 2⁻²⁴ of its magnitude,
// half an ULP, plus 2⁻¹⁴⁹ where it falls among the subnormals), the
// errors of the operands carried through to first order with their
// product terms. It holds for the fused implementations too, a fused
// multiply-add rounding once where the bound counts two roundings. Where
// nothing cancels it is a few ULPs of the result: half an ULP for each
// rounding on the way. The bound is computed alongside in float64 by
// type bound.

// overflowAt is the smallest magnitude that rounds to ±Inf in float32:
// FLT_MAX plus half its ULP.
const overflowAt = 0x1p128 - 0x1p103

// f32range returns x, or ±Inf where x is beyond float32's range.
func f32range(x float64) float64 {
	if math.Abs(x) >= overflowAt {
		return math.Copysign(math.Inf(1), x)
	}
	return x
}

// sgdRef returns the new w and v of PyTorch's SGD step on one element.
// torch.optim.SGD's first step, which sets v = d, is the caller's (a zero
// v with dampening 0).
func sgdRef(w, v, g float32, o SGDOptions) (wNew, vNew float64) {
	d, vNew := float64(g), float64(v)
	if o.WeightDecay != 0 {
		d = f32range(d + o.WeightDecay*float64(w)) // d_p.add(param, alpha=weight_decay)
	}
	if o.Momentum != 0 {
		vNew = f32range(f32range(o.Momentum*vNew) + (1-o.Dampening)*d) // buf.mul_(momentum).add_(d_p, alpha=1 - dampening)
		if o.Nesterov {
			d = f32range(d + o.Momentum*vNew) // d_p.add(buf, alpha=momentum)
		} else {
			d = vNew
		}
	}
	return float64(w) - o.LR*d, vNew // param.add_(d_p, alpha=-lr)
}

// biasCorrections returns 1 − β₁ᵗ and 1 − β₂ᵗ of o's step, for adamRef and
// adamBounds, which their callers run on many elements.
func biasCorrections(o AdamOptions) (bc1, bc2 float64) {
	t := float64(o.Step)
	return 1 - math.Pow(o.Beta1, t), 1 - math.Pow(o.Beta2, t)
}

// adamRef returns the new w, m, v and vmax of PyTorch's Adam (AdamW when
// Decoupled) step on one element, with bc1 and bc2 of biasCorrections;
// vmax is its input without AMSGrad.
func adamRef(w, m, v, vmax, g float32, o AdamOptions, bc1, bc2 float64) (wNew, mNew, vNew, vmaxNew float64) {
	gi, wi := float64(g), float64(w)
	switch {
	case o.Decoupled:
		wi = f32range(wi * (1 - o.LR*o.WeightDecay)) // param.mul_(1 - lr * weight_decay)
	case o.WeightDecay != 0:
		gi = f32range(gi + o.WeightDecay*wi) // grad.add(param, alpha=weight_decay)
	}
	mNew = f32range(f32range(o.Beta1*float64(m)) + (1-o.Beta1)*gi)    // exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
	vNew = f32range(f32range(o.Beta2*float64(v)) + (1-o.Beta2)*gi*gi) // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
	vmaxNew, root := float64(vmax), vNew
	if o.AMSGrad {
		vmaxNew = max(vmaxNew, vNew) // torch.maximum: NaN if either is
		root = vmaxNew
	}
	den := math.Sqrt(root)/math.Sqrt(bc2) + o.Eps
	// param.addcdiv_(exp_avg, denom, value=-step_size) computes
	// (value·exp_avg)/denom in float32.
	return wi - f32range(f32range(o.LR/bc1*mNew)/den), mNew, vNew, vmaxNew
}

// bound is a value x computed in float64 and a bound e on the distance
// from x of what a float32 kernel computes for it.
type bound struct{ x, e float64 }

// exact is an input element: no error.
func exact(v float32) bound { return bound{float64(v), 0} }

// scalar is a float64 hyper-parameter the kernel rounds to float32.
func scalar(x float64) bound { return bound{x, math.Abs(x - float64(float32(x)))} }

// rounded adds one float32 rounding of the result to b's bound.
func (b bound) rounded() bound {
	return bound{b.x, b.e + 0x1p-24*(math.Abs(b.x)+b.e) + 0x1p-149}
}

func addB(a, b bound) bound { return bound{a.x + b.x, a.e + b.e}.rounded() }

func subB(a, b bound) bound { return bound{a.x - b.x, a.e + b.e}.rounded() }

func mulB(a, b bound) bound {
	return bound{a.x * b.x, math.Abs(a.x)*b.e + math.Abs(b.x)*a.e + a.e*b.e}.rounded()
}

func divB(a, b bound) bound {
	q := a.x / b.x
	e := math.Inf(1)
	if d := math.Abs(b.x) - b.e; d > 0 {
		e = (a.e + math.Abs(q)*b.e) / d
	}
	return bound{q, e}.rounded()
}

func sqrtB(a bound) bound {
	s := math.Sqrt(a.x)
	lo, hi := math.Sqrt(max(0, a.x-a.e)), math.Sqrt(a.x+a.e)
	return bound{s, max(s-lo, hi-s)}.rounded()
}

// maxB is exact: the maximum moves no further than its operands.
func maxB(a, b bound) bound { return bound{max(a.x, b.x), max(a.e, b.e)} }

// sgdBounds returns the bounds of SGD's new w and v in the order of the
// kernels (fallback/sgd.go).
func sgdBounds(w, v, g float32, o SGDOptions) (wB, vB bound) {
	d, vB := exact(g), exact(v)
	if o.WeightDecay != 0 {
		d = addB(d, mulB(scalar(o.WeightDecay), exact(w)))
	}
	step := d
	if o.Momentum != 0 {
		share := d
		if o.Dampening != 0 {
			share = mulB(scalar(1-o.Dampening), d)
		}
		vB = addB(mulB(scalar(o.Momentum), vB), share)
		step = vB
		if o.Nesterov {
			step = addB(d, mulB(scalar(o.Momentum), vB))
		}
	}
	return subB(exact(w), mulB(scalar(o.LR), step)), vB
}

// adamBounds returns the bounds of Adam's new w, m, v and vmax in the
// order of the kernels (fallback/adam.go), with bc1 and bc2 of
// biasCorrections.
func adamBounds(w, m, v, vmax, g float32, o AdamOptions, bc1, bc2 float64) (wB, mB, vB, vmaxB bound) {
	gB, wd := exact(g), exact(w)
	switch {
	case o.Decoupled:
		wd = mulB(wd, scalar(1-o.LR*o.WeightDecay))
	case o.WeightDecay != 0:
		gB = addB(gB, mulB(scalar(o.WeightDecay), exact(w)))
	}
	mB = addB(mulB(scalar(o.Beta1), exact(m)), mulB(scalar(1-o.Beta1), gB))
	vB = addB(mulB(scalar(o.Beta2), exact(v)), mulB(mulB(scalar(1-o.Beta2), gB), gB))
	vmaxB, root := exact(vmax), vB
	if o.AMSGrad {
		vmaxB = maxB(vmaxB, vB)
		root = vmaxB
	}
	den := addB(mulB(sqrtB(root), scalar(1/math.Sqrt(bc2))), scalar(o.Eps))
	u := divB(mulB(scalar(o.LR/bc1), mB), den)
	return subB(wd, u), mB, vB, vmaxB
}

// tolOf returns the tolerance of an output with bound b, as
// harness.Within takes it: b.e, and half an ULP where the bound is not a
// number (NaN or infinite operands, whose outputs Within checks by
// value).
func tolOf(b bound) (ulps, abs float64) { return 0.5, finiteOr0(b.e) }
