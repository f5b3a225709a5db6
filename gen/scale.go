package main

import (
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
)

// scale is x *= alpha, as fallback.Scale.
var scale = kernel{
	name: "Scale",
	doc: []string{
		"sets x[i] *= alpha for every i < len(x), rounding once:",
		"exactly fallback.Scale.",
	},
	sig:    "func(x []float32, alpha float32)",
	slices: []string{"x"},
	length: "x",
	setup: func(c *build.Context, s isa) body {
		alpha := broadcastParam(c, s, "alpha")
		return func(io vecIO, at []operand.Mem) {
			x := at[0]
			// x in a register as the first source, x·alpha, so that
			// when both are NaN the result is x's, as in the fallback.
			v := io.load(x)
			c.VMULPS(alpha, v, v)
			io.store(v, x)
		}
	},
}

func scaleFamily(c *build.Context) { generateAll(c, scale) }
