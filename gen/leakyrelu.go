package main

import (
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
)

// leakyReLU is dst = slope·x where x < 0, x elsewhere, as
// fallback.LeakyReLU.
var leakyReLU = kernel{
	name: "LeakyReLU",
	doc: []string{
		"sets dst[i] = slope·x[i] (one rounding) where x[i] < 0, and",
		"x[i] (the same bits) where x[i] ≥ 0 or is NaN, −0 included whatever the",
		"slope, for every i < len(x): exactly fallback.LeakyReLU. dst must be as",
		"long as x (unchecked) and either be x or not overlap it.",
	},
	sig:    "func(dst, x []float32, slope float32)",
	slices: []string{"dst", "x"},
	length: "x",
	setup: func(c *build.Context, s isa) body {
		zero := zeroed(c, s)
		slope := broadcastParam(c, s, "slope")
		return func(io vecIO, at []operand.Mem) {
			dst, x := at[0], at[1]
			v := io.load(x)
			// x < 0, ordered: false for −0 and for NaN, which pass.
			if wide(s) {
				k := c.K()
				c.VCMPPS(operand.U8(cmpLtOQ), zero, v, k)
				// Merge-masked: lanes outside k keep x.
				c.VMULPS(slope, v, k, v)
				io.store(v, dst)
				return
			}
			m, p := s.vec(c), s.vec(c)
			c.VCMPPS(operand.U8(cmpLtOQ), zero, v, m)
			c.VMULPS(slope, v, p) // x·slope, the fallback's order
			c.VBLENDVPS(m, p, v, v)
			io.store(v, dst)
		}
	},
}

// leakyReLUGrad is dx = slope·dy where x ≤ 0, dy elsewhere, as
// fallback.LeakyReLUGrad.
var leakyReLUGrad = kernel{
	name: "LeakyReLUGrad",
	doc: []string{
		"sets dx[i] = slope·dy[i] (one rounding) where x[i] ≤ 0",
		"(±0 included), and dy[i] (the same bits) where x[i] > 0 or x[i] is NaN,",
		"for every i < len(x): exactly fallback.LeakyReLUGrad. dx and dy must be",
		"as long as x (unchecked); dx may be x or dy, otherwise overlap neither.",
	},
	sig:    "func(dx, x, dy []float32, slope float32)",
	slices: []string{"dx", "x", "dy"},
	length: "x",
	setup: func(c *build.Context, s isa) body {
		zero := zeroed(c, s)
		slope := broadcastParam(c, s, "slope")
		return func(io vecIO, at []operand.Mem) {
			dx, x, dy := at[0], at[1], at[2]
			g := io.load(dy)
			// 0 ≥ x, ordered: true for ±0 and below, false for NaN,
			// as the fallback's x ≤ 0.
			if wide(s) {
				k := c.K()
				c.VCMPPS(operand.U8(cmpGeOQ), io.src(x), zero, k)
				c.VMULPS(slope, g, k, g)
				io.store(g, dx)
				return
			}
			m, p := s.vec(c), s.vec(c)
			c.VCMPPS(operand.U8(cmpGeOQ), io.src(x), zero, m)
			c.VMULPS(slope, g, p) // dy·slope, the fallback's order
			c.VBLENDVPS(m, p, g, g)
			io.store(g, dx)
		}
	},
}

func leakyReLUFamily(c *build.Context) { generateAll(c, leakyReLU, leakyReLUGrad) }
