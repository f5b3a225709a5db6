package main

import (
	. "github.com/simdnn/simdnn/gen/arm64"
)

// adamNEON is one step of PyTorch's Adam with the per-call scalars
// computed by the caller, as for the amd64 kernels (internal/adam.Scalars,
// and 1−β in float32). Its three fused multiply-adds are those of
// fallback.Adam compiled for arm64 (Go 1.26, GOARCH=arm64 go build
// -gcflags=-S ./fallback): β₁·m plus the rounded (1−β₁)·g, β₂·v plus the
// rounded ((1−β₂)·g)·g, and √v·invSqrtBC2 + eps. FMLA accumulates into
// the addend, so the new m and v are copied back into m's and v's
// registers, which neonLoop stores.
var adamNEON = neonKernel{
	name: "Adam",
	doc: []string{
		"applies one step of Adam for every i < len(w):",
		"",
		"	m[i] = fma(beta1, m[i], oneMinusBeta1·g[i])",
		"	v[i] = fma(beta2, v[i], (oneMinusBeta2·g[i])·g[i])",
		"	w[i] = w[i] − (stepSize·m[i]) / fma(√v[i], invSqrtBC2, eps)",
		"",
		"with the new m and v, every other operation rounded on its own (FSQRT",
		"and FDIV are correctly rounded): the operations of fallback.Adam as the",
		"Go compiler fuses them on arm64, whose results it gives bit for bit but",
		"for NaN payloads when the caller passes oneMinusBeta1 = 1−beta1 and",
		"oneMinusBeta2 = 1−beta2 rounded to float32 and stepSize and invSqrtBC2",
		"from internal/adam.Scalars. m, v and g must be as long as w (unchecked)",
		"and none may overlap another.",
	},
	args: append(neonArgs("w", "m", "v", "g"),
		Arg{Name: "beta1", Kind: Float32}, Arg{Name: "oneMinusBeta1", Kind: Float32},
		Arg{Name: "beta2", Kind: Float32}, Arg{Name: "oneMinusBeta2", Kind: Float32},
		Arg{Name: "stepSize", Kind: Float32}, Arg{Name: "invSqrtBC2", Kind: Float32},
		Arg{Name: "eps", Kind: Float32}),
	loads: []string{"w", "m", "v", "g"}, stores: []string{"w", "m", "v"}, length: "w",
	setup: func(f *Func) neonBody {
		names := []string{"beta1", "oneMinusBeta1", "beta2", "oneMinusBeta2", "stepSize", "invSqrtBC2", "eps"}
		c := make([]V, len(names))
		for i, name := range names {
			c[i] = V(neonConst + i)
			neonBroadcast(f, name, c[i])
		}
		b1, omb1, b2, omb2, size, bc2, eps := c[0], c[1], c[2], c[3], c[4], c[5], c[6]
		return func(f *Func, in, tmp []V) []V {
			w, m, v, g := in[0], in[1], in[2], in[3]
			t, u := tmp[0], tmp[1]
			f.FMUL(t.S4(), g.S4(), omb1.S4())
			f.VFMLA(b1.S4(), m.S4(), t.S4()) // t = (1−β₁)g + m·β₁
			f.VORR(t.B16(), t.B16(), m.B16())
			f.FMUL(t.S4(), g.S4(), omb2.S4())
			f.FMUL(t.S4(), t.S4(), g.S4())
			f.VFMLA(b2.S4(), v.S4(), t.S4()) // t = ((1−β₂)g)g + v·β₂
			f.VORR(t.B16(), t.B16(), v.B16())
			f.FSQRT(t.S4(), v.S4())
			f.VORR(eps.B16(), eps.B16(), u.B16())
			f.VFMLA(bc2.S4(), t.S4(), u.S4()) // u = eps + √v·invSqrtBC2
			f.FMUL(t.S4(), m.S4(), size.S4())
			f.FDIV(t.S4(), t.S4(), u.S4())
			f.FSUB(w.S4(), w.S4(), t.S4())
			return []V{w, m, v}
		}
	},
}

func adamNEONFamily(file *File) { adamNEON.generate(file) }
