package nn

import (
	"bufio"
	"encoding"
	"encoding/base64"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"strconv"
)

// A checkpoint is the whole state of a training run in one safetensors
// file: the model's parameters under the names Save gives them, the
// optimizer's state named as PyTorch's optimizer state_dict names it
// ("state.0.exp_avg", "state.0.momentum_buffer"), and in the metadata
// the optimizer's hyper-parameters ("param_groups.0.lr", ...), its step
// counts ("state.0.step"), the state of every Dropout layer's source, and
// where Fit is: the epoch and the steps of it done, the steps in all, the
// loss so far, and the shuffling RNG's state at the epoch's start. Resuming from it continues the run bit for
// bit as if it had not stopped.

// position is where Fit is in a run, as a checkpoint saves it.
type position struct {
	epoch    int     // the epoch in progress, from 1
	done     int     // its steps done
	lossSum  float64 // Σ loss·samples over them
	prevLoss float64 // the mean training loss of the epoch before (NaN for none)
	samples  int     // the training set's length
	batch    int     // the samples per step
	rng      []byte  // the RNG's state before the epoch's shuffle; nil without RNG
	snapshot []float32
}

// fits returns an error unless Fit on n samples in batches of bs can
// continue from p.
func (p *position) fits(n, bs int) error {
	switch {
	case p.samples == 0: // saved before the first Fit
		return nil
	case n != p.samples:
		return fmt.Errorf("the checkpoint was made training on %d samples, this run has %d", p.samples, n)
	case bs != p.batch:
		return fmt.Errorf("the checkpoint was made with batches of %d samples, this run has %d", p.batch, bs)
	}
	return nil
}

// rngState returns the state of t.RNG, or nil if there is none or it
// cannot save its state.
func (t *Trainer) rngState() []byte {
	m, ok := t.RNG.(encoding.BinaryMarshaler)
	if !ok {
		return nil
	}
	b, err := m.MarshalBinary()
	if err != nil {
		return nil
	}
	return b
}

// Checkpoint metadata keys, besides the optimizer's.
const (
	keyKind      = "simdnn.kind"
	keyModel     = "simdnn.model"
	keyOptimizer = "simdnn.optimizer"
	keyEpoch     = "simdnn.epoch"
	keyDone      = "simdnn.epoch_steps"
	keySteps     = "simdnn.steps"
	keyLossSum   = "simdnn.epoch_loss_sum"
	keyPrevLoss  = "simdnn.prev_loss"
	keySamples   = "simdnn.samples"
	keyBatch     = "simdnn.batch_size"
	keyRNG       = "simdnn.rng"
	// keyDropoutRNG, then a Dropout layer's index in the model ("2",
	// "1.3" in a nested Sequential), holds the state of its source.
	keyDropoutRNG = "simdnn.dropout_rng."
	snapshotName  = "simdnn.step_tol_snapshot"
	kindValue     = "checkpoint"
)

// SaveCheckpoint writes the training state to the file path, atomically
// as Save writes a model: a failed save leaves any previous file intact.
// Call it between steps: from OnStep or OnEpoch, or before or after Fit.
// LoadCheckpoint reads it back, and the next Fit continues the run
// exactly where it was, bit for bit.
//
// It returns an error if the Optimizer is not one of this package's, if
// the RNG cannot save its state (see Trainer.RNG), or if a parameter or
// the optimizer's state holds NaN or ±Inf (wrapping ErrNotFinite).
func (t *Trainer) SaveCheckpoint(path string) error {
	if err := writeAtomic(path, func(w io.Writer) error { _, err := t.writeCheckpoint(w); return err }); err != nil {
		return fmt.Errorf("nn.Trainer.SaveCheckpoint: %w", err)
	}
	return nil
}

// WriteCheckpoint writes the training state to w; see SaveCheckpoint.
func (t *Trainer) WriteCheckpoint(w io.Writer) (int64, error) {
	n, err := t.writeCheckpoint(w)
	if err != nil {
		err = fmt.Errorf("nn.Trainer.WriteCheckpoint: %w", err)
	}
	return n, err
}

