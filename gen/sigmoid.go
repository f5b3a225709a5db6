package main

import (
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// Sigmoid shares Tanh's approach and its accuracy argument (tanh.go);
// SigmoidGrad rounds as TanhGrad does.

// sigmoidKernel is dst ≈ σ(x) within 3 ULP. It divides by VDIVPS on
// every CPU: on AVX-512 the corrected reciprocal (quotient) that Tanh
// takes on Intel measured no faster than VDIVPS in Sigmoid on a Zen 4,
// a Zen 5 and an Ice Lake-SP Xeon (kernels/tuning.go).
func sigmoidKernel(tab *ctab) kernel {
	return unaryKernel(tab, divide, "Sigmoid", []string{
		"sets dst[i] to 1/(1 + e^−x[i]) within 3 ULP for every",
		"i < len(x), with fused multiply-adds, and the fallback's special values",
		"and saturation thresholds but not its bits. dst must be as long as x",
		"(unchecked) and either be x or not overlap it.",
	}, func(v vm, one reg.VecVirtual) func(reg.VecVirtual) reg.VecVirtual {
		lo := v.reg(kf(expLo))
		v.hold(fastConsts...)
		return func(x reg.VecVirtual) reg.VecVirtual {
			// s = σ(−|x|) = e/(1 + e), e = e^−|x| ≤ 1: the result
			// for x < 0, down through the denormals; 1 − s for
			// x ≥ 0, which rounds to 1 exactly where the exact σ
			// does.
			e := expNegFast(v, v.maxKeepNaN(v.or(x, ki(0x80000000)), lo))
			s := v.div(e, v.add(e, kf(1)))
			if wide(v.s) {
				// 1 − s in the lanes whose sign is clear, by
				// a merge-masked subtraction.
				k := v.c.K()
				op, _ := v.arg(ki(0x80000000))
				v.c.VPTESTNMD_BCST(op, x, k)
				v.c.VSUBPS(s, one, k, s)
				return s
			}
			return v.signSet(x).pick(s, v.sub(one, s))
		}
	})
}

// sigmoidGrad is dx = dy·(y·(1 − y)), as fallback.SigmoidGrad.
var sigmoidGrad = kernel{
	name: "SigmoidGrad",
	doc: []string{
		"sets dx[i] = dy[i]·(y[i]·(1 − y[i])) for every i < len(y),",
		"rounding after each operation in that order, without fused multiply-adds:",
		"exactly fallback.SigmoidGrad compiled without fusion (NaN payloads aside),",
		"within the accuracy kernels.SigmoidGrad documents. dx and dy must be as",
		"long as y (unchecked); dx may be y or dy, otherwise overlap neither.",
	},
	sig:    "func(dx, y, dy []float32)",
	slices: []string{"dx", "y", "dy"},
	length: "y",
	setup: func(c *build.Context, s isa) body {
		one := broadcastOne(c, s)
		return func(io vecIO, at []operand.Mem) {
			dx, y, dy := at[0], at[1], at[2]
			v, u := io.load(y), s.vec(c)
			c.VSUBPS(v, one, u)        // 1 − y
			c.VMULPS(v, u, u)          // (1 − y)·y
			c.VMULPS(io.src(dy), u, u) // ((1 − y)·y)·dy
			io.store(u, dx)
		}
	},
}

func sigmoidFamily(c *build.Context) {
	tab := newCtab(c, "sigmoidconst")
	generateAll(c, sigmoidKernel(tab), sigmoidGrad)
}
