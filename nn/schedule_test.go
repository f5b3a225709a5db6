package nn

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
)

// torchSchedules is testdata/torch/schedules.json, which gen.py writes
// with PyTorch: the learning rate of every optimizer step of a few
// schedules.
type torchSchedules struct {
	Torch     string
	Schedules []torchScheduleCase
}

type torchScheduleCase struct {
	Name          string
	LR            float64
	Schedule      torchScheduleSpec
	Per           string // "step" or "epoch": when scheduler.step() ran
	Epochs        int
	StepsPerEpoch int       `json:"steps_per_epoch"`
	LRs           []float64 // the optimizer's rate at each step
}

// torchScheduleSpec names a torch.optim.lr_scheduler class and its
// arguments.
type torchScheduleSpec struct {
	Type        string
	StepSize    int     `json:"step_size"`
	Gamma       float64 `json:"gamma"`
	Milestones  []int   `json:"milestones"`
	TMax        int     `json:"T_max"`
	EtaMin      float64 `json:"eta_min"`
	StartFactor float64 `json:"start_factor"`
	EndFactor   float64 `json:"end_factor"`
	TotalIters  int     `json:"total_iters"`
	Schedulers  []torchScheduleSpec
}

func loadTorchSchedules(t *testing.T) torchSchedules {
	t.Helper()
	var f torchSchedules
	loadTorchFixture(t, "schedules", &f)
	if len(f.Schedules) == 0 {
		t.Fatal("schedules.json holds no schedules")
	}
	return f
}

// loadTorchFixture reads testdata/torch/<kind>.json, which gen.py there
// writes from PyTorch, into v.
func loadTorchFixture(t *testing.T, kind string, v any) {
	t.Helper()
	b, err := os.ReadFile("testdata/torch/" + kind + ".json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s.json: %v", kind, err)
	}
}

// build returns the LRSchedule that spec describes, from the base rate
// lr that PyTorch's schedulers all start from.
func (spec torchScheduleSpec) build(lr float64) (LRSchedule, error) {
	switch spec.Type {
	case "StepLR":
		return StepLR(lr, spec.StepSize, spec.Gamma)
	case "MultiStepLR":
		return MultiStepLR(lr, spec.Milestones, spec.Gamma)
	case "CosineAnnealingLR":
		return CosineAnnealingLR(lr, spec.TMax, spec.EtaMin)
	case "LinearLR":
		return LinearLR(lr, spec.StartFactor, spec.EndFactor, spec.TotalIters)
	case "SequentialLR":
		var ss []LRSchedule
		for _, sub := range spec.Schedulers {
			s, err := sub.build(lr)
			if err != nil {
				return nil, err
			}
			ss = append(ss, s)
		}
		return SequentialLR(ss, spec.Milestones)
	}
	return nil, fmt.Errorf("unknown scheduler %q", spec.Type)
}

// scheduleTol bounds |ours − PyTorch's| / |PyTorch's| in float64. The
// closed form and PyTorch's recursive step() round differently, and
// the gap grows with the steps of the recursion (about 1e-15 relative
// over the fixtures' few dozen steps) and with the cancellation in
// 1 + cos(πt/T_max) near t = T_max; 1e-12 leaves room for both while
// still catching any real difference of formula.
const scheduleTol = 1e-12

// matchTorch reports whether got, a rate of ours, is PyTorch's rate want
// within scheduleTol.
func matchTorch(got, want float64) bool {
	return math.Abs(got-want) <= scheduleTol*math.Abs(want)
}

