package nn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// ErrNotFinite is the error (wrapped) of a value that must be finite and
// is NaN or ±Inf: an input or target of the data given to Fit or
// Evaluate, an output or loss in Evaluate, a learning rate or another
// hyper-parameter, or the loss of a training step. A step whose loss is
// not finite applies no update, so the parameters are those the last
// step with a finite loss left. The gradients of a step whose loss is
// finite are not checked: an update that overflows shows as a
// non-finite loss one step later.
var ErrNotFinite = errors.New("not finite")

// Trainer trains a model by minibatch gradient descent. Set its fields,
// then call Fit (or Step, for a loop of one's own). A Trainer keeps the
// buffers of its minibatches and gradients: once it has seen a batch
// size, a step allocates nothing.
type Trainer struct {
	Model     *Sequential
	Loss      Loss
	Optimizer Optimizer

	// BatchSize is the number of samples per step; 0 takes the whole
	// data set per step (full-batch gradient descent). The last batch of
	// an epoch holds what remains.
	BatchSize int
	// Epochs is the largest number of passes over the data; Fit stops
	// earlier when a tolerance below is met.
	Epochs int
	// RNG, when set, shuffles the samples before every epoch (each
	// epoch's order depends only on the source's state at its start);
	// nil keeps them in order. A seeded source makes the run
	// reproducible, and one that saves its state (encoding's
	// BinaryMarshaler and BinaryUnmarshaler, as rand.PCG and
	// rand.ChaCha8 are) lets a checkpoint resume it.
	RNG rand.Source

	// LossTol, when positive, stops training once the mean training loss
	// of an epoch differs from the previous epoch's by less than LossTol.
	LossTol float64
	// StepTol, when positive, stops training once no parameter has moved
	// by more than StepTol over an epoch (with BatchSize 0, one step:
	// the classic ‖θₜ₊₁ − θₜ‖∞ < ε rule).
	StepTol float64

	// Schedule, when set, gives the learning rate of each step from the
	// epoch (from 1) and the number of steps taken before it (from 0).
	// A value that is NaN or ±Inf stops Fit with an error wrapping
	// ErrNotFinite, and a negative one with an error, before the step
	// runs and before the optimizer's learning rate changes.
	Schedule func(epoch, step int) float64
	// OnStep and OnEpoch, when set, are called after every step and
	// every epoch. An error they return stops Fit, which returns it.
	OnStep  func(StepInfo) error
	OnEpoch func(EpochInfo) error

	// Validation, when it holds samples, is evaluated after every epoch
	// (EpochInfo.Validation).
	Validation Data

	// ClipValue, when positive, clamps every gradient element to
	// [−ClipValue, ClipValue] before each update (ClipGradValue).
	// ClipNorm, when positive, then scales the gradients to a global
	// norm of at most ClipNorm (ClipGradNorm); a gradient that is not
	// finite then stops the step with an error wrapping ErrNotFinite.
	ClipValue, ClipNorm float64

	steps    int
	gradNorm float64   // the last step's norm before ClipNorm, or NaN
	pos      position  // where Fit is, for a checkpoint
	resume   *position // where the next Fit starts, from LoadCheckpoint
	grad     buffer
	batch    batchBuffers
	perm     []int
	snapshot []float32
}

// StepInfo describes one training step.
type StepInfo struct {
	Epoch, Step int // the epoch (from 1) and the step (from 1, over all epochs)
	Samples     int // samples in the step's batch
	Loss        float32
	// GradNorm is the gradients' global norm before clipping when
	// Trainer.ClipNorm is set (ClipGradNorm's result), else NaN.
	GradNorm float64
}

// EpochInfo describes one epoch.
type EpochInfo struct {
	Epoch    int
	Steps    int
	Samples  int
	Loss     float64       // the mean training loss over the epoch's samples
	MaxStep  float64       // the largest change of any parameter over the epoch; NaN unless StepTol is set
	Duration time.Duration // the time of the epoch's training steps, validation excluded
	// Validation holds the loss and accuracy on Trainer.Validation, or
	// NaNs when there is none.
	Validation Metrics
}

// History is what Fit did: one entry per epoch, and why it stopped.
type History struct {
	Epochs []EpochInfo
	// Stopped says why training ended before Trainer.Epochs, or is
	// empty if it ran them all.
	Stopped string
}

