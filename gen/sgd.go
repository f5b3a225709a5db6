package main

import (
	"strings"

	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// The optimizer kernels reproduce the fallback's operations one for one,
// each rounded on its own: no fused multiply-add, where fusing would change
// the result. They are bound by memory (Adam in cache by the divider, see
// SqrtDivPeak), so fusing would gain nothing, and
// unfused they give the fallback's results bit for bit (except for which
// NaN comes out where NaNs meet, and the fallback's own fusing if it is
// compiled for GOAMD64=v3 or later).

// sgdForm is one form of the update of PyTorch's SGD. Each is a kernel of
// its own on every instruction set, so that no loop tests an option.
type sgdForm struct {
	momentum bool // keeps a velocity v
	dampened bool // scales the gradient's share of v by damp = 1 − dampening
	nesterov bool // steps along d + momentum·v instead of v
	l2       bool // weight decay: the gradient is d = g + wd·w
}

// sgdForms are the forms generated: no momentum, momentum, dampened
// momentum and Nesterov momentum, each without and with weight decay
// (Nesterov needs zero dampening, so it has no dampened form).
var sgdForms = func() []sgdForm {
	var fs []sgdForm
	for _, f := range []sgdForm{{}, {momentum: true}, {momentum: true, dampened: true}, {momentum: true, nesterov: true}} {
		for _, l2 := range []bool{false, true} {
			f.l2 = l2
			fs = append(fs, f)
		}
	}
	return fs
}()

// name is the form's Go name without the instruction set's suffix, that of
// its fallback too: SGD, SGDL2, SGDMomentum, SGDMomentumL2, SGDDampened, ...
func (f sgdForm) name() string {
	n := "SGD"
	switch {
	case f.nesterov:
		n += "Nesterov"
	case f.dampened:
		n += "Dampened"
	case f.momentum:
		n += "Momentum"
	}
	if f.l2 {
		n += "L2"
	}
	return n
}

// slices are the form's slice parameters: w, v (with momentum) and g.
func (f sgdForm) slices() []string {
	if f.momentum {
		return []string{"w", "v", "g"}
	}
	return []string{"w", "g"}
}

// scalars are the form's float32 parameters, in the order of the fallback.
func (f sgdForm) scalars() []string {
	s := []string{"lr"}
	if f.momentum {
		s = append(s, "momentum")
	}
	if f.dampened {
		s = append(s, "damp")
	}
	if f.l2 {
		s = append(s, "wd")
	}
	return s
}

// sig is the form's Go signature.
func (f sgdForm) sig() string {
	return "func(" + strings.Join(f.slices(), ", ") + " []float32, " + strings.Join(f.scalars(), ", ") + " float32)"
}

// formula returns the lines of the update for the doc comment, each
// product written with prod(a, b), each product added to a sum with
// fma(a, b, c), and the last line's w − lr·step with update(step), so
// that the amd64 and the NEON comments can say how they round.
func (f sgdForm) formula(prod func(a, b string) string, fma func(a, b, c string) string, update func(step string) string) []string {
	d := "g[i]"
	var lines []string
	if f.l2 {
		lines = append(lines, "d = "+fma("wd", "w[i]", "g[i]"))
		d = "d"
	}
	step := d
	if f.momentum {
		share := d
		if f.dampened {
			share = prod("damp", d)
		}
		lines = append(lines, "v[i] = "+fma("momentum", "v[i]", share))
		step = "v[i]"
		if f.nesterov {
			step = fma("momentum", "v[i]", d)
		}
	}
	lines = append(lines, "w[i] = "+update(step))
	for i := range lines {
		lines[i] = "\t" + lines[i]
	}
	return lines
}

// sgdKernel is form f as an amd64 kernel: the operations of the fallback
// in its order, each rounded on its own.
func sgdKernel(f sgdForm) kernel {
	prod := func(a, b string) string { return a + "·" + b }
	sum := func(a, b, c string) string { return prod(a, b) + " + " + c }
	update := func(step string) string {
		if len(step) > len("v[i]") {
			step = "(" + step + ")"
		}
		return "w[i] − lr·" + step
	}
	doc := append([]string{"applies one step of PyTorch's SGD for every i < len(w):", ""}, f.formula(prod, sum, update)...)
	doc = append(doc, "",
		"every multiplication, addition and subtraction rounded on its own (no",
		"fused multiply-add), in the order of fallback."+f.name()+", whose results it",
		"gives bit for bit but for NaN payloads. The slices must be as long as w",
		"(unchecked) and none may overlap another.")
	return kernel{
		name:   f.name(),
		doc:    doc,
		sig:    f.sig(),
		slices: f.slices(),
		length: "w",
		setup: func(c *build.Context, s isa) body {
			k := map[string]reg.VecVirtual{}
			for _, name := range f.scalars() {
				k[name] = broadcastParam(c, s, name)
			}
			return func(io vecIO, at []operand.Mem) {
				w, g := at[0], at[len(at)-1]
				wn := io.load(w)
				// d, the gradient: g, or g + wd·w.
				var d operand.Op = io.src(g)
				if f.l2 {
					t := s.vec(c)
					c.VMULPS(wn, k["wd"], t)
					c.VADDPS(d, t, t)
					d = t
				}
				step := d
				if f.momentum {
					v := at[1]
					vn := s.vec(c)
					c.VMULPS(io.src(v), k["momentum"], vn)
					share := d
					if f.dampened {
						t := s.vec(c)
						c.VMULPS(d, k["damp"], t)
						share = t
					}
					c.VADDPS(share, vn, vn)
					io.store(vn, v)
					step = vn
					if f.nesterov {
						t := s.vec(c)
						c.VMULPS(vn, k["momentum"], t)
						c.VADDPS(d, t, t)
						step = t
					}
				}
				t := s.vec(c)
				c.VMULPS(step, k["lr"], t)
				c.VSUBPS(t, wn, wn)
				io.store(wn, w)
			}
		},
	}
}

func sgdFamily(c *build.Context) {
	for _, f := range sgdForms {
		generateAll(c, sgdKernel(f))
	}
}
