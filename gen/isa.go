package main

import (
	"math"

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
	// tail emits the code for the last 0 < n < lanes elements, whose
	// pointers the body addresses at offset 0: it calls one with a
	// vecIO that touches only elements below n. next advances every
	// pointer by one element and decrements n, setting ZF when n
	// reaches 0, for tails that go an element at a time.
	tail func(c *build.Context, n reg.GPVirtual, one func(vecIO), next func())
}

// isas are the instruction sets every kernel is generated for.
var isas = []isa{avx2, avx512}

// avx2 is the avx2 level: 8 lanes, scalar tails.
var avx2 = isa{
	suffix:   avx2Level.goName,
	requires: avx2Level.requires(),
	lanes:    8,
	vec:      func(c *build.Context) reg.VecVirtual { return c.YMM() },
	tail:     avx2Tail,
}

// avx512 is the avx512 level: 16 lanes, opmask tails. Only ZMM registers
// and opmasks are used, so nothing needs VL, BW or DQ (checkISA).
var avx512 = isa{
	suffix:   avx512Level.goName,
	requires: avx512Level.requires(),
	lanes:    16,
	vec:      func(c *build.Context) reg.VecVirtual { return c.ZMM() },
	tail:     avx512Tail,
}

// avx2Tail runs the body on one element at a time, with VMOVSS loads and
// stores. VMASKMOVPS would do the tail in one step, and on hardware its
// masked-out lanes cannot fault, but qemu's emulation (which CI runs the
// avx2 level under, as -cpu Haswell) reads and writes the whole vector and
// faults at a guard page. The masked tail measured 2–6 ns faster for
// tails of 4–7 elements and 1.5–2.5 ns slower for 1–3; being correct
// under every emulator and tool wins.
func avx2Tail(c *build.Context, n reg.GPVirtual, one func(vecIO), next func()) {
	c.Label("scalar")
	one(scalarIO{c})
	next()
	c.JNZ(operand.LabelRef("scalar"))
}

// scalarIO reads and writes the first lane of a vector register only.
type scalarIO struct{ c *build.Context }

// src loads the element into a register: a memory operand of a packed
// instruction would read the whole vector.
func (m scalarIO) src(at operand.Mem) operand.Op { return m.load(at) }

func (m scalarIO) load(at operand.Mem) reg.VecVirtual {
	v := m.c.YMM()
	m.c.VMOVSS(at, v.AsX())
	return v
}

func (m scalarIO) store(v reg.Register, at operand.Mem) {
	m.c.VMOVSS(v.(reg.VecVirtual).AsX(), at)
}

// avx512Tail masks the tail with an opmask of the low n bits; masked-out
// lanes of EVEX loads and stores are neither read nor written.
func avx512Tail(c *build.Context, n reg.GPVirtual, one func(vecIO), _ func()) {
	one(opmaskIO{c, lowMask(c, n)})
}

// lowMask returns an opmask of the low n bits (0 ≤ n ≤ 16): 1<<n − 1.
// SHL takes its count in CL.
func lowMask(c *build.Context, n reg.Register) reg.OpmaskVirtual {
	c.MOVQ(n, reg.RCX)
	bits := c.GP32()
	c.MOVL(operand.U32(1), bits)
	c.SHLL(reg.CL, bits)
	c.DECL(bits)
	k := c.K()
	c.KMOVW(bits, k)
	return k
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

// declare starts the function name with signature sig and doc comment
// doc: NOSPLIT (no kernel calls anything or needs a stack frame), and
// noescape (the slices are only read and written during the call).
func declare(c *build.Context, name, sig string, doc ...string) {
	c.Function(name)
	c.Attributes(attr.NOSPLIT)
	c.SignatureExpr(sig)
	c.Pragma("noescape")
	c.Doc(doc...)
}

// param returns the address of the argument name in the frame.
func param(c *build.Context, name string) operand.Mem {
	arg, err := c.Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	return arg.Addr
}

// broadcastParam returns a vector register holding the float32 parameter
// name in every lane, broadcast straight from the argument slot (a
// legacy-SSE MOVSS would risk an AVX–SSE transition penalty).
func broadcastParam(c *build.Context, s isa, name string) reg.VecVirtual {
	v := s.vec(c)
	c.VBROADCASTSS(param(c, name), v)
	return v
}

// zero sets v to +0 in every lane. VEX VXORPS cannot name Z16–Z31 and
// EVEX VXORPS needs AVX512DQ, so AVX-512 uses VPXORD (AVX-512F); VXORPS is
// the usual zeroing idiom for YMM.
func zero(c *build.Context, s isa, v reg.VecVirtual) {
	if s.lanes == avx512.lanes {
		c.VPXORD(v, v, v)
		return
	}
	c.VXORPS(v, v, v)
}

// zeroed returns a new vector register holding +0 in every lane.
func zeroed(c *build.Context, s isa) reg.VecVirtual {
	z := s.vec(c)
	zero(c, s, z)
	return z
}

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