// Every schedule gives PyTorch's learning rate at every step of the
// fixtures, through PerStep or PerEpoch as PyTorch's loop called step().
func TestScheduleMatchesTorch(t *testing.T) {
	f := loadTorchSchedules(t)
	n := 0
	for _, c := range f.Schedules {
		s, err := c.Schedule.build(c.LR)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		trainerSchedule, perEpoch := s.PerStep(), c.Per == "epoch"
		if perEpoch {
			trainerSchedule = s.PerEpoch()
		}
		if len(c.LRs) != c.Epochs*c.StepsPerEpoch {
			t.Fatalf("%s: %d rates for %d epochs of %d steps", c.Name, len(c.LRs), c.Epochs, c.StepsPerEpoch)
		}
		for i, want := range c.LRs {
			epoch, step := 1+i/c.StepsPerEpoch, i
			tt := step
			if perEpoch {
				tt = epoch - 1
			}
			got := trainerSchedule(epoch, step)
			if got != s(tt) || !matchTorch(got, want) {
				t.Errorf("%s: epoch %d, step %d: rate %v (the schedule's %v), PyTorch %v gives %v", c.Name, epoch, step, got, s(tt), f.Torch, want)
			}
			n++
		}
	}
	t.Logf("%d rates from PyTorch %s", n, f.Torch)
}

// Trainer.Fit hands the optimizer the fixtures' rates: PerEpoch holds
// one rate over an epoch's steps and PerStep moves at every step.
func TestScheduleThroughFit(t *testing.T) {
	f := loadTorchSchedules(t)
	for _, name := range []string{"warm-up then cosine per epoch", "warm-up then cosine"} {
		i := 0
		for i < len(f.Schedules) && f.Schedules[i].Name != name {
			i++
		}
		if i == len(f.Schedules) {
			t.Fatalf("schedules.json has no case %q", name)
		}
		c := f.Schedules[i]
		s, err := c.Schedule.build(c.LR)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		rng := newRNG(40)
		const batch = 2
		d := Data{X: randMatrix(rng, batch*c.StepsPerEpoch, 3), Y: randMatrix(rng, batch*c.StepsPerEpoch, 1)}
		model, _ := NewSequential(NewDense(3, 1, Xavier(rng)))
		opt := NewSGD(1) // a rate the schedule overwrites before the first step
		var seen []float64
		tr := &Trainer{Model: model, Loss: MSE{}, Optimizer: opt, BatchSize: batch, Epochs: c.Epochs,
			Schedule: s.PerStep(),
			OnStep:   func(StepInfo) error { seen = append(seen, opt.LearningRate()); return nil }}
		if c.Per == "epoch" {
			tr.Schedule = s.PerEpoch()
		}
		if _, err := tr.Fit(d); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(seen) != len(c.LRs) {
			t.Fatalf("%s: %d steps, want %d", name, len(seen), len(c.LRs))
		}
		for i, want := range c.LRs {
			tt := i
			if c.Per == "epoch" {
				tt = i / c.StepsPerEpoch
			}
			if seen[i] != s(tt) || !matchTorch(seen[i], want) {
				t.Errorf("%s: step %d ran at %v, PyTorch at %v", name, i+1, seen[i], want)
			}
		}
	}
}

