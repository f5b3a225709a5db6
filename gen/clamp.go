package main

import (
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
)

// clamp is dst = min(max(x, lo), hi) with the fallback's exact semantics.
// Intel's MAXPS dst, a, b returns a where a > b and b otherwise, which
// includes b NaN (or a) and a, b both zeros; MINPS returns a where a < b,
// else b. With x as b of max(lo, x) and that result as b of min(hi, ·),
// x comes through with its own bits unless x < lo or x > hi: a NaN x
// (quiet or signalling, payload and all) and a zero x between zero bounds
// of the other sign included. Go assembly lists operands in reverse, b
// first; only b may be memory.
var clamp = kernel{
	name: "Clamp",
	doc: []string{
		"sets dst[i] = lo where x[i] < lo, hi where x[i] > hi, and",
		"x[i] (the same bits, NaN and ±0 included) elsewhere, for every i < len(x):",
		"exactly fallback.Clamp. lo must be ≤ hi and neither may be NaN (unchecked);",
		"dst must be as long as x (unchecked) and either be x or not overlap it.",
	},
	sig:    "func(dst, x []float32, lo, hi float32)",
	slices: []string{"dst", "x"},
	length: "x",
	setup: func(c *build.Context, s isa) body {
		lo := broadcastParam(c, s, "lo")
		hi := broadcastParam(c, s, "hi")
		return func(io vecIO, at []operand.Mem) {
			dst, x := at[0], at[1]
			v := s.vec(c)
			c.VMAXPS(io.src(x), lo, v) // max(lo, x): lo where lo > x, else x
			c.VMINPS(v, hi, v)         // min(hi, v): hi where hi < v, else v
			io.store(v, dst)
		}
	},
}

func clampFamily(c *build.Context) { generateAll(c, clamp) }
