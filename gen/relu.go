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

// reluGrad is dx = dy where x > 0 or NaN, +0 where x ≤ 0, as
// fallback.ReLUGrad.
var reluGrad = kernel{
	name: "ReLUGrad",
	doc: []string{
		"sets dx[i] = dy[i] (the same bits, NaN included) where x[i] > 0",
		"or x[i] is NaN, and +0 where x[i] ≤ 0 (−0 included), for every i < len(x):",
		"exactly fallback.ReLUGrad. dx and dy must be as long as x (unchecked); dx",
		"may be x or dy; otherwise it must overlap neither.",
	},
	sig:    "func(dx, x, dy []float32)",
	slices: []string{"dx", "x", "dy"},
	length: "x",
	setup: func(c *build.Context, s isa) body {
		zero := zeroed(c, s)
		return func(io vecIO, at []operand.Mem) {
			dx, x, dy := at[0], at[1], at[2]
			// not(0 ≥ x), unordered: true for x > 0 and for NaN,
			// false for ±0 and below, as the fallback's "x ≤ 0
			// gives 0", which is false for NaN.
			if wide(s) {
				k := c.K()
				c.VCMPPS(operand.U8(cmpNgeUQ), io.src(x), zero, k)
				v := s.vec(c)
				// dy where k, +0 elsewhere; lanes outside k are not
				// read.
				c.VMOVUPS_Z(io.src(dy), k, v)
				io.store(v, dx)
				return
			}
			m := s.vec(c)
			c.VCMPPS(operand.U8(cmpNgeUQ), io.src(x), zero, m)
			c.VANDPS(io.src(dy), m, m)
			io.store(m, dx)
		}
	},
}

func reluFamily(c *build.Context) { generateAll(c, relu, reluGrad) }