// A constructor refuses an argument out of range with an error that
// names it, wrapping ErrNotFinite for NaN and ±Inf, and returns no
// schedule.
func TestScheduleRejectsArguments(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	good, _ := StepLR(0.1, 1, 1)
	for _, c := range []struct {
		name      string
		make      func() (LRSchedule, error)
		want      string
		notFinite bool
	}{
		{"StepLR NaN lr", func() (LRSchedule, error) { return StepLR(nan, 3, 0.1) }, "nn.StepLR: learning rate NaN", true},
		{"StepLR negative lr", func() (LRSchedule, error) { return StepLR(-0.1, 3, 0.1) }, "learning rate -0.1 is negative", false},
		{"StepLR stepSize 0", func() (LRSchedule, error) { return StepLR(0.1, 0, 0.1) }, "stepSize = 0, want > 0", false},
		{"StepLR stepSize negative", func() (LRSchedule, error) { return StepLR(0.1, -2, 0.1) }, "stepSize = -2", false},
		{"StepLR gamma negative", func() (LRSchedule, error) { return StepLR(0.1, 3, -0.5) }, "gamma = -0.5, want ≥ 0", false},
		{"StepLR gamma +Inf", func() (LRSchedule, error) { return StepLR(0.1, 3, inf) }, "gamma = +Inf", true},
		{"MultiStepLR +Inf lr", func() (LRSchedule, error) { return MultiStepLR(inf, []int{2}, 0.1) }, "nn.MultiStepLR: learning rate +Inf", true},
		{"MultiStepLR gamma NaN", func() (LRSchedule, error) { return MultiStepLR(0.1, []int{2}, nan) }, "gamma = NaN", true},
		{"MultiStepLR unsorted", func() (LRSchedule, error) { return MultiStepLR(0.1, []int{5, 2}, 0.1) }, "milestones [5 2], want strictly increasing and ≥ 0", false},
		{"MultiStepLR repeated", func() (LRSchedule, error) { return MultiStepLR(0.1, []int{2, 2}, 0.1) }, "milestones [2 2]", false},
		{"MultiStepLR negative milestone", func() (LRSchedule, error) { return MultiStepLR(0.1, []int{-1, 3}, 0.1) }, "milestones [-1 3]", false},
		{"CosineAnnealingLR -Inf lr", func() (LRSchedule, error) { return CosineAnnealingLR(math.Inf(-1), 10, 0) }, "nn.CosineAnnealingLR: learning rate -Inf", true},
		{"CosineAnnealingLR tMax 0", func() (LRSchedule, error) { return CosineAnnealingLR(0.1, 0, 0) }, "tMax = 0, want > 0", false},
		{"CosineAnnealingLR tMax negative", func() (LRSchedule, error) { return CosineAnnealingLR(0.1, -10, 0) }, "tMax = -10", false},
		{"CosineAnnealingLR etaMin negative", func() (LRSchedule, error) { return CosineAnnealingLR(0.1, 10, -1e-3) }, "etaMin = -0.001, want ≥ 0", false},
		{"CosineAnnealingLR etaMin NaN", func() (LRSchedule, error) { return CosineAnnealingLR(0.1, 10, nan) }, "etaMin = NaN", true},
		{"LinearLR negative lr", func() (LRSchedule, error) { return LinearLR(-1, 0.5, 1, 5) }, "nn.LinearLR: learning rate -1 is negative", false},
		{"LinearLR startFactor 0", func() (LRSchedule, error) { return LinearLR(0.1, 0, 1, 5) }, "startFactor = 0, want 0 < startFactor ≤ 1", false},
		{"LinearLR startFactor above 1", func() (LRSchedule, error) { return LinearLR(0.1, 1.5, 1, 5) }, "startFactor = 1.5", false},
		{"LinearLR startFactor NaN", func() (LRSchedule, error) { return LinearLR(0.1, nan, 1, 5) }, "startFactor = NaN", true},
		{"LinearLR endFactor negative", func() (LRSchedule, error) { return LinearLR(0.1, 0.5, -0.1, 5) }, "endFactor = -0.1, want 0 ≤ endFactor ≤ 1", false},
		{"LinearLR endFactor above 1", func() (LRSchedule, error) { return LinearLR(0.1, 0.5, 2, 5) }, "endFactor = 2", false},
		{"LinearLR endFactor +Inf", func() (LRSchedule, error) { return LinearLR(0.1, 0.5, inf, 5) }, "endFactor = +Inf", true},
		{"LinearLR totalIters 0", func() (LRSchedule, error) { return LinearLR(0.1, 0.5, 1, 0) }, "totalIters = 0, want > 0", false},
		{"SequentialLR none", func() (LRSchedule, error) { return SequentialLR(nil, nil) }, "nn.SequentialLR: no schedules", false},
		{"SequentialLR too few milestones", func() (LRSchedule, error) { return SequentialLR([]LRSchedule{good, good}, nil) }, "2 schedules need 1 milestones, got 0", false},
		{"SequentialLR too many milestones", func() (LRSchedule, error) { return SequentialLR([]LRSchedule{good}, []int{3}) }, "1 schedules need 0 milestones, got 1", false},
		{"SequentialLR nil schedule", func() (LRSchedule, error) { return SequentialLR([]LRSchedule{good, nil}, []int{3}) }, "schedule 1 is nil", false},
		{"SequentialLR milestone 0", func() (LRSchedule, error) { return SequentialLR([]LRSchedule{good, good}, []int{0}) }, "milestones [0], want strictly increasing and ≥ 1", false},
		{"SequentialLR unsorted", func() (LRSchedule, error) {
			return SequentialLR([]LRSchedule{good, good, good}, []int{4, 4})
		}, "milestones [4 4]", false},
	} {
		s, err := c.make()
		if err == nil || !strings.Contains(err.Error(), c.want) || errors.Is(err, ErrNotFinite) != c.notFinite {
			t.Errorf("%s: err = %v, want one saying %q, ErrNotFinite %v", c.name, err, c.want, c.notFinite)
		}
		if s != nil {
			t.Errorf("%s: a schedule came back with the error", c.name)
		}
	}
}

