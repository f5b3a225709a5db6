package main

import (
	. "github.com/simdnn/simdnn/gen/arm64"
)

// The NEON optimizer kernels fuse exactly the products that the Go
// compiler fuses in package fallback on arm64 (a product added to
// something else becomes one FMADD/FMSUB, the first operand of the sum
// staying rounded), so that on arm64 they give the fallback's bits but
// for NaN payloads; the bits differ from the unfused amd64 kernels, as
// NUMERICS.md allows. asm/optim_arm64_test.go checks both against the
// fallback.

var sgdMomentumNEON = neonKernel{
	name: "SGDMomentum",
	doc: []string{
		"applies one step of SGD with momentum for every i < len(w):",
		"v[i] = momentum·v[i] + g[i], then w[i] = w[i] − lr·v[i], each line",
		"rounded once (fused multiply-add and multiply-subtract, as the Go",
		"compiler fuses fallback.SGDMomentum on arm64). v and g must be as long",
		"as w (unchecked) and none may overlap another.",
	},
	args:  append(neonArgs("w", "v", "g"), Arg{Name: "lr", Kind: Float32}, Arg{Name: "momentum", Kind: Float32}),
	loads: []string{"w", "v", "g"}, stores: []string{"w", "v"}, length: "w",
	setup: func(f *Func) neonBody {
		lr, mu := V(neonConst), V(neonConst+1)
		neonBroadcast(f, "lr", lr)
		neonBroadcast(f, "momentum", mu)
		return func(f *Func, in, _ []V) []V {
			w, v, g := in[0], in[1], in[2]
			f.VFMLA(mu.S4(), v.S4(), g.S4()) // g = g + v·momentum, the new v
			f.VFMLS(lr.S4(), g.S4(), w.S4()) // w = w − v·lr
			return []V{w, g}
		}
	},
}

func sgdMomentumNEONFamily(file *File) { sgdMomentumNEON.generate(file) }
