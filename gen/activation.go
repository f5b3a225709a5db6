package main

import (
	"math"

	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// The activation family: the ReLU and leaky ReLU gradients, leaky ReLU,
// Scale, and the tanh and sigmoid gradients from the saved output. Each
// reproduces package fallback's result bit for bit, NaN payloads aside
// where an arithmetic result is NaN; the selects pass the selected input's
// bits unchanged, NaN payloads included.
//
// Selects compare with VCMPPS, whose predicate decides what NaN does: an
// ordered predicate (_OQ) is false when either operand is NaN, an
// unordered one (_UQ) true. The quiet forms are used so that a quiet NaN
// does not raise the invalid-operation flag; Go masks the exception, so
// only the flag would differ. Go assembly lists the operands in reverse:
// VCMPPS imm, b, a, dst computes a OP b, and only b may be memory.
const (
	// cmpLtOQ is a < b, false when either is NaN: x < 0 is false for
	// −0 and for NaN.
	cmpLtOQ = 0x11
	// cmpGeOQ is a ≥ b, false when either is NaN: 0 ≥ x holds for ±0
	// and fails for NaN.
	cmpGeOQ = 0x1d
	// cmpNgeUQ is not(a ≥ b), true when either is NaN: not(0 ≥ x)
	// is x > 0 or x NaN.
	cmpNgeUQ = 0x19
)

// wide reports whether s is AVX-512, whose compares write an opmask and
// whose selects are masked instructions. AVX2 compares write an all-ones
// or all-zeros lane mask into a vector register instead.
func wide(s isa) bool { return s.lanes == avx512.lanes }

// broadcastOne returns a vector register holding 1.0 in every lane.
func broadcastOne(c *build.Context, s isa) reg.VecVirtual { return broadcastConst(c, s, 1) }

// broadcastConst returns a vector register holding x in every lane, built
// from an immediate rather than a constant in memory.
func broadcastConst(c *build.Context, s isa, x float32) reg.VecVirtual {
	bits := c.GP32()
	c.MOVL(operand.U32(math.Float32bits(x)), bits)
	v := s.vec(c)
	c.VMOVD(bits, v.AsX())
	c.VBROADCASTSS(v.AsX(), v)
	return v
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

// The gradients from a saved output round after each operation, in the
// fallback's order, with no fused multiply-add. Their contracts in package
// kernels promise no particular rounding, and a fused 1 − y·y would be
// more accurate near |y| = 1; but these loops are bound by memory, not by
// arithmetic, so fusing buys no speed, while unfused every level gives the
// pure-Go kernel's bits and a training run does not change with the
// machine it runs on. Each product also takes its operands in the order
// Go's compiler gives the fallback's (the parenthesised factor first), so
// that even the NaN returned for two NaN operands, Intel's first source,
// is today's fallback's; the tests do not rely on that.

// tanhGrad is dx = dy·(1 − y·y), as fallback.TanhGrad.
var tanhGrad = kernel{
	name: "TanhGrad",
	doc: []string{
		"sets dx[i] = dy[i]·(1 − y[i]·y[i]) for every i < len(y),",
		"rounding after each operation in that order, without fused multiply-adds:",
		"exactly fallback.TanhGrad compiled without fusion (NaN payloads aside),",
		"within the accuracy kernels.TanhGrad documents. dx and dy must be as long",
		"as y (unchecked); dx may be y or dy, otherwise overlap neither.",
	},
	sig:    "func(dx, y, dy []float32)",
	slices: []string{"dx", "y", "dy"},
	length: "y",
	setup: func(c *build.Context, s isa) body {
		one := broadcastOne(c, s)
		return func(io vecIO, at []operand.Mem) {
			dx, y, dy := at[0], at[1], at[2]
			v, u := io.load(y), s.vec(c)
			c.VMULPS(v, v, v)          // y·y
			c.VSUBPS(v, one, u)        // 1 − y·y
			c.VMULPS(io.src(dy), u, u) // (1 − y·y)·dy
			io.store(u, dx)
		}
	},
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

func activationFamily(c *build.Context) {
	generateAll(c, reluGrad, leakyReLU, leakyReLUGrad, scale, tanhGrad, sigmoidGrad)
}