// The edges of the arguments' ranges are accepted: PyTorch's accepted
// ranges are closed there.
func TestScheduleAcceptsEdges(t *testing.T) {
	for _, c := range []struct {
		name string
		make func() (LRSchedule, error)
		at   int
		want float64
	}{
		{"StepLR lr 0", func() (LRSchedule, error) { return StepLR(0, 1, 0.5) }, 3, 0},
		{"StepLR gamma 0", func() (LRSchedule, error) { return StepLR(0.1, 2, 0) }, 2, 0},
		{"MultiStepLR no milestones", func() (LRSchedule, error) { return MultiStepLR(0.1, nil, 0.5) }, 100, 0.1},
		{"MultiStepLR milestone 0", func() (LRSchedule, error) { return MultiStepLR(0.1, []int{0}, 0.5) }, 0, 0.05},
		{"LinearLR factors 1 and 0", func() (LRSchedule, error) { return LinearLR(0.1, 1, 0, 4) }, 4, 0},
		{"CosineAnnealingLR etaMin above lr", func() (LRSchedule, error) { return CosineAnnealingLR(0.1, 4, 0.3) }, 4, 0.3},
	} {
		s, err := c.make()
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got := s(c.at); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("%s: rate %v at t = %d, want %v", c.name, got, c.at, c.want)
		}
	}
}

// MultiStepLR and SequentialLR keep their own milestones: the caller may
// reuse the slice.
func TestScheduleCopiesMilestones(t *testing.T) {
	ms := []int{2}
	multi, err := MultiStepLR(1, ms, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	seq, err := SequentialLR([]LRSchedule{multi, func(int) float64 { return 7 }}, ms)
	if err != nil {
		t.Fatal(err)
	}
	ms[0] = 100
	if got := multi(2); got != 0.5 {
		t.Errorf("MultiStepLR at its milestone after the caller changed it: %v, want 0.5", got)
	}
	if got := seq(2); got != 7 {
		t.Errorf("SequentialLR at its milestone after the caller changed it: %v, want 7", got)
	}
}

// A schedule called before its start, and PerStep or PerEpoch of a nil
// schedule, are mistakes in code: they panic with a message naming them.
func TestSchedulePanics(t *testing.T) {
	cosine, err := CosineAnnealingLR(0.1, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	seq, err := SequentialLR([]LRSchedule{cosine, cosine}, []int{5})
	if err != nil {
		t.Fatal(err)
	}
	var none LRSchedule
	for _, c := range []struct {
		name, want string
		call       func()
	}{
		{"t = -1", "nn.CosineAnnealingLR: step -1 < 0", func() { cosine(-1) }},
		{"epoch 0", "nn.SequentialLR: step -1 < 0", func() { seq.PerEpoch()(0, 0) }},
		{"nil PerStep", "nn.LRSchedule.PerStep: nil schedule", func() { none.PerStep() }},
		{"nil PerEpoch", "nn.LRSchedule.PerEpoch: nil schedule", func() { none.PerEpoch() }},
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), c.want) {
					t.Errorf("%s: recovered %v, want a panic saying %q", c.name, r, c.want)
				}
			}()
			c.call()
		}()
	}
}
