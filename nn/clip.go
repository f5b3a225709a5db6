package nn

import (
	"fmt"
	"math"

	"github.com/simdnn/simdnn/kernels"
)

// ClipGradNorm scales the gradients of params so that their global
// Euclidean norm is at most maxNorm, as PyTorch's
// torch.nn.utils.clip_grad_norm_ does with norm_type 2, and returns the
// norm they had. The norm is that of the parameters' norms, each from
// kernels.SumSquares rounded to float32; when it exceeds maxNorm every
// gradient is multiplied by maxNorm/(norm + 1e-6), computed in float32 as
// PyTorch computes it. Parameters without a gradient (see
// [Param.HasGrad]) are left out, as PyTorch leaves out those whose grad
// is None.
//
// maxNorm must be finite and ≥ 0. A gradient holding NaN or ±Inf makes
// the norm non-finite: ClipGradNorm then returns it with an error
// wrapping ErrNotFinite and changes nothing, where PyTorch would
// multiply every gradient by NaN (or raise, with error_if_nonfinite).
func ClipGradNorm(params []*Param, maxNorm float64) (float64, error) {
	const op = "nn.ClipGradNorm"
	if err := checkNonNegative(op, "maxNorm", maxNorm); err != nil {
		return math.NaN(), err
	}
	norm := gradNorm(params)
	if math.IsNaN(float64(norm)) || math.IsInf(float64(norm), 0) {
		return float64(norm), fmt.Errorf("%s: the gradients' norm is %v: %w", op, norm, ErrNotFinite)
	}
	coef := float32(maxNorm) / (norm + float32(1e-6))
	if coef < 1 {
		for _, p := range params {
			if p.hasGrad {
				kernels.Scale(p.Grad, coef)
			}
		}
	}
	return float64(norm), nil
}

// gradNorm returns the Euclidean norm of the norms of the gradients of
// params, each rounded to float32 as PyTorch's vector_norm gives it.
func gradNorm(params []*Param) float32 {
	var s float64
	for _, p := range params {
		if p.hasGrad {
			n := float64(float32(math.Sqrt(kernels.SumSquares(p.Grad))))
			s += n * n
		}
	}
	return float32(math.Sqrt(s))
}

// ClipGradValue clamps every gradient element of params to
// [−clip, clip] (kernels.Clamp), as PyTorch's
// torch.nn.utils.clip_grad_value_ does; a NaN element stays NaN. clip
// must be finite and ≥ 0. Parameters without a gradient are left out.
func ClipGradValue(params []*Param, clip float64) error {
	if err := checkNonNegative("nn.ClipGradValue", "clip", clip); err != nil {
		return err
	}
	c := float32(clip)
	for _, p := range params {
		if p.hasGrad {
			kernels.Clamp(p.Grad, p.Grad, -c, c)
		}
	}
	return nil
}
