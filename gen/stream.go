package main

import (
	"cmp"

	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// unroll is how many vectors the main loop handles per iteration: enough
// independent loads and FMAs in flight to cover their latency, few enough
// that short slices still spend little time outside the main loop.
const unroll = 4

// kernel is an elementwise kernel over float32 slices that all have the
// length of one of them: each output element depends only on the input
// elements at the same index, so the slices are walked in lockstep a
// vector at a time.
type kernel struct {
	name   string   // Go name without the ISA suffix, e.g. "ReLU"
	doc    []string // doc comment; the first line continues "<name><suffix> "
	sig    string   // Go signature, e.g. "func(dst, x []float32)"
	slices []string // slice parameters, in the order body receives them
	length string   // the slice parameter whose len is the element count
	unroll int      // vectors per main-loop iteration; 0 means the constant unroll
	// interleave, when set, gives the vectors per main-loop iteration
	// on each instruction set, their instructions alternated
	// (interleave.go); it overrides unroll.
	interleave func(s isa) int

	// setup emits the loop-invariant code (constants, broadcast
	// scalars) and returns the body for one vector.
	setup func(c *build.Context, s isa) body
}

// body emits the code for one vector: at[i] addresses this vector of
// slices[i], and io says how to read and write it.
type body func(io vecIO, at []operand.Mem)

// vecIO is how a body reads and writes one vector, so that one body
// serves both full vectors and the tail.
type vecIO interface {
	// src returns an operand holding the vector at m, for a source
	// operand that may be memory: m itself for a full vector.
	src(m operand.Mem) operand.Op
	// load returns a register holding the vector at m.
	load(m operand.Mem) reg.VecVirtual
	// store writes v to the vector at m.
	store(v reg.Register, m operand.Mem)
}

// fullIO reads and writes whole vectors.
type fullIO struct {
	c *build.Context
	s isa
}

func (f fullIO) src(m operand.Mem) operand.Op { return m }

func (f fullIO) load(m operand.Mem) reg.VecVirtual {
	v := f.s.vec(f.c)
	f.c.VMOVUPS(m, v)
	return v
}

func (f fullIO) store(v reg.Register, m operand.Mem) { f.c.VMOVUPS(v, m) }

// generate emits k for the instruction set s: an unrolled loop over
// groups of unroll vectors, a loop over single vectors, then the last
// len mod lanes elements through s's tail. The length is counted
// down and the slice pointers advanced, so no memory outside the slices
// is ever addressed.
func (k kernel) generate(c *build.Context, s isa) {
	name := k.name + s.suffix
	doc := append([]string{name + " " + k.doc[0]}, k.doc[1:]...)
	declare(c, name, k.sig, append(doc, s.requires)...)

	n := c.GP64()
	c.Load(c.Param(k.length).Len(), n)
	ptrs := make([]reg.Register, len(k.slices))
	for i, p := range k.slices {
		ptrs[i] = c.Load(c.Param(p).Base(), c.GP64())
	}
	at := func(vector int) []operand.Mem {
		ms := make([]operand.Mem, len(ptrs))
		for i, p := range ptrs {
			ms[i] = operand.Mem{Base: p, Disp: 4 * s.lanes * vector}
		}
		return ms
	}
	advance := func(vectors int) {
		for _, p := range ptrs {
			c.ADDQ(operand.U32(4*s.lanes*vectors), p)
		}
		c.SUBQ(operand.U32(s.lanes*vectors), n)
	}
	emit := k.setup(c, s)
	full := fullIO{c, s}

	u := cmp.Or(k.unroll, unroll)
	interleave := k.interleave != nil && k.interleave(s) > 1
	if interleave {
		u = k.interleave(s)
	}
	if u > 1 {
		c.CMPQ(n, operand.U32(u*s.lanes))
		c.JB(operand.LabelRef("single"))
		c.Label("unrolled")
		if interleave {
			emitInterleaved(c, u, func(v int) { emit(full, at(v)) })
		} else {
			for v := range u {
				emit(full, at(v))
			}
		}
		advance(u)
		c.CMPQ(n, operand.U32(u*s.lanes))
		c.JAE(operand.LabelRef("unrolled"))
	}

	c.Label("single")
	c.CMPQ(n, operand.U32(s.lanes))
	c.JB(operand.LabelRef("tail"))
	emit(full, at(0))
	advance(1)
	c.JMP(operand.LabelRef("single"))

	c.Label("tail")
	c.TESTQ(n, n)
	c.JZ(operand.LabelRef("done"))
	s.tail(c, n, func(io vecIO) { emit(io, at(0)) }, func() {
		for _, p := range ptrs {
			c.ADDQ(operand.U32(4), p)
		}
		c.DECQ(n)
	})

	c.Label("done")
	c.VZEROUPPER()
	c.RET()
}

// generateAll emits every kernel for every instruction set.
func generateAll(c *build.Context, ks ...kernel) {
	for _, k := range ks {
		for _, s := range isas {
			k.generate(c, s)
		}
	}
}
