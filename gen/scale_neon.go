package main

import (
	. "github.com/simdnn/simdnn/gen/arm64"
)

var scaleNEON = neonKernel{
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

func scaleNEONFamily(file *File) {
	scaleNEON.generate(file)
}
