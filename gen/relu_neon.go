package main

import (
	. "github.com/simdnn/simdnn/gen/arm64"
)

var reluNEON = neonKernel{
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

var reluGradNEON = neonKernel{
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

func reluNEONFamily(file *File) {
	reluNEON.generate(file)
	reluGradNEON.generate(file)
}
