package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/simdnn/simdnn/kernels"
)

// Dropout is inverted dropout, as PyTorch's nn.Dropout: while its model
// trains, each element of the input is zeroed with probability P and the
// others are multiplied by 1/(1−P), so that the expected output is the
// input; outside training it passes its input through. A Trainer turns
// training on for its steps and off for everything else (see
// [Sequential.SetTraining]); a Predictor leaves Dropout out.
//
// The zeroed elements are drawn from the layer's own random source,
// seeded by NewDropout, so a run is reproducible, and a checkpoint saves
// the source's state with the rest of the run. The scale is 1/(1−P)
// rounded to float32 from float32(1−P), as PyTorch computes it; a
// dropped element is 0 even where the input is NaN or ±Inf (PyTorch's
// x·0 would be NaN there).
type Dropout struct {
	p        float64
	keep     uint32  // an element is kept when its 32 random bits are ≥ keep
	scale    float32 // 1/(1−p) in float32
	src      *rand.PCG
	training bool

	masked bool // whether the last Forward dropped elements
	mask   buffer
	out    buffer
	dxBuf  buffer
	rows   int
	cols   int
}

// NewDropout returns dropout with probability p, in [0, 1], its random
// source seeded with seed.
func NewDropout(p float64, seed uint64) (*Dropout, error) {
	switch {
	case math.IsNaN(p):
		return nil, fmt.Errorf("nn.NewDropout: p = NaN: %w", ErrNotFinite)
	case p < 0 || p > 1:
		return nil, fmt.Errorf("nn.NewDropout: p = %v, want 0 ≤ p ≤ 1", p)
	}
	d := &Dropout{p: p, src: rand.NewPCG(seed, 0)}
	// P(u32 ≥ keep) = 1 − p for u32 uniform: keep = p·2³², rounded.
	d.keep = uint32(min(math.Round(p*(1<<32)), math.MaxUint32))
	if p < 1 {
		d.scale = 1 / float32(1-p)
	}
	return d, nil
}

// P returns the probability with which an element is dropped.
func (d *Dropout) P() float64 { return d.p }

// SetTraining turns dropping on (true) or off.
func (d *Dropout) SetTraining(on bool) { d.training = on }

// Forward returns x with elements dropped and the rest scaled while
// training, and x itself otherwise.
func (d *Dropout) Forward(x Matrix) (Matrix, error) {
	if err := checkInput(d, "Forward", x, -1); err != nil {
		return Matrix{}, err
	}
	d.rows, d.cols = x.Rows, x.Cols
	d.masked = d.training && d.p > 0
	if !d.masked {
		return x, nil
	}
	mask := d.mask.get(x.Rows, x.Cols).Data
	d.draw(mask)
	y := d.out.get(x.Rows, x.Cols)
	// mask is 1 where an element stays and 0 where it drops: ReLU's
	// derivative passes x through where the mask is positive.
	kernels.ReLUGrad(y.Data, mask, x.Data)
	if d.p < 1 {
		kernels.Scale(y.Data, d.scale)
	}
	return y, nil
}

// draw sets mask[i] to 1 with probability 1−p and to 0 otherwise, from
// 32 random bits per element.
func (d *Dropout) draw(mask []float32) {
	if d.p == 1 {
		clear(mask)
		return
	}
	i := 0
	for ; i+1 < len(mask); i += 2 {
		r := d.src.Uint64()
		mask[i] = keepBit(uint32(r), d.keep)
		mask[i+1] = keepBit(uint32(r>>32), d.keep)
	}
	if i < len(mask) {
		mask[i] = keepBit(uint32(d.src.Uint64()), d.keep)
	}
}

func keepBit(u, keep uint32) float32 {
	if u >= keep {
		return 1
	}
	return 0
}

// Backward returns dy with the last Forward's elements dropped and the
// rest scaled: the derivative of Forward.
func (d *Dropout) Backward(dy Matrix, needInputGrad bool) (Matrix, error) {
	if err := checkGrad(d, dy, d.rows, d.cols); err != nil {
		return Matrix{}, err
	}
	if !needInputGrad {
		return Matrix{}, nil
	}
	if !d.masked {
		return dy, nil
	}
	dx := d.dxBuf.get(dy.Rows, dy.Cols)
	kernels.ReLUGrad(dx.Data, d.mask.data[:len(dx.Data)], dy.Data)
	if d.p < 1 {
		kernels.Scale(dx.Data, d.scale)
	}
	return dx, nil
}

// Params returns nil: dropout has no parameters.
func (d *Dropout) Params() []*Param { return nil }

// Widths returns (in, in): dropout takes any width.
func (d *Dropout) Widths(in int) (int, int) { return in, in }

// String returns "Dropout(p=P)".
func (d *Dropout) String() string { return fmt.Sprintf("Dropout(p=%g)", d.p) }