// Step runs one training step on batch: forward pass, loss, backward pass
// and the optimizer's update. It returns the batch's loss. If the loss is
// NaN or ±Inf it returns an error wrapping ErrNotFinite and applies no
// update; so does an optimizer whose hyper-parameters are out of range
// (see [Optimizer]). It runs the model in training mode (see
// [Sequential.SetTraining]) and leaves it in inference. It does not
// consult Schedule, which Fit applies before each step: a loop of one's
// own sets the rate with the optimizer's SetLearningRate.
func (t *Trainer) Step(batch Data) (float32, error) {
	t.Model.SetTraining(true)
	defer t.Model.SetTraining(false)
	pred, err := t.Model.Forward(batch.X)
	if err != nil {
		return 0, err
	}
	grad := t.grad.get(pred.Rows, pred.Cols)
	loss, err := t.Loss.Eval(grad, pred, batch)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(float64(loss)) || math.IsInf(float64(loss), 0) {
		return loss, fmt.Errorf("nn.Trainer.Step: %v = %v on a batch of %d: %w; no update applied", t.Loss, loss, batch.Len(), ErrNotFinite)
	}
	t.Model.ZeroGrad()
	if _, err := t.Model.Backward(grad, false); err != nil {
		return loss, err
	}
	t.gradNorm = math.NaN()
	if err := t.checkClip("nn.Trainer.Step"); err != nil {
		return loss, fmt.Errorf("%w; no update applied", err)
	}
	if t.ClipValue > 0 {
		if err := ClipGradValue(t.Model.Params(), t.ClipValue); err != nil {
			return loss, fmt.Errorf("nn.Trainer.Step: %w; no update applied", err)
		}
	}
	if t.ClipNorm > 0 {
		var err error
		if t.gradNorm, err = ClipGradNorm(t.Model.Params(), t.ClipNorm); err != nil {
			return loss, fmt.Errorf("nn.Trainer.Step: %w; no update applied", err)
		}
	}
	if err := t.Optimizer.Step(t.Model.Params()); err != nil {
		return loss, fmt.Errorf("nn.Trainer.Step: %w; no update applied", err)
	}
	t.steps++
	return loss, nil
}

