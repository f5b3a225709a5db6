package main

import (
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
)

// axpy is y += alpha·x with one rounding per element (fused multiply-add).
var axpy = kernel{
	name: "Axpy",
	doc: []string{
		"sets y[i] += alpha·x[i] for every i < len(x), rounding",
		"once (fused multiply-add). y must be as long as x (unchecked) and either",
		"be x or not overlap it.",
	},
	sig:    "func(y []float32, alpha float32, x []float32)",
	slices: []string{"y", "x"},
	length: "x",
	setup: func(c *build.Context, s isa) body {
		alpha := broadcastParam(c, s, "alpha")
		return func(io vecIO, at []operand.Mem) {
			y, x := at[0], at[1]
			v := io.load(y)
			// Intel VFMADD231PS v, alpha, x: v = alpha·x + v.
			c.VFMADD231PS(io.src(x), alpha, v)
			io.store(v, y)
		}
	},
}

func axpyFamily(c *build.Context) { generateAll(c, axpy) }
