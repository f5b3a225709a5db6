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
	if a, ok := o.(*Adam); ok && a.Decoupled {
		return "AdamW"
	}
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

func (o *SGD) hyper() []hyperParam {
	return []hyperParam{{name: "lr", nums: []*float64{&o.LR}}, {name: "weight_decay", nums: []*float64{&o.WeightDecay}}}
}

func (o *SGD) saveState([]*Param, *tensorSet, map[string]string) {}

func (o *SGD) loadState([]*Param, *tensorSet) stateLoader {
	return func([]bool, map[string]string) (func(), error) { return func() {}, nil }
}

func (o *Momentum) hyper() []hyperParam {
	return []hyperParam{
		{name: "lr", nums: []*float64{&o.LR}},
		{name: "momentum", nums: []*float64{&o.Momentum}},
		{name: "dampening", nums: []*float64{&o.Dampening}},
		{name: "weight_decay", nums: []*float64{&o.WeightDecay}},
		{name: "nesterov", flag: &o.Nesterov},
	}
}

// momentumState names Momentum's state tensor as PyTorch's SGD does.
var momentumState = []string{"momentum_buffer"}

func (o *Momentum) saveState(params []*Param, set *tensorSet, meta map[string]string) {
	saveStates(params, o.state, momentumState, false, set, meta)
}

func (o *Momentum) loadState(params []*Param, set *tensorSet) stateLoader {
	return loadStates(params, momentumState, false, set, func(s map[*Param]*paramState) { o.state = s })
}

func (o *Adam) hyper() []hyperParam {
	return []hyperParam{
		{name: "lr", nums: []*float64{&o.LR}},
		{name: "betas", nums: []*float64{&o.Beta1, &o.Beta2}},
		{name: "eps", nums: []*float64{&o.Eps}},
		{name: "weight_decay", nums: []*float64{&o.WeightDecay}},
		{name: "amsgrad", flag: &o.AMSGrad},
	}
}

// adamState names Adam's state tensors as PyTorch's Adam does.
func (o *Adam) stateNames() []string {
	if o.AMSGrad {
		return []string{"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
	}
	return []string{"exp_avg", "exp_avg_sq"}
}

func (o *Adam) saveState(params []*Param, set *tensorSet, meta map[string]string) {
	saveStates(params, o.state, o.stateNames(), true, set, meta)
}

func (o *Adam) loadState(params []*Param, set *tensorSet) stateLoader {
	return loadStates(params, o.stateNames(), true, set, func(s map[*Param]*paramState) { o.state = s })
}

// saveStates adds to set the state tensors of every parameter that has
// state, named "state.<i>.<name>", and, with steps, the step counts to
// meta as "state.<i>.step".
func saveStates(params []*Param, states map[*Param]*paramState, names []string, steps bool, set *tensorSet, meta map[string]string) {
	for i, p := range params {
		st, ok := states[p]
		if !ok {
			continue
		}
		for j, name := range names {
			set.add(stateName(i, name), p.Shape, st.bufs[j], false)
		}
		if steps {
			meta[stateName(i, "step")] = strconv.Itoa(st.step)
		}
	}
}

// loadStates adds to set the state tensors, and with steps the step
// counts, that a checkpoint may hold for params, and returns the loader
// that checks them and installs them with install. A parameter's state
// is all there or all absent; without steps, a state present counts as
// one step taken (which is all Momentum's first step needs to know).
func loadStates(params []*Param, names []string, steps bool, set *tensorSet, install func(map[*Param]*paramState)) stateLoader {
	first := len(set.names)
	states := make([]*paramState, len(params))
	for i, p := range params {
		states[i] = newParamState(len(names), len(p.Value))
		for j, name := range names {
			set.add(stateName(i, name), p.Shape, states[i].bufs[j], true)
		}
		if steps {
			set.meta[stateName(i, "step")] = true
		}
	}
	return func(present []bool, meta map[string]string) (func(), error) {
		loaded := map[*Param]*paramState{}
		for i, p := range params {
			have := 0
			for j := range names {
				if present[first+i*len(names)+j] {
					have++
				}
			}
			step, hasStep := meta[stateName(i, "step")]
			if have == 0 && !hasStep {
				continue
			}
			if have < len(names) || steps != hasStep {
				want := make([]string, len(names))
				for j, name := range names {
					want[j] = stateName(i, name)
				}
				if steps {
					want = append(want, "the metadata "+stateName(i, "step"))
				}
				return nil, fmt.Errorf("the state of parameter %d (%s) is incomplete: it needs %s", i, p.Name, strings.Join(want, ", "))
			}
			st := states[i]
			st.step = 1
			if steps {
				n, err := strconv.Atoi(step)
				if err != nil || n < 1 {
					return nil, fmt.Errorf("metadata %s = %q, want a step count ≥ 1", stateName(i, "step"), step)
				}
				st.step = n
			}
			st.rebound()
			loaded[p] = st
		}
		return func() { install(loaded) }, nil
	}
}

// stateName names a tensor or scalar of the optimizer's state as
// PyTorch's optimizer state_dict does: "state.<i>.<name>".
func stateName(i int, name string) string { return "state." + strconv.Itoa(i) + "." + name }
