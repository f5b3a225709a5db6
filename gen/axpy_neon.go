package main

import (
	. "github.com/simdnn/simdnn/gen/arm64"
)

var axpyNEON = neonKernel{
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

func axpyNEONFamily(file *File) {
	axpyNEON.generate(file)
}
