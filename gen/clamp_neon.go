package main

import (
	. "github.com/simdnn/simdnn/gen/arm64"
)

// clampNEON compares and selects rather than using FMAX and FMIN: those
// do propagate NaN, but quiet a signalling NaN, and order −0 below +0, so
// they would turn a −0 x into a +0 lo (or a +0 x into a −0 hi) where
// fallback.Clamp, and AVX's MAXPS and MINPS, keep x. FCMGT is false for
// NaN, so a NaN x is never replaced and keeps its bits.
var clampNEON = neonKernel{
	name: "Clamp",
	doc: []string{
		"sets dst[i] = lo where x[i] < lo, hi where x[i] > hi, and",
		"x[i] (the same bits, NaN and ±0 included) elsewhere: exactly",
		"fallback.Clamp. lo must be ≤ hi and neither may be NaN (unchecked); dst",
		"must be as long as x (unchecked) and either be x or not overlap it.",
	},
	args:  append(neonArgs("dst", "x"), Arg{Name: "lo", Kind: Float32}, Arg{Name: "hi", Kind: Float32}),
	loads: []string{"x"}, stores: []string{"dst"}, length: "x",
	setup: func(f *Func) neonBody {
		lo, hi := V(neonConst), V(neonConst+1)
		neonBroadcast(f, "lo", lo)
		neonBroadcast(f, "hi", hi)
		return func(f *Func, in, tmp []V) []V {
			x, below, above := in[0], tmp[0], tmp[1]
			// Both masks from the unchanged x, so that the two
			// compares are independent; with lo ≤ hi they never
			// both hold.
			f.FCMGT(below.S4(), lo.S4(), x.S4())
			f.FCMGT(above.S4(), x.S4(), hi.S4())
			f.VBIT(below.B16(), lo.B16(), x.B16())
			f.VBIT(above.B16(), hi.B16(), x.B16())
			return []V{x}
		}
	},
}

func clampNEONFamily(file *File) {
	clampNEON.generate(file)
}
