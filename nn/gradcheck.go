package nn

import (
	"fmt"
	"math"
)

// GradCheckResult is how far one parameter's analytic gradient is from
// its finite-difference estimate.
type GradCheckResult struct {
	Name    string // the parameter's name in the model, as "0.weight"
	Checked int    // elements compared
	// MaxAbsErr is the largest |analytic − numeric| over the elements;
	// RelErr is MaxAbsErr divided by the largest |analytic| of the
	// parameter (or by 1 if that is smaller), a scale-free figure that
	// float32 rounding keeps around 1e-3 for a correct gradient.
	MaxAbsErr, RelErr float64
	Worst             int // the element with the largest error
}

// GradCheck compares the gradients that model's Backward computes for
// loss on batch with central finite differences, (L(θ+h) − L(θ−h))/2h,
// element by element, for users who write their own layers. It checks at
// most maxPerParam elements of each parameter, evenly spread (0: all of
// them), and restores every parameter it perturbs. h around 1e-2 suits
// float32 losses of order 1; near a kink (ReLU at 0) any h misleads.
//
// It leaves the model's gradients as its own backward pass computed them.
func GradCheck(model *Sequential, loss Loss, batch Data, h float32, maxPerParam int) ([]GradCheckResult, error) {
	const op = "nn.GradCheck"
	if !(h > 0) {
		return nil, fmt.Errorf("%s: h = %v, want > 0", op, h)
	}
	if err := batch.check(op); err != nil {
		return nil, err
	}
	eval := func(grad bool) (float32, error) {
		pred, err := model.Forward(batch.X)
		if err != nil {
			return 0, err
		}
		var g Matrix
		if grad {
			g = NewMatrix(pred.Rows, pred.Cols)
			if _, err := loss.Eval(g, pred, batch); err != nil {
				return 0, err
			}
			model.ZeroGrad()
			_, err := model.Backward(g, false)
			return 0, err
		}
		return loss.Eval(Matrix{}, pred, batch)
	}
	if _, err := eval(true); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	var results []GradCheckResult
	for pi, p := range model.Params() {
		if !p.hasGrad {
			continue
		}
		r := GradCheckResult{Name: model.names[pi]}
		stride := 1
		if maxPerParam > 0 && len(p.Value) > maxPerParam {
			stride = (len(p.Value) + maxPerParam - 1) / maxPerParam
		}
		scale := 1.0
		for _, g := range p.Grad {
			scale = math.Max(scale, math.Abs(float64(g)))
		}
		for i := 0; i < len(p.Value); i += stride {
			v := p.Value[i]
			p.Value[i] = v + h
			up, err := eval(false)
			if err == nil {
				p.Value[i] = v - h
				var down float32
				down, err = eval(false)
				up -= down
			}
			p.Value[i] = v
			if err != nil {
				return nil, fmt.Errorf("%s: %s[%d]: %w", op, r.Name, i, err)
			}
			// The step actually taken is (v+h) − (v−h) as rounded.
			numeric := float64(up) / (float64(v+h) - float64(v-h))
			if d := math.Abs(float64(p.Grad[i]) - numeric); d > r.MaxAbsErr || r.Checked == 0 {
				r.MaxAbsErr, r.Worst = d, i
			}
			r.Checked++
		}
		r.RelErr = r.MaxAbsErr / scale
		results = append(results, r)
	}
	return results, nil
}