// Fit trains the model on train for up to Epochs epochs and returns what
// it did. It stops early when LossTol or StepTol is met, and with an
// error when a step fails (a NaN loss among them: the parameters are then
// those of the last good step) or a callback returns one.
//
// Before the first step it checks all of train and Validation: the
// inputs' width, the targets' shape, every label a class of the model's
// output, every input and target finite (else the error wraps
// ErrNotFinite). Its errors name a sample by its index in the data.
func (t *Trainer) Fit(train Data) (History, error) {
	const op = "nn.Trainer.Fit"
	var h History
	n := train.Len()
	switch {
	case t.Model == nil || t.Loss == nil || t.Optimizer == nil:
		return h, fmt.Errorf("%s: Model, Loss and Optimizer must all be set", op)
	case t.Epochs <= 0 || t.BatchSize < 0:
		return h, fmt.Errorf("%s: Epochs=%d and BatchSize=%d, want Epochs > 0 and BatchSize ≥ 0", op, t.Epochs, t.BatchSize)
	case n == 0:
		return h, fmt.Errorf("%s: no training samples", op)
	}
	if err := train.checkFor(op, "training data", t.Model, t.Loss); err != nil {
		return h, err
	}
	if t.Validation.Len() > 0 {
		if err := t.Validation.checkFor(op, "validation data", t.Model, t.Loss); err != nil {
			return h, err
		}
	}
	if c, ok := t.Optimizer.(hyperChecker); ok {
		if err := c.checkHyper(); err != nil {
			return h, fmt.Errorf("%s: %w", op, err)
		}
	}
	if err := t.checkClip(op); err != nil {
		return h, err
	}
	bs := t.BatchSize
	if bs == 0 || bs > n {
		bs = n
	}
	if len(t.perm) != n {
		t.perm = make([]int, n)
	}
	first, skip, prevLoss, sum := 1, 0, math.NaN(), 0.0
	if r := t.resume; r != nil {
		if err := r.fits(n, bs); err != nil {
			return h, fmt.Errorf("%s: %w", op, err)
		}
		t.resume = nil
		first, skip, prevLoss, sum = r.epoch, r.done, r.prevLoss, r.lossSum
	}
	for epoch := first; epoch <= t.Epochs; epoch++ {
		start := time.Now()
		t.pos = position{epoch: epoch, done: skip, lossSum: sum, prevLoss: prevLoss, samples: n, batch: bs, rng: t.rngState()}
		for i := range t.perm {
			t.perm[i] = i
		}
		if t.RNG != nil {
			rand.New(t.RNG).Shuffle(n, func(i, j int) { t.perm[i], t.perm[j] = t.perm[j], t.perm[i] })
		}
		if t.StepTol > 0 && skip == 0 {
			t.snapshotParams()
		}
		e := EpochInfo{Epoch: epoch, Samples: n, MaxStep: math.NaN(), Steps: skip}
		for lo := skip * bs; lo < n; lo += bs {
			hi := min(lo+bs, n)
			batch := train.Slice(lo, hi)
			if t.RNG != nil {
				batch = train.gather(&t.batch, t.perm[lo:hi])
			}
			if t.Schedule != nil {
				lr := t.Schedule(epoch, t.steps)
				if err := checkLR("Schedule", lr); err != nil {
					return h, fmt.Errorf("%s: epoch %d, step %d: %w; no update applied", op, epoch, t.steps+1, err)
				}
				t.Optimizer.SetLearningRate(lr)
			}
			loss, err := t.Step(batch)
			if err != nil {
				return h, fmt.Errorf("%s: epoch %d, step %d: %w", op, epoch, t.steps+1, err)
			}
			sum += float64(loss) * float64(hi-lo)
			e.Steps++
			t.pos.done, t.pos.lossSum = e.Steps, sum
			if t.OnStep != nil {
				if err := t.OnStep(StepInfo{Epoch: epoch, Step: t.steps, Samples: hi - lo, Loss: loss, GradNorm: t.gradNorm}); err != nil {
					return h, err
				}
			}
		}
		e.Loss = sum / float64(n)
		if t.StepTol > 0 {
			e.MaxStep = t.maxParamChange()
		}
		e.Duration = time.Since(start)
		e.Validation = Metrics{Loss: math.NaN(), Accuracy: math.NaN()}
		if t.Validation.Len() > 0 {
			var err error
			if e.Validation, err = evaluate("validation", t.Model, t.Loss, t.Validation, bs); err != nil {
				return h, fmt.Errorf("%s: epoch %d: %w", op, epoch, err)
			}
		}
		h.Epochs = append(h.Epochs, e)
		if t.OnEpoch != nil {
			if err := t.OnEpoch(e); err != nil {
				return h, err
			}
		}
		if t.LossTol > 0 && math.Abs(e.Loss-prevLoss) < t.LossTol {
			h.Stopped = fmt.Sprintf("the loss changed by %.3g < LossTol = %g", math.Abs(e.Loss-prevLoss), t.LossTol)
			break
		}
		if t.StepTol > 0 && e.MaxStep < t.StepTol {
			h.Stopped = fmt.Sprintf("no parameter moved by more than %.3g < StepTol = %g", e.MaxStep, t.StepTol)
			break
		}
		prevLoss, sum, skip = e.Loss, 0, 0
	}
	return h, nil
}

// checkClip returns an error, naming op, unless ClipValue and ClipNorm
// are finite and ≥ 0.
func (t *Trainer) checkClip(op string) error {
	if err := checkNonNegative(op, "ClipValue", t.ClipValue); err != nil {
		return err
	}
	return checkNonNegative(op, "ClipNorm", t.ClipNorm)
}

// snapshotParams copies every parameter, for maxParamChange.
func (t *Trainer) snapshotParams() {
	t.snapshot = t.snapshot[:0]
	for _, p := range t.Model.Params() {
		t.snapshot = append(t.snapshot, p.Value...)
	}
}

// maxParamChange returns the largest |θ − snapshot| over every parameter.
func (t *Trainer) maxParamChange() float64 {
	var d float64
	i := 0
	for _, p := range t.Model.Params() {
		for _, v := range p.Value {
			d = math.Max(d, math.Abs(float64(v)-float64(t.snapshot[i])))
			i++
		}
	}
	return d
}