func (t *Trainer) writeCheckpoint(w io.Writer) (int64, error) {
	if t.Model == nil || t.Optimizer == nil {
		return 0, fmt.Errorf("the Trainer's Model and Optimizer must be set")
	}
	opt, ok := t.Optimizer.(checkpointer)
	if !ok {
		return 0, fmt.Errorf("the optimizer %T cannot be checkpointed (this package's SGD, Momentum and Adam can)", t.Optimizer)
	}
	pos := t.checkpointPosition()
	if t.RNG != nil && pos.rng == nil {
		return 0, fmt.Errorf("the RNG %T cannot save its state (rand.PCG and rand.ChaCha8 can)", t.RNG)
	}
	set := t.Model.tensorSet()
	meta := map[string]string{
		"format":     "pt",
		keyKind:      kindValue,
		keyModel:     t.Model.String(),
		keyOptimizer: optimizerName(opt),
		keyEpoch:     strconv.Itoa(pos.epoch),
		keyDone:      strconv.Itoa(pos.done),
		keySteps:     strconv.Itoa(t.steps),
		keyLossSum:   strconv.FormatFloat(pos.lossSum, 'g', -1, 64),
		keyPrevLoss:  strconv.FormatFloat(pos.prevLoss, 'g', -1, 64),
		keySamples:   strconv.Itoa(pos.samples),
		keyBatch:     strconv.Itoa(pos.batch),
	}
	if pos.rng != nil {
		meta[keyRNG] = base64.StdEncoding.EncodeToString(pos.rng)
	}
	for _, h := range opt.hyper() {
		meta["param_groups.0."+h.name] = h.format()
	}
	opt.saveState(t.Model.params, set, meta)
	for path, d := range dropouts(t.Model, "") {
		state, err := d.src.MarshalBinary()
		if err != nil {
			return 0, err
		}
		meta[keyDropoutRNG+path] = base64.StdEncoding.EncodeToString(state)
	}
	if t.StepTol > 0 && pos.done > 0 {
		set.add(snapshotName, []int{len(t.snapshot)}, t.snapshot, false)
	}
	if err := set.checkFinite(); err != nil {
		return 0, err
	}
	return set.writeTo(w, meta)
}

// LoadCheckpoint reads a checkpoint that SaveCheckpoint wrote into the
// Trainer, whose Model must have the architecture, and Optimizer the
// type, the checkpoint was made with (fresh ones will do). It sets the
// model's parameters, the optimizer's state and its hyper-parameters (as
// PyTorch's load_state_dict does), the RNG's state, and the position:
// the next Fit, on the same training data with the same BatchSize,
// continues the run from there. All of the file is read and checked
// before anything changes: on error the Trainer is as it was.
func (t *Trainer) LoadCheckpoint(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("nn.Trainer.LoadCheckpoint: %w", err)
	}
	defer f.Close()
	if _, err := t.readCheckpoint(bufio.NewReader(f)); err != nil {
		return fmt.Errorf("nn.Trainer.LoadCheckpoint: %s: %w", path, err)
	}
	return nil
}

// ReadCheckpoint reads a checkpoint from r; see LoadCheckpoint.
func (t *Trainer) ReadCheckpoint(r io.Reader) (int64, error) {
	n, err := t.readCheckpoint(r)
	if err != nil {
		err = fmt.Errorf("nn.Trainer.ReadCheckpoint: %w", err)
	}
	return n, err
}

