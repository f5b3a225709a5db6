package main

import (
	. "github.com/simdnn/simdnn/gen/arm64"
)

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

// mseNEONGen emits MSESumNEON, or with grad MSEGradNEON.
func mseNEONGen(file *File, grad bool) {
	name, args, loads, stores := "MSESumNEON", neonArgs("pred", "target"), []string{"pred", "target"}, []string(nil)
	doc := []string{
		"returns Σ (pred[i] − target[i])² over i < len(pred), each",
		"difference and square in float64 (the square fused into the sum),",
		"summed in eight interleaved partial sums; target must be as long as",
		"pred (unchecked).",
	}
	if grad {
		name, stores = "MSEGradNEON", []string{"dpred"}
		args = append(neonArgs("dpred", "pred", "target"), Arg{Name: "scale", Kind: Float32})
		doc = []string{
			"returns what MSESumNEON returns, summed in the same",
			"order, and sets dpred[i] = scale·(pred[i] − target[i]) in float32,",
			"rounding twice. dpred and target must be as long as pred (unchecked);",
			"dpred may be pred or target, otherwise overlap neither.",
		}
	}
	f := file.Func(name, neonDoc(name, doc...), args...)
	f.Returns(Float64)
	n := R(0)
	f.Len("pred", n)
	ptrs := make([]R, 0, 3)
	for i, s := range append(loads, stores...) {
		ptrs = append(ptrs, R(1+i))
		f.Base(s, ptrs[i])
	}
	if grad {
		neonBroadcast(f, "scale", neonScalar)
	}
	neonZeroAcc(f)
	body := func(f *Func, in, tmp []V) []V {
		p, t := in[0], in[1]
		neonDot2(f, in, p, t, tmp[0], tmp[1], true)
		if !grad {
			return nil
		}
		f.FSUB(p.S4(), p.S4(), t.S4())
		f.FMUL(p.S4(), p.S4(), neonScalar.S4())
		return []V{p}
	}
	neonLoopTail(f, "", n, ptrs[:2], ptrs[2:], body, neonClearStale(body))
	neonSumAcc(f)
	f.ReturnFloat64(V(neonConst))
	f.RET()
}

func softmaxGradNEONGen(file *File) {
	name := "SoftmaxGradNEON"
	f := file.Func(name, neonDoc(name,
		"sets dx = y ⊙ (dy − d) for each of the m rows of n",
		"entries, with d = ⟨y, dy⟩ of the row: the products formed exactly in",
		"float64, summed in eight interleaved partial sums and rounded to float32",
		"once; then dy − d and the product rounded: fallback.SoftmaxGrad's steps",
		"but for the order of the sum. dx, y and dy must hold m·n entries",
		"(unchecked); dx may be y or dy, otherwise overlap neither (each row is",
		"read whole before it is written)."),
		append(neonArgs("dx", "y", "dy"), Arg{Name: "m", Kind: Int}, Arg{Name: "n", Kind: Int})...)
	m, n, dx, y, dy := R(0), R(1), R(2), R(3), R(4)
	f.Int("m", m)
	f.Int("n", n)
	f.Base("dx", dx)
	f.Base("y", y)
	f.Base("dy", dy)
	count, py, pdy := R(5), R(6), R(7)
	f.CBZ(m, "end")
	f.Label("row")
	neonZeroAcc(f)
	f.MOVD(n, count)
	f.MOVD(y, py)
	f.MOVD(dy, pdy)
	dot := func(f *Func, in, tmp []V) []V {
		neonDot2(f, in, in[0], in[1], tmp[0], tmp[1], false)
		return nil
	}
	neonLoopTail(f, "dot", count, []R{py, pdy}, nil, dot, neonClearStale(dot))
	neonSumAcc(f)
	d := neonScalar
	f.FCVTDS(V(neonConst).F(), d.F())
	f.VDUP(d.S(0), d.S4())
	f.Comment("The second pass advances dx, y and dy to the next row.")
	f.MOVD(n, count)
	neonLoop(f, "grad", count, []R{y, dy}, []R{dx}, func(f *Func, in, _ []V) []V {
		yv, g := in[0], in[1]
		f.FSUB(g.S4(), g.S4(), d.S4())
		f.FMUL(g.S4(), yv.S4(), g.S4())
		return []V{g}
	})
	f.SUBS(1, m, m)
	f.BNE("row")
	f.Label("end")
	f.RET()
}

func lossNEON(file *File) {
	mseNEONGen(file, false)
	mseNEONGen(file, true)
	softmaxGradNEONGen(file)
}
