package main

import (
	. "github.com/simdnn/simdnn/gen/arm64"
)

// The register plan of the NEON elementwise loops, four lanes a vector:
//
//	V0–V15   loaded vectors: slice i, vector j of an unrolled group is
//	         V(4i+j), so that one VLD1.P fills four consecutive registers
//	V16–V23  two scratch registers per vector of the group
//	V24–V31  loop-invariant constants (broadcast scalars, 0, 1)
//
// A body leaves each result in one of its input registers, so that the
// results of a group are consecutive too and go out with one VST1.P.
const (
	neonUnroll = 4  // vectors per iteration of the main loop
	neonConst  = 24 // first constant register
)

// neonBody emits the code for one vector: in holds one register per
// slice read, tmp two scratch registers; it returns, for each slice
// written, the register (one of in) that holds its result.
type neonBody func(f *Func, in, tmp []V) []V

// neonLoop emits the loop of an elementwise kernel: the slices at the
// pointers loads are read and those at stores written in lockstep, n
// elements, n counted down to 0 and every pointer advanced as it goes,
// so nothing outside the slices is addressed. A slice both read and
// written has a pointer in each list. Groups of four vectors, then
// single vectors, then single elements through lane 0 of the same
// registers (the other lanes compute on stale values, which raises no
// trap: arm64 does not trap on floating-point exceptions unless the OS
// enables it, and Go never does). label prefixes the loop's labels.
func neonLoop(f *Func, label string, n R, loads, stores []R, body neonBody) {
	neonLoopTail(f, label, n, loads, stores, body, body)
}

// neonLoopTail is neonLoop with tail, not body, emitting the code for
// the single elements: a reduction, which must not add in the stale lanes,
// clears them there.
func neonLoopTail(f *Func, label string, n R, loads, stores []R, body, tail neonBody) {
	if len(loads) > 4 {
		panic("stream: more than four slices read")
	}
	in := func(j int) []V {
		vs := make([]V, len(loads))
		for i := range vs {
			vs[i] = V(4*i + j)
		}
		return vs
	}
	tmp := func(j int) []V { return []V{V(16 + 2*j), V(17 + 2*j)} }

	f.Label(label + "group")
	f.CMP(4*neonUnroll, n)
	f.BLT(label + "single")
	for i, p := range loads {
		regs := make([]VA, neonUnroll)
		for j := range regs {
			regs[j] = V(4*i + j).S4()
		}
		f.VLD1P(p, regs...)
	}
	outs := make([][]V, neonUnroll)
	for j := range outs {
		outs[j] = body(f, in(j), tmp(j))
	}
	for k, p := range stores {
		regs := make([]VA, neonUnroll)
		for j := range regs {
			regs[j] = outs[j][k].S4()
		}
		f.VST1P(p, regs...)
	}
	f.SUB(4*neonUnroll, n, n)
	f.B(label + "group")

	f.Label(label + "single")
	f.CMP(4, n)
	f.BLT(label + "tail")
	for i, p := range loads {
		f.VLD1P(p, V(4*i).S4())
	}
	for k, v := range body(f, in(0), tmp(0)) {
		f.VST1P(stores[k], v.S4())
	}
	f.SUB(4, n, n)
	f.B(label + "single")

	f.Label(label + "tail")
	f.CBZ(n, label+"done")
	for i, p := range loads {
		f.VLD1Lane(p, V(4*i).S(0))
	}
	for k, v := range tail(f, in(0), tmp(0)) {
		f.VST1Lane(v.S(0), stores[k])
	}
	f.SUB(1, n, n)
	f.B(label + "tail")
	f.Label(label + "done")
}

// neonKernel is a NEON elementwise kernel over float32 slices that all
// have the length of one of them.
type neonKernel struct {
	name   string   // Go name without the suffix, e.g. "ReLU"
	doc    []string // doc comment; the first line continues "<name>NEON "
	args   []Arg
	loads  []string // slices read, in the order the body receives them
	stores []string // slices written, in the order the body returns them
	length string   // the slice whose len is the element count
	// setup emits the loop-invariant code, constants in V24–V31, and
	// returns the body.
	setup func(f *Func) neonBody
}

