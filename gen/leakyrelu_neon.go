package main

import (
	. "github.com/simdnn/simdnn/gen/arm64"
)

var leakyReLUNEON = neonKernel{
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

var leakyReLUGradNEON = neonKernel{
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

func leakyReLUNEONFamily(file *File) {
	leakyReLUNEON.generate(file)
	leakyReLUGradNEON.generate(file)
}
