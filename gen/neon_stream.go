package main

import (
	. "github.com/simdnn/simdnn/gen/arm64"
)

// The register plan of the NEON elementwise loops, four lanes a vector:
//
//	V0–V15   loaded vectors: slice i, vector j of an unrolled group is
//	         V(4i+j), so that one VLD1.P fills four consecutive registers
//	         (with five slices read, a group is three vectors, V(3i+j))
//	V16–V23  two scratch registers per vector of the group
//	V24–V31  loop-invariant constants (broadcast scalars, 0, 1)
//
// A body leaves each result in one of its input registers, so that the
// results of a group are consecutive too and go out with one VST1.P.
const (
	neonUnroll = 4  // vectors per iteration of the main loop, up to four slices read
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
// written has a pointer in each list. Groups of four vectors (three with
// five slices read), then single vectors, then single elements through
// lane 0 of the same registers (the other lanes compute on stale values,
// which raises no trap: arm64 does not trap on floating-point exceptions
// unless the OS enables it, and Go never does). label prefixes the loop's
// labels.
func neonLoop(f *Func, label string, n R, loads, stores []R, body neonBody) {
	neonLoopTail(f, label, n, loads, stores, body, body)
}

// neonLoopTail is neonLoop with tail, not body, emitting the code for
// the single elements: a reduction, which must not add in the stale lanes,
// clears them there.
func neonLoopTail(f *Func, label string, n R, loads, stores []R, body, tail neonBody) {
	unroll := neonUnroll
	if len(loads) > 4 {
		unroll = 16 / len(loads)
	}
	if unroll < 1 {
		panic("stream: more than sixteen slices read")
	}
	in := func(j int) []V {
		vs := make([]V, len(loads))
		for i := range vs {
			vs[i] = V(unroll*i + j)
		}
		return vs
	}
	tmp := func(j int) []V { return []V{V(16 + 2*j), V(17 + 2*j)} }

	f.Label(label + "group")
	f.CMP(Imm(4*unroll), n)
	f.BLT(label + "single")
	for i, p := range loads {
		regs := make([]VA, unroll)
		for j := range regs {
			regs[j] = V(unroll*i + j).S4()
		}
		f.VLD1P(p, regs...)
	}
	outs := make([][]V, unroll)
	for j := range outs {
		outs[j] = body(f, in(j), tmp(j))
	}
	for k, p := range stores {
		regs := make([]VA, unroll)
		for j := range regs {
			regs[j] = outs[j][k].S4()
		}
		f.VST1P(p, regs...)
	}
	f.SUB(Imm(4*unroll), n, n)
	f.B(label + "group")

	f.Label(label + "single")
	f.CMP(4, n)
	f.BLT(label + "tail")
	for i, p := range loads {
		f.VLD1P(p, V(unroll*i).S4())
	}
	for k, v := range body(f, in(0), tmp(0)) {
		f.VST1P(stores[k], v.S4())
	}
	f.SUB(4, n, n)
	f.B(label + "single")

	f.Label(label + "tail")
	f.CBZ(n, label+"done")
	for i, p := range loads {
		f.VLD1Lane(p, V(unroll*i).S(0))
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

// The NEON reductions, MSE and SoftmaxGrad, sum in float64 as the
// fallback does, but in another order: each float32 vector of a group is
// widened into two float64 halves (FCVTL, FCVTL2), each with its own
// accumulator, so that eight independent chains cover the FMLA latency.
// The register plan on top of neonLoop's (two slices read, V0–V7):
//
//	V8       the float32 scalar of the elementwise step (MSE's scale,
//	         SoftmaxGrad's dot product), broadcast
//	V24–V31  the accumulators: the low half of vector j of a group in
//	         V(24+2j), the high half in V(25+2j)
//
// The sums end in one fixed order (neonSumAcc), the same for any call on
// the same data, so MSE returns the same loss with and without dpred.
const neonScalar = V(8)

// neonAcc2 are the accumulators of the vector whose registers in holds:
// neonLoop gives vector j of a group the registers V(j), V(4+j), ...
func neonAcc2(in []V) (lo, hi V) {
	j := int(in[0])
	return V(neonConst + 2*j), V(neonConst + 2*j + 1)
}

// neonZeroAcc clears the eight accumulators.
func neonZeroAcc(f *Func) {
	for i := range 8 {
		neonZero(f, V(neonConst+i))
	}
}

// neonSumAcc adds the eight accumulators' sixteen float64 lanes into the
// low lane of V24: pairwise, then the two lanes.
func neonSumAcc(f *Func) {
	for step := 1; step < 8; step *= 2 {
		for i := 0; i < 8; i += 2 * step {
			a, b := V(neonConst+i), V(neonConst+i+step)
			f.FADD(a.D2(), a.D2(), b.D2())
		}
	}
	acc := V(neonConst)
	f.FADDP(acc.D2(), acc.D2(), acc.D2())
}

// neonClearStale returns body's tail for a reduction: it clears lanes 1–3 of
// the registers read (FMOVS of lane 0 onto itself), so that the stale
// lanes add zeros.
func neonClearStale(body neonBody) neonBody {
	return func(f *Func, in, tmp []V) []V {
		for _, v := range in {
			f.FMOVSReg(v.F(), v.F())
		}
		return body(f, in, tmp)
	}
}

// neonDot2 adds a·b, widened to float64 lane by lane, into the
// accumulators of in; with diff, it adds (a − b)² instead. t and u are
// scratch. a and b are kept.
func neonDot2(f *Func, in []V, a, b, t, u V, diff bool) {
	lo, hi := neonAcc2(in)
	for half, acc := range []V{lo, hi} {
		if half == 0 {
			f.FCVTL(t.D2(), a.S2())
			f.FCVTL(u.D2(), b.S2())
		} else {
			f.FCVTL2(t.D2(), a.S4())
			f.FCVTL2(u.D2(), b.S4())
		}
		x, y := t, u
		if diff {
			f.FSUB(t.D2(), t.D2(), u.D2())
			y = t
		}
		f.FMLA(acc.D2(), x.D2(), y.D2())
	}
}