func (t *Trainer) readCheckpoint(r io.Reader) (int64, error) {
	if t.Model == nil || t.Optimizer == nil {
		return 0, fmt.Errorf("the Trainer's Model and Optimizer must be set")
	}
	opt, ok := t.Optimizer.(checkpointer)
	if !ok {
		return 0, fmt.Errorf("the optimizer %T cannot be checkpointed (this package's SGD, Momentum and Adam can)", t.Optimizer)
	}
	params := t.Model.params
	set := t.Model.tensorSet()
	// The model's tensors are read into fresh buffers, installed once
	// everything has been checked.
	for i := range set.dst {
		set.dst[i] = make([]float32, len(set.dst[i]))
	}
	set.owner = fmt.Sprintf("the checkpoint of %v with %s", t.Model, optimizerName(opt))
	set.member = "a tensor of " + set.owner
	set.members = "tensors of " + set.owner
	set.meta = map[string]bool{keyKind: true, keyModel: true, keyOptimizer: true, keyEpoch: true, keyDone: true,
		keySteps: true, keyLossSum: true, keyPrevLoss: true, keySamples: true, keyBatch: true, keyRNG: true}
	for _, h := range opt.hyper() {
		set.meta["param_groups.0."+h.name] = true
	}
	drops := dropouts(t.Model, "")
	for path := range drops {
		set.meta[keyDropoutRNG+path] = true
	}
	load := opt.loadState(params, set)
	size := 0
	for _, p := range params {
		size += len(p.Value)
	}
	snap := make([]float32, size)
	set.add(snapshotName, []int{len(snap)}, snap, true)

	raw, meta, n, err := set.readFrom(r)
	if meta != nil { // the header was read: say first whether it fits at all
		switch {
		case meta[keyKind] != kindValue:
			return n, fmt.Errorf("not a checkpoint (metadata %s = %q, want %q): a model file loads with Sequential.Load", keyKind, meta[keyKind], kindValue)
		case meta[keyModel] != t.Model.String():
			return n, fmt.Errorf("the checkpoint is of %s, the Trainer's model is %v", meta[keyModel], t.Model)
		case meta[keyOptimizer] != optimizerName(opt):
			return n, fmt.Errorf("the checkpoint's optimizer is %s, the Trainer's is %s", meta[keyOptimizer], optimizerName(opt))
		}
	}
	if err != nil {
		return n, err
	}
	present := make([]bool, len(raw))
	for i, b := range raw {
		if b != nil {
			present[i] = true
			decode(set.dst[i], b)
		}
	}
	var pos position
	var steps int
	ints := []struct {
		key string
		v   *int
		min int
	}{{keyEpoch, &pos.epoch, 1}, {keyDone, &pos.done, 0}, {keySteps, &steps, 0}, {keySamples, &pos.samples, 0}, {keyBatch, &pos.batch, 0}}
	for _, c := range ints {
		v, err := strconv.Atoi(meta[c.key])
		if err != nil || v < c.min {
			return n, fmt.Errorf("metadata %s = %q, want an integer ≥ %d", c.key, meta[c.key], c.min)
		}
		*c.v = v
	}
	for _, c := range []struct {
		key string
		v   *float64
	}{{keyLossSum, &pos.lossSum}, {keyPrevLoss, &pos.prevLoss}} {
		v, err := strconv.ParseFloat(meta[c.key], 64)
		if err != nil {
			return n, fmt.Errorf("metadata %s = %q, want a number", c.key, meta[c.key])
		}
		*c.v = v
	}
	if pos.done > 0 && (pos.batch == 0 || pos.done*pos.batch >= pos.samples) {
		return n, fmt.Errorf("metadata %s = %d: past the end of an epoch of %d samples in batches of %d", keyDone, pos.done, pos.samples, pos.batch)
	}
	if pos.done > 0 && t.StepTol > 0 {
		if !present[len(present)-1] {
			return n, fmt.Errorf("the checkpoint was made mid-epoch without StepTol set: it has no %s for this Trainer's StepTol", snapshotName)
		}
		pos.snapshot = snap
	}

	// The RNG: restored into a copy first, so that a bad state changes
	// nothing.
	var setRNG func()
	enc, hasRNG := meta[keyRNG]
	switch {
	case hasRNG && t.RNG == nil:
		return n, fmt.Errorf("the checkpoint's run shuffled its samples (%s is set), the Trainer has no RNG", keyRNG)
	case !hasRNG && t.RNG != nil:
		return n, fmt.Errorf("the checkpoint's run kept its samples in order (no %s), the Trainer has an RNG", keyRNG)
	case hasRNG:
		state, err := base64.StdEncoding.DecodeString(enc)
		if err != nil {
			return n, fmt.Errorf("metadata %s: %w", keyRNG, err)
		}
		u, ok := t.RNG.(encoding.BinaryUnmarshaler)
		if !ok {
			return n, fmt.Errorf("the RNG %T cannot restore its state (rand.PCG and rand.ChaCha8 can)", t.RNG)
		}
		if err := checkRNGState(t.RNG, state); err != nil {
			return n, fmt.Errorf("metadata %s: %w", keyRNG, err)
		}
		pos.rng = state
		setRNG = func() {
			if err := u.UnmarshalBinary(state); err != nil {
				panic(fmt.Sprintf("nn: %T refused the state a fresh %[1]T took: %v", t.RNG, err))
			}
		}
	}

	// The Dropout layers' sources, checked on fresh ones.
	dropStates := map[*Dropout][]byte{}
	for path, d := range drops {
		enc, ok := meta[keyDropoutRNG+path]
		if !ok {
			return n, fmt.Errorf("no metadata %s for layer %s, %v", keyDropoutRNG+path, path, d)
		}
		state, err := base64.StdEncoding.DecodeString(enc)
		if err == nil {
			err = new(rand.PCG).UnmarshalBinary(state)
		}
		if err != nil {
			return n, fmt.Errorf("metadata %s: %w", keyDropoutRNG+path, err)
		}
		dropStates[d] = state
	}

	// The optimizer's hyper-parameters, checked on a copy.
	trial := optimizerCopy(opt)
	for _, h := range trial.hyper() {
		v, ok := meta["param_groups.0."+h.name]
		if !ok {
			return n, fmt.Errorf("no metadata param_groups.0.%s", h.name)
		}
		if err := h.parse(v); err != nil {
			return n, fmt.Errorf("metadata param_groups.0.%w", err)
		}
	}
	if err := trial.checkHyper(); err != nil {
		return n, fmt.Errorf("the checkpoint's hyper-parameters: %w", err)
	}
	commitState, err := load(present, meta)
	if err != nil {
		return n, err
	}

	// Everything checked: install it.
	for i, p := range params {
		copy(p.Value, set.dst[i])
	}
	copyHyper(opt, trial)
	commitState()
	if setRNG != nil {
		setRNG()
	}
	for d, state := range dropStates {
		d.src.UnmarshalBinary(state) // a fresh PCG took it
	}
	t.steps = steps
	t.snapshot = pos.snapshot
	t.pos = pos
	t.resume = &pos
	return n, nil
}

