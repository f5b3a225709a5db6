package main

import (
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
)

// The optimizer kernels reproduce the fallback's operations one for one,
// each rounded on its own: no fused multiply-add, where fusing would change
// the result. They are bound by memory (Adam in cache by the divider, see
// SqrtDivPeak), so fusing would gain nothing, and
// unfused they give the fallback's results bit for bit (except for which
// NaN comes out where NaNs meet, and the fallback's own fusing if it is
// compiled for GOAMD64=v3 or later).

// sgdMomentum is one step of PyTorch's SGD with momentum.
var sgdMomentum = kernel{
	name: "SGDMomentum",
	doc: []string{
		"applies one step of SGD with momentum for every i < len(w):",
		"v[i] = momentum·v[i] + g[i], then w[i] = w[i] − lr·v[i], every",
		"multiplication, addition and subtraction rounded on its own (no fused",
		"multiply-add), in the order of fallback.SGDMomentum, whose results it",
		"gives bit for bit but for NaN payloads. v and g must be as long as w",
		"(unchecked) and none may overlap another.",
	},
	sig:    "func(w, v, g []float32, lr, momentum float32)",
	slices: []string{"w", "v", "g"},
	length: "w",
	setup: func(c *build.Context, s isa) body {
		lr, mu := broadcastParam(c, s, "lr"), broadcastParam(c, s, "momentum")
		return func(io vecIO, at []operand.Mem) {
			w, v, g := at[0], at[1], at[2]
			vn := s.vec(c)
			c.VMULPS(io.src(v), mu, vn)
			c.VADDPS(io.src(g), vn, vn)
			io.store(vn, v)
			step := s.vec(c)
			c.VMULPS(vn, lr, step)
			wn := io.load(w)
			c.VSUBPS(step, wn, wn)
			io.store(wn, w)
		}
	},
}

func sgdMomentumFamily(c *build.Context) { generateAll(c, sgdMomentum) }
