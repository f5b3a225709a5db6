package main

import (
	. "github.com/simdnn/simdnn/gen/arm64"
)

// The NEON optimizer kernels fuse exactly the products that the Go
// compiler fuses in package fallback on arm64 (a product added to or
// subtracted from something else becomes one FMADD/FMSUB, except where a
// conversion there rounds it first), so that on arm64 they give the
// fallback's bits but for NaN payloads; the bits differ from the unfused
// amd64 kernels, as NUMERICS.md allows. asm/optim_arm64_test.go checks
// both against the fallback.

// neonFma and neonProd write the NEON kernels' doc formulas: fma(a, b, c)
// is a·b + c rounded once.
func neonFma(a, b, c string) string { return "fma(" + a + ", " + b + ", " + c + ")" }

func neonProd(a, b string) string { return a + "·" + b }

// optimNEON returns an optimizer kernel whose slice parameters are
// slices, all read, of which it writes stores, and whose float32
// parameters are scalars, which setup broadcasts into the constant
// registers and hands to body by name.
func optimNEON(name string, doc, slices, stores, scalars []string, body func(k map[string]V) neonBody) neonKernel {
	if len(scalars) > 32-neonConst {
		panic(name + ": more scalars than constant registers")
	}
	args := neonArgs(slices...)
	for _, s := range scalars {
		args = append(args, Arg{Name: s, Kind: Float32})
	}
	return neonKernel{
		name: name, doc: doc, args: args,
		loads: slices, stores: stores, length: "w",
		setup: func(f *Func) neonBody {
			k := map[string]V{}
			for i, s := range scalars {
				k[s] = V(neonConst + i)
				neonBroadcast(f, s, k[s])
			}
			return body(k)
		},
	}
}

// sgdNEON is form fm as a NEON kernel: the products added to something
// fused (d = fma(wd, w, g), v = fma(momentum, v, share), w = w − lr·step
// as one FMLS), damp·d rounded first, as fallback.SGDDampened writes it.
func sgdNEON(fm sgdForm) neonKernel {
	update := func(step string) string { return neonFma("−lr", step, "w[i]") }
	doc := append([]string{"applies one step of PyTorch's SGD for every i < len(w):", ""},
		fm.formula(neonProd, neonFma, update)...)
	doc = append(doc, "",
		"each fma rounded once, every other operation on its own: the operations",
		"of fallback."+fm.name()+" as the Go compiler fuses them on arm64, whose",
		"results it gives bit for bit but for NaN payloads. The slices must be as",
		"long as w (unchecked) and none may overlap another.")
	stores := []string{"w"}
	if fm.momentum {
		stores = append(stores, "v")
	}
	return optimNEON(fm.name(), doc, fm.slices(), stores, fm.scalars(), func(k map[string]V) neonBody {
		return func(f *Func, in, tmp []V) []V {
			w, g := in[0], in[len(in)-1]
			if fm.l2 {
				f.VFMLA(k["wd"].S4(), w.S4(), g.S4()) // g = g + w·wd, d
			}
			if !fm.momentum {
				f.VFMLS(k["lr"].S4(), g.S4(), w.S4()) // w = w − d·lr
				return []V{w}
			}
			v, mu := in[1], k["momentum"]
			if fm.nesterov {
				t := tmp[0]
				f.VORR(g.B16(), g.B16(), t.B16())
				f.VFMLA(mu.S4(), v.S4(), t.S4()) // t = d + v·momentum, the new v
				f.VORR(t.B16(), t.B16(), v.B16())
				f.VFMLA(mu.S4(), v.S4(), g.S4()) // g = d + v·momentum
				f.VFMLS(k["lr"].S4(), g.S4(), w.S4())
				return []V{w, v}
			}
			if fm.dampened {
				f.FMUL(g.S4(), g.S4(), k["damp"].S4()) // g = d·damp, rounded
			}
			f.VFMLA(mu.S4(), v.S4(), g.S4())      // g = g + v·momentum, the new v
			f.VFMLS(k["lr"].S4(), g.S4(), w.S4()) // w = w − v·lr
			return []V{w, g}
		}
	})
}

func sgdNEONFamily(file *File) {
	for _, f := range sgdForms {
		sgdNEON(f).generate(file)
	}
}