func (k neonKernel) generate(file *File) {
	name := k.name + "NEON"
	f := file.Func(name, neonDoc(name, k.doc...), k.args...)
	n := R(0)
	f.Len(k.length, n)
	ptr := func(names []string, first int) []R {
		rs := make([]R, len(names))
		for i, s := range names {
			rs[i] = R(first + i)
			f.Base(s, rs[i])
		}
		return rs
	}
	loads := ptr(k.loads, 1)
	stores := ptr(k.stores, 1+len(k.loads))
	neonLoop(f, "", n, loads, stores, k.setup(f))
	f.RET()
}

// neonBroadcast loads float32 argument name into every lane of v.
func neonBroadcast(f *Func, name string, v V) {
	f.Float(name, v)
	f.VDUP(v.S(0), v.S4())
}

// neonZero sets every bit of v to 0.
func neonZero(f *Func, v V) { f.VEOR(v.B16(), v.B16(), v.B16()) }

func neonArgs(names ...string) []Arg {
	args := make([]Arg, len(names))
	for i, n := range names {
		args[i] = Arg{Name: n, Kind: Slice}
	}
	return args
}

var (
	reluNEON = neonKernel{
		name: "ReLU",
		doc: []string{
			"sets dst[i] = max(x[i], 0) for every i < len(x): x[i] where",
			"x[i] ≥ 0 or is NaN (the same bits), +0 where x[i] < 0, −0 for −0.",
			"dst must be as long as x (unchecked) and either be x or not overlap it.",
		},
		args:  neonArgs("dst", "x"),
		loads: []string{"x"}, stores: []string{"dst"}, length: "x",
		setup: func(*Func) neonBody {
			return func(f *Func, in, tmp []V) []V {
				x, neg := in[0], tmp[0]
				// x < 0 is false for NaN and −0, which pass through.
				f.FCMLT0(neg.S4(), x.S4())
				f.BIC(x.B16(), x.B16(), neg.B16())
				return []V{x}
			}
		},
	}
	reluGradNEON = neonKernel{
		name: "ReLUGrad",
		doc: []string{
			"sets dx[i] = dy[i] where x[i] > 0 or is NaN, +0 where",
			"x[i] ≤ 0. dx and dy must be as long as x (unchecked); dx may be dy or x",
			"but must not otherwise overlap them.",
		},
		args:  neonArgs("dx", "x", "dy"),
		loads: []string{"x", "dy"}, stores: []string{"dx"}, length: "x",
		setup: func(*Func) neonBody {
			return func(f *Func, in, tmp []V) []V {
				x, dy, off := in[0], in[1], tmp[0]
				f.FCMLE0(off.S4(), x.S4())
				f.BIC(dy.B16(), dy.B16(), off.B16())
				return []V{dy}
			}
		},
	}
	leakyReLUNEON = neonKernel{
		name: "LeakyReLU",
		doc: []string{
			"sets dst[i] = x[i] where x[i] ≥ 0 or is NaN (the same",
			"bits, −0 included), slope·x[i] (rounded once) where x[i] < 0. dst must",
			"be as long as x (unchecked) and either be x or not overlap it.",
		},
		args:  append(neonArgs("dst", "x"), Arg{Name: "slope", Kind: Float32}),
		loads: []string{"x"}, stores: []string{"dst"}, length: "x",
		setup: func(f *Func) neonBody {
			slope := V(neonConst)
			neonBroadcast(f, "slope", slope)
			return func(f *Func, in, tmp []V) []V {
				x, p, neg := in[0], tmp[0], tmp[1]
				f.FMUL(p.S4(), x.S4(), slope.S4())
				f.FCMLT0(neg.S4(), x.S4())
				// x where not negative, the product where negative.
				f.VBIT(neg.B16(), p.B16(), x.B16())
				return []V{x}
			}
		},
	}
	leakyReLUGradNEON = neonKernel{
		name: "LeakyReLUGrad",
		doc: []string{
			"sets dx[i] = dy[i] where x[i] > 0 or is NaN,",
			"slope·dy[i] (rounded once) where x[i] ≤ 0. dx and dy must be as long as",
			"x (unchecked); dx may be dy or x but must not otherwise overlap them.",
		},
		args:  append(neonArgs("dx", "x", "dy"), Arg{Name: "slope", Kind: Float32}),
		loads: []string{"x", "dy"}, stores: []string{"dx"}, length: "x",
		setup: func(f *Func) neonBody {
			slope := V(neonConst)
			neonBroadcast(f, "slope", slope)
			return func(f *Func, in, tmp []V) []V {
				x, dy, p, off := in[0], in[1], tmp[0], tmp[1]
				f.FMUL(p.S4(), dy.S4(), slope.S4())
				f.FCMLE0(off.S4(), x.S4())
				f.VBIT(off.B16(), p.B16(), dy.B16())
				return []V{dy}
			}
		},
	}
	scaleNEON = neonKernel{
		name: "Scale",
		doc: []string{
			"sets x[i] *= alpha for every i < len(x), each product",
			"rounded once.",
		},
		args:  []Arg{{Name: "x", Kind: Slice}, {Name: "alpha", Kind: Float32}},
		loads: []string{"x"}, stores: []string{"x"}, length: "x",
		setup: func(f *Func) neonBody {
			alpha := V(neonConst)
			neonBroadcast(f, "alpha", alpha)
			return func(f *Func, in, _ []V) []V {
				f.FMUL(in[0].S4(), in[0].S4(), alpha.S4())
				return in[:1]
			}
		},
	}
	axpyNEON = neonKernel{
		name: "Axpy",
		doc: []string{
			"sets y[i] += alpha·x[i] for every i < len(x), rounding",
			"once (fused multiply-add). y must be as long as x (unchecked) and either",
			"be x or not overlap it.",
		},
		args:  []Arg{{Name: "y", Kind: Slice}, {Name: "alpha", Kind: Float32}, {Name: "x", Kind: Slice}},
		loads: []string{"y", "x"}, stores: []string{"y"}, length: "x",
		setup: func(f *Func) neonBody {
			alpha := V(neonConst)
			neonBroadcast(f, "alpha", alpha)
			return func(f *Func, in, _ []V) []V {
				y, x := in[0], in[1]
				f.VFMLA(alpha.S4(), x.S4(), y.S4())
				return []V{y}
			}
		},
	}
	tanhGradNEON = outputGradNEON("TanhGrad", []string{
		"sets dx[i] = dy[i]·(1 − y[i]²) for every i < len(y),",
		"1 − y² rounded once (fused multiply-subtract), then the product.",
	}, func(f *Func, one, y, dy, t V) {
		f.VORR(one.B16(), one.B16(), t.B16())
		f.VFMLS(y.S4(), y.S4(), t.S4())
		f.FMUL(y.S4(), dy.S4(), t.S4())
	})
	sigmoidGradNEON = outputGradNEON("SigmoidGrad", []string{
		"sets dx[i] = dy[i]·(y[i]·(1 − y[i])) for every i < len(y),",
		"each operation rounded once in that order, as fallback.SigmoidGrad",
		"computes it.",
	}, func(f *Func, one, y, dy, t V) {
		f.FSUB(t.S4(), one.S4(), y.S4())
		f.FMUL(t.S4(), y.S4(), t.S4())
		f.FMUL(y.S4(), dy.S4(), t.S4())
	})
)

// outputGradNEON is the gradient of an activation from its saved output y:
// body leaves dx in y's register, with one holding 1 in every lane and t
// a scratch register.
func outputGradNEON(name string, doc []string, body func(f *Func, one, y, dy, t V)) neonKernel {
	return neonKernel{
		name: name,
		doc: append(doc, "dx and dy must be as long as y (unchecked); dx may be dy or y but",
			"must not otherwise overlap them."),
		args:  neonArgs("dx", "y", "dy"),
		loads: []string{"y", "dy"}, stores: []string{"dx"}, length: "y",
		setup: func(f *Func) neonBody {
			one := V(neonConst)
			f.FMOVS(1, one)
			f.VDUP(one.S(0), one.S4())
			return func(f *Func, in, tmp []V) []V {
				body(f, one, in[0], in[1], tmp[0])
				return in[:1]
			}
		},
	}
}

func elementwiseNEON(file *File) {
	for _, k := range []neonKernel{reluNEON, reluGradNEON, leakyReLUNEON, leakyReLUGradNEON, scaleNEON, axpyNEON, tanhGradNEON, sigmoidGradNEON} {
		k.generate(file)
	}
}
