package main

import (
	"github.com/mmcloughlin/avo/attr"
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// isa is one vector instruction set the kernels are generated for.
type isa struct {
	suffix   string // appended to a kernel's Go name
	requires string // last line of every kernel's doc comment
	lanes    int    // float32 per vector

	// vec allocates a vector register of the set's width.
	vec func(c *build.Context) reg.VecVirtual
	// data, when set, declares the file-level data that tail uses.
	data func(c *build.Context)
	// tail emits the code for the last 0 < n < lanes elements, whose
	// pointers the body addresses at offset 0: it calls one with a
	// vecIO that touches only those n elements.
	tail func(c *build.Context, n reg.GPVirtual, one func(vecIO))
}

// isas are the instruction sets every kernel is generated for.
var isas = []isa{avx2, avx512}

// avx2 is AVX2 with FMA3: 8 lanes, VMASKMOVPS tails.
var avx2 = isa{
	suffix:   "AVX2",
	requires: "It belongs to the avx2 level (AVX2 and FMA3); the caller checks the CPU.",
	lanes:    8,
	vec:      func(c *build.Context) reg.VecVirtual { return c.YMM() },
	data:     tailMaskData,
	tail:     avx2Tail,
}

// avx512 is AVX-512F: 16 lanes, opmask tails. Only ZMM registers and
// opmasks are used, so nothing needs VL, BW or DQ.
var avx512 = isa{
	suffix:   "AVX512",
	requires: "It belongs to the avx512 level (AVX-512F); the caller checks the CPU.",
	lanes:    16,
	vec:      func(c *build.Context) reg.VecVirtual { return c.ZMM() },
	tail:     avx512Tail,
}

// tailMask is a table of 8 all-ones dwords then 8 zero dwords: the 8
// dwords starting at dword 8−n are a VMASKMOVPS mask of the first n lanes.
var tailMask = operand.NewDataAddr(operand.NewStaticSymbol("tailmask"), 0)

// tailMaskData declares tailMask.
func tailMaskData(c *build.Context) {
	c.StaticGlobal("tailmask")
	c.DataAttributes(attr.RODATA | attr.NOPTR)
	for i := range 16 {
		v := uint32(0)
		if i < 8 {
			v = 0xffffffff
		}
		c.AddDatum(4*i, operand.U32(v))
	}
}

// avx2Tail masks the tail with VMASKMOVPS, whose masked-out lanes are
// neither read nor written (and cannot fault). Measured on Zen 4 against a
// scalar VMAXSS/VFMADD231SS loop, the mask costs 1.5–2.5 ns more for tails
// of 1–3 elements and saves 2–6 ns for tails of 4–7, and it takes the
// same time whatever the remainder, so it stays.
func avx2Tail(c *build.Context, n reg.GPVirtual, one func(vecIO)) {
	table := c.GP64()
	c.LEAQ(tailMask.Offset(32), table)
	c.NEGQ(n)
	mask := c.YMM()
	c.VMOVDQU(operand.Mem{Base: table, Index: n, Scale: 4}, mask)
	one(maskmovIO{c, mask})
}

// maskmovIO reads and writes the lanes of a YMM mask with VMASKMOVPS.
type maskmovIO struct {
	c    *build.Context
	mask reg.VecVirtual
}

func (m maskmovIO) src(at operand.Mem) operand.Op { return m.load(at) }

func (m maskmovIO) load(at operand.Mem) reg.VecVirtual {
	v := m.c.YMM()
	m.c.VMASKMOVPS(at, m.mask, v)
	return v
}

func (m maskmovIO) store(v reg.Register, at operand.Mem) { m.c.VMASKMOVPS(v, m.mask, at) }

// avx512Tail masks the tail with an opmask of the low n bits; masked-out
// lanes of EVEX loads and stores are neither read nor written.
func avx512Tail(c *build.Context, n reg.GPVirtual, one func(vecIO)) {
	// k = 1<<n − 1; SHL takes its count in CL.
	c.MOVQ(n, reg.RCX)
	bits := c.GP32()
	c.MOVL(operand.U32(1), bits)
	c.SHLL(reg.CL, bits)
	c.DECL(bits)
	k := c.K()
	c.KMOVW(bits, k)
	one(opmaskIO{c, k})
}

// opmaskIO reads and writes the lanes of an opmask.
type opmaskIO struct {
	c *build.Context
	k reg.OpmaskVirtual
}

func (m opmaskIO) src(at operand.Mem) operand.Op { return m.load(at) }

func (m opmaskIO) load(at operand.Mem) reg.VecVirtual {
	v := m.c.ZMM()
	m.c.VMOVUPS_Z(at, m.k, v)
	return v
}

func (m opmaskIO) store(v reg.Register, at operand.Mem) { m.c.VMOVUPS(v, m.k, at) }