// Position returns where the Trainer is in its run: the epoch (from 1)
// and the steps of it done. After LoadCheckpoint it is where the next
// Fit starts; during Fit (from OnStep or OnEpoch), where Fit is; before
// any Fit, epoch 1 with no steps done. At the end of an epoch it is the
// next epoch, with no steps done.
func (t *Trainer) Position() (epoch, stepsDone int) {
	p := t.checkpointPosition()
	return p.epoch, p.done
}

// checkpointPosition returns where a checkpoint saved now would resume.
func (t *Trainer) checkpointPosition() position {
	pos := t.pos
	switch {
	case pos.epoch == 0: // before any Fit
		return position{epoch: 1, prevLoss: math.NaN(), rng: t.rngState()}
	case pos.batch > 0 && pos.done*pos.batch >= pos.samples: // between epochs
		return position{epoch: pos.epoch + 1, prevLoss: pos.lossSum / float64(pos.samples),
			samples: pos.samples, batch: pos.batch, rng: t.rngState()}
	}
	return pos
}

// dropouts returns the Dropout layers of s by their index in the model,
// after prefix.
func dropouts(s *Sequential, prefix string) map[string]*Dropout {
	ds := map[string]*Dropout{}
	for i, l := range s.layers {
		path := prefix + strconv.Itoa(i)
		switch l := l.(type) {
		case *Dropout:
			ds[path] = l
		case *Sequential:
			maps.Copy(ds, dropouts(l, path+"."))
		}
	}
	return ds
}

// checkRNGState returns the error a fresh source of src's type gives
// for state, so that a bad state is found before src changes.
func checkRNGState(src any, state []byte) error {
	t := reflect.TypeOf(src)
	if t.Kind() != reflect.Pointer {
		return nil // a value cannot restore a state; UnmarshalBinary says so
	}
	if u, ok := reflect.New(t.Elem()).Interface().(encoding.BinaryUnmarshaler); ok {
		return u.UnmarshalBinary(state)
	}
	return nil
}

// optimizerCopy returns a copy of o that shares its state, whose
// hyper-parameters can be set and checked without changing o's.
func optimizerCopy(o checkpointer) checkpointer {
	switch o := o.(type) {
	case *SGD:
		c := *o
		return &c
	case *Momentum:
		c := *o
		return &c
	case *Adam:
		c := *o
		return &c
	}
	panic(fmt.Sprintf("nn: no copy for %T", o))
}

// copyHyper sets the hyper-parameters of dst to those of src, an
// optimizer of the same type.
func copyHyper(dst, src checkpointer) {
	d, s := dst.hyper(), src.hyper()
	for i := range d {
		for j := range d[i].nums {
			*d[i].nums[j] = *s[i].nums[j]
		}
		if d[i].flag != nil {
			*d[i].flag = *s[i].flag
		}
	}
}
