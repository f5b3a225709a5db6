package main

import (
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
)

// add is y += x, one exactly rounded addition per element. Package kernels
// runs it once per row: BiasAdd adds the bias to each row of C, and
// BiasGrad clears db and adds each row of dY into it, which sums every
// column in row order, the fallback's order.
var add = kernel{
	name: "Add",
	doc: []string{
		"sets y[i] += x[i] for every i < len(x), exactly rounded; NaN",
		"and Inf propagate as in the addition (a NaN result is a quiet NaN of one",
		"of the operands). y must be as long as x (unchecked) and either be x or",
		"not overlap it.",
	},
	sig:    "func(y, x []float32)",
	slices: []string{"y", "x"},
	length: "x",
	setup: func(c *build.Context, s isa) body {
		return func(io vecIO, at []operand.Mem) {
			y, x := at[0], at[1]
			v := io.load(y)
			c.VADDPS(io.src(x), v, v)
			io.store(v, y)
		}
	},
}

func biasFamily(c *build.Context) { generateAll(c, add) }
