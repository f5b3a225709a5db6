package main

import (
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
)

// adam is one step of PyTorch's Adam with its per-call scalars computed by
// the caller (internal/adam.Scalars and 1−β in float32).
var adam = kernel{
	name: "Adam",
	doc: []string{
		"applies one step of Adam for every i < len(w):",
		"",
		"	m[i] = beta1·m[i] + oneMinusBeta1·g[i]",
		"	v[i] = beta2·v[i] + (oneMinusBeta2·g[i])·g[i]",
		"	w[i] = w[i] − (stepSize·m[i]) / (√v[i]·invSqrtBC2 + eps)",
		"",
		"with the new m and v, every operation rounded on its own (no fused",
		"multiply-add; VSQRTPS and VDIVPS are correctly rounded), in the order",
		"of fallback.Adam, whose results it gives bit for bit but for NaN",
		"payloads when the caller passes oneMinusBeta1 = 1−beta1 and",
		"oneMinusBeta2 = 1−beta2 rounded to float32 and stepSize and invSqrtBC2",
		"from internal/adam.Scalars. m, v and g must be as long as w (unchecked)",
		"and none may overlap another.",
	},
	sig:    "func(w, m, v, g []float32, beta1, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, invSqrtBC2, eps float32)",
	slices: []string{"w", "m", "v", "g"},
	length: "w",
	// Each vector needs a VSQRTPS and a VDIVPS, which share the divider,
	// Adam's bound in cache (SqrtDivPeak). Alternated one vector after
	// another, as a plain unrolled loop issues them, the pair measured
	// 20% slower on Zen 5 than grouped (see SqrtDivPeak in
	// instruments.go): with the vectors' instructions interleaved, the
	// square roots of eight (AVX2: two, all its 16 registers allow) come
	// together, then their divisions. On Zen 5, Adam interleaved so
	// measured 6% (AVX-512) and 10% (AVX2) faster at 64K elements than
	// the plain loop unrolled by four, the two builds run in turn. To
	// measure again: delete interleave, go generate, and compare
	// go run ./bench -kernels '^Adam$' -sizes 65536 on the two builds.
	interleave: func(s isa) int {
		if wide(s) {
			return 8
		}
		return 2
	},
	setup: func(c *build.Context, s isa) body {
		b1, omb1 := broadcastParam(c, s, "beta1"), broadcastParam(c, s, "oneMinusBeta1")
		b2, omb2 := broadcastParam(c, s, "beta2"), broadcastParam(c, s, "oneMinusBeta2")
		size, bc2 := broadcastParam(c, s, "stepSize"), broadcastParam(c, s, "invSqrtBC2")
		eps := broadcastParam(c, s, "eps")
		return func(io vecIO, at []operand.Mem) {
			w, m, v, g := at[0], at[1], at[2], at[3]
			gv := io.load(g)

			mn, t := s.vec(c), s.vec(c)
			c.VMULPS(io.src(m), b1, mn)
			c.VMULPS(gv, omb1, t)
			c.VADDPS(t, mn, mn)
			io.store(mn, m)

			vn, u := s.vec(c), s.vec(c)
			c.VMULPS(gv, omb2, u)
			c.VMULPS(gv, u, u)
			c.VMULPS(io.src(v), b2, vn)
			c.VADDPS(u, vn, vn)
			io.store(vn, v)

			den := s.vec(c)
			c.VSQRTPS(vn, den)
			c.VMULPS(bc2, den, den)
			c.VADDPS(eps, den, den)
			num := s.vec(c)
			c.VMULPS(mn, size, num)
			c.VDIVPS(den, num, num)
			wn := io.load(w)
			c.VSUBPS(num, wn, wn)
			io.store(wn, w)
		}
	},
}

func adamFamily(c *build.Context) { generateAll(c, adam) }
