package main

import (
	. "github.com/simdnn/simdnn/gen/arm64"
)

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

func mseNEONFamily(file *File) {
	mseNEONGen(file, false)
	mseNEONGen(file, true)
}
