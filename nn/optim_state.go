package nn

import (
	"fmt"
	"strconv"
	"strings"
)

// checkpointer is an Optimizer whose hyper-parameters and state a
// checkpoint holds: those of this package.
type checkpointer interface {
	Optimizer
	hyperChecker
	// hyper returns the hyper-parameters, named as the param_groups of
	// PyTorch's optimizer state_dict name them.
	hyper() []hyperParam
	// saveState adds the state of every parameter that has one to set,
	// as "state.<i>.<name>" with i the parameter's index in params, and
	// its scalars to meta.
	saveState(params []*Param, set *tensorSet, meta map[string]string)
	// loadState adds to set the state tensors and metadata keys a
	// checkpoint may hold for params, read into fresh buffers, and
	// returns what checks them once read and installs them.
	loadState(params []*Param, set *tensorSet) stateLoader
}

// stateLoader checks the state a checkpoint held (present tells which of
// the set's tensors it held) and returns what installs it.
type stateLoader func(present []bool, meta map[string]string) (commit func(), err error)

// optimizerName is the name of o in a checkpoint.
func optimizerName(o Optimizer) string {
	return strings.TrimPrefix(fmt.Sprintf("%T", o), "*nn.")
}

// hyperParam is one hyper-parameter: a number, a pair (Adam's betas) or
// a flag.
type hyperParam struct {
	name string
	nums []*float64
	flag *bool
}

func (h hyperParam) format() string {
	if h.flag != nil {
		return strconv.FormatBool(*h.flag)
	}
	s := make([]string, len(h.nums))
	for i, f := range h.nums {
		s[i] = strconv.FormatFloat(*f, 'g', -1, 64)
	}
	if len(s) == 1 {
		return s[0]
	}
	return "[" + strings.Join(s, ", ") + "]"
}

func (h hyperParam) parse(v string) error {
	if h.flag != nil {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%s = %q, want true or false", h.name, v)
		}
		*h.flag = b
		return nil
	}
	parts := []string{v}
	if len(h.nums) > 1 {
		if !strings.HasPrefix(v, "[") || !strings.HasSuffix(v, "]") {
			return fmt.Errorf("%s = %q, want [%s]", h.name, v, strings.Repeat("x, ", len(h.nums)-1)+"x")
		}
		parts = strings.Split(v[1:len(v)-1], ",")
	}
	if len(parts) != len(h.nums) {
		return fmt.Errorf("%s = %q, want %d numbers", h.name, v, len(h.nums))
	}
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return fmt.Errorf("%s = %q, not a number", h.name, v)
		}
		*h.nums[i] = f
	}
	return nil
}

func (o *SGD) hyper() []hyperParam { return []hyperParam{{name: "lr", nums: []*float64{&o.LR}}} }

func (o *SGD) saveState([]*Param, *tensorSet, map[string]string) {}

func (o *SGD) loadState([]*Param, *tensorSet) stateLoader {
	return func([]bool, map[string]string) (func(), error) { return func() {}, nil }
}

func (o *Momentum) hyper() []hyperParam {
	return []hyperParam{{name: "lr", nums: []*float64{&o.LR}}, {name: "momentum", nums: []*float64{&o.Momentum}}}
}

func (o *Momentum) saveState(params []*Param, set *tensorSet, _ map[string]string) {
	for i, p := range params {
		if v, ok := o.velocity[p]; ok {
			set.add(stateName(i, "momentum_buffer"), p.Shape, v, false)
		}
	}
}

func (o *Momentum) loadState(params []*Param, set *tensorSet) stateLoader {
	first := len(set.names)
	bufs := make([][]float32, len(params))
	for i, p := range params {
		bufs[i] = make([]float32, len(p.Value))
		set.add(stateName(i, "momentum_buffer"), p.Shape, bufs[i], true)
	}
	return func(present []bool, _ map[string]string) (func(), error) {
		velocity := map[*Param][]float32{}
		for i, p := range params {
			if present[first+i] {
				velocity[p] = bufs[i]
			}
		}
		return func() { o.velocity = velocity }, nil
	}
}

func (o *Adam) hyper() []hyperParam {
	return []hyperParam{
		{name: "lr", nums: []*float64{&o.LR}},
		{name: "betas", nums: []*float64{&o.Beta1, &o.Beta2}},
		{name: "eps", nums: []*float64{&o.Eps}},
	}
}

func (o *Adam) saveState(params []*Param, set *tensorSet, meta map[string]string) {
	for i, p := range params {
		if s, ok := o.state[p]; ok {
			set.add(stateName(i, "exp_avg"), p.Shape, s.m, false)
			set.add(stateName(i, "exp_avg_sq"), p.Shape, s.v, false)
			meta[stateName(i, "step")] = strconv.Itoa(s.step)
		}
	}
}

func (o *Adam) loadState(params []*Param, set *tensorSet) stateLoader {
	first := len(set.names)
	states := make([]*adamState, len(params))
	for i, p := range params {
		s := &adamState{m: make([]float32, len(p.Value)), v: make([]float32, len(p.Value))}
		states[i] = s
		set.add(stateName(i, "exp_avg"), p.Shape, s.m, true)
		set.add(stateName(i, "exp_avg_sq"), p.Shape, s.v, true)
		set.meta[stateName(i, "step")] = true
	}
	return func(present []bool, meta map[string]string) (func(), error) {
		state := map[*Param]*adamState{}
		for i, p := range params {
			m, v := present[first+2*i], present[first+2*i+1]
			step, hasStep := meta[stateName(i, "step")]
			if !m && !v && !hasStep {
				continue
			}
			if !m || !v || !hasStep {
				return nil, fmt.Errorf("the state of parameter %d (%s) is incomplete: it needs %s, %s and the metadata %s", i, p.Name,
					stateName(i, "exp_avg"), stateName(i, "exp_avg_sq"), stateName(i, "step"))
			}
			n, err := strconv.Atoi(step)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("metadata %s = %q, want a step count ≥ 1", stateName(i, "step"), step)
			}
			states[i].step = n
			state[p] = states[i]
		}
		return func() { o.state = state }, nil
	}
}

// stateName names a tensor or scalar of the optimizer's state as
// PyTorch's optimizer state_dict does: "state.<i>.<name>".
func stateName(i int, name string) string { return "state." + strconv.Itoa(i) + "." + name }
