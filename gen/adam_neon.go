package main

import (
	. "github.com/simdnn/simdnn/gen/arm64"
)

// adamNEON is form fm as a NEON kernel, with the per-call scalars computed
// by the caller, as for the amd64 kernels (internal/adam.NewScalars). Its
// fused multiply-adds are those of the fallback compiled for arm64 (Go
// 1.26, GOARCH=arm64 go build -gcflags=-S ./fallback): g + w·wd for
// Adam's weight decay, β₁·m plus the rounded (1−β₁)·g, β₂·v plus the
// rounded ((1−β₂)·g)·g, and √v·invSqrtBC2 + eps; AdamW's w·decay is
// rounded on its own, as the fallback's conversion asks. FMLA
// accumulates into the addend, so the new m and v are copied back into
// m's and v's registers, which neonLoop stores. FMAX is Go's max on
// arm64, NaN if either operand is.
func adamNEON(fm adamForm) neonKernel {
	doc := append([]string{"applies one step of Adam for every i < len(w):", ""}, fm.formula(neonFma)...)
	doc = append(doc, "",
		"with the new m and v, every other operation rounded on its own (FSQRT",
		"and FDIV are correctly rounded): the operations of fallback."+fm.name(),
		"as the Go compiler fuses them on arm64, whose results it gives bit for",
		"bit but for NaN payloads when the caller passes the scalars of",
		"internal/adam.NewScalars. The slices must be as long as w (unchecked)",
		"and none may overlap another.")
	stores := []string{"w", "m", "v"}
	if fm.amsgrad {
		stores = append(stores, "vmax")
	}
	return optimNEON(fm.name(), doc, fm.slices(), stores, fm.scalars(), func(k map[string]V) neonBody {
		return func(f *Func, in, tmp []V) []V {
			w, m, v, g := in[0], in[1], in[2], in[len(in)-1]
			t, u := tmp[0], tmp[1]
			if fm.decay == "L2" {
				f.VFMLA(k["weightDecay"].S4(), w.S4(), g.S4()) // g = g + w·wd
			}
			f.FMUL(t.S4(), g.S4(), k["oneMinusBeta1"].S4())
			f.VFMLA(k["beta1"].S4(), m.S4(), t.S4()) // t = (1−β₁)g + m·β₁
			f.VORR(t.B16(), t.B16(), m.B16())
			f.FMUL(t.S4(), g.S4(), k["oneMinusBeta2"].S4())
			f.FMUL(t.S4(), t.S4(), g.S4())
			f.VFMLA(k["beta2"].S4(), v.S4(), t.S4()) // t = ((1−β₂)g)g + v·β₂
			f.VORR(t.B16(), t.B16(), v.B16())
			out := []V{w, m, v}
			root := v
			if fm.amsgrad {
				root = in[3]
				f.FMAX(root.S4(), root.S4(), v.S4())
				out = append(out, root)
			}
			f.FSQRT(t.S4(), root.S4())
			f.VORR(k["eps"].B16(), k["eps"].B16(), u.B16())
			f.VFMLA(k["invSqrtBC2"].S4(), t.S4(), u.S4()) // u = eps + √v·invSqrtBC2
			f.FMUL(t.S4(), m.S4(), k["stepSize"].S4())
			f.FDIV(t.S4(), t.S4(), u.S4())
			if fm.decay == "W" {
				f.FMUL(w.S4(), w.S4(), k["decay"].S4())
			}
			f.FSUB(w.S4(), w.S4(), t.S4())
			return out
		}
	})
}

func adamNEONFamily(file *File) {
	for _, f := range adamForms {
		adamNEON(f).generate(file)
	}
}
