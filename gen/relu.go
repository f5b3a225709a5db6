package main

import (
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
)

// relu is dst = max(x, 0) with the fallback's exact semantics. Intel's
// MAXPS dst, a, b returns its second source b when either is NaN or both
// are zero, so max(+0, x) with x as b passes NaN (the same bits) and −0
// through; Go assembly lists operands in reverse, b first.
var relu = kernel{
	name: "ReLU",
	doc: []string{
		"sets dst[i] = max(x[i], 0) for every i < len(x): x[i] where",
		"x[i] ≥ 0 or is NaN (the same bits), +0 where x[i] < 0, −0 for −0.",
		"dst must be as long as x (unchecked) and either be x or not overlap it.",
	},
	sig:    "func(dst, x []float32)",
	slices: []string{"dst", "x"},
	length: "x",
	setup: func(c *build.Context, s isa) body {
		zero := s.vec(c)
		// A VEX XORPS of the low 128 bits clears the whole register.
		c.VXORPS(zero.AsX(), zero.AsX(), zero.AsX())
		return func(io vecIO, at []operand.Mem) {
			dst, x := at[0], at[1]
			v := s.vec(c)
			c.VMAXPS(io.src(x), zero, v)
			io.store(v, dst)
		}
	},
}

func reluFamily(c *build.Context) { generateAll(c, relu) }
