package main

import (
	"fmt"

	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/ir"
)

// The transcendental kernels are one long dependency chain per vector.
// Emitted one vector after the other, out-of-order execution must hold a
// whole vector's chain in its schedulers before it reaches the next
// vector's independent work; alternating the instructions of several
// vectors puts that work side by side. avo emits one vector at a time, so
// the generator marks each copy of the loop body with a comment and
// interleaveCopies, a pass that runs before register allocation,
// alternates their instructions: copy 1's first, copy 2's first, ...,
// copy 1's second, and so on. Each copy keeps its own order and its own
// virtual registers, and reads the shared loop constants only, so the
// reordering changes no result.

const (
	copyMark = "interleave: copy"
	endMark  = "interleave: end"
)

// emitInterleaved emits n copies of the body for vector v = 0..n−1,
// marked for interleaveCopies.
func emitInterleaved(c *build.Context, n int, body func(v int)) {
	for v := range n {
		c.Comment(copyMark)
		body(v)
	}
	c.Comment(endMark)
}

// interleaveCopies is the pass that alternates the instructions of the
// copies emitInterleaved marks. The copies must be the same opcodes in
// the same order, with no labels among them.
func interleaveCopies(fn *ir.Function) error {
	var out []ir.Node
	var copies [][]*ir.Instruction
	in := false
	for _, n := range fn.Nodes {
		com, isComment := n.(*ir.Comment)
		switch {
		case isComment && len(com.Lines) == 1 && com.Lines[0] == copyMark:
			in = true
			copies = append(copies, nil)
		case isComment && len(com.Lines) == 1 && com.Lines[0] == endMark:
			merged, err := alternate(copies)
			if err != nil {
				return fmt.Errorf("%s: %v", fn.Name, err)
			}
			for _, i := range merged {
				out = append(out, i)
			}
			in, copies = false, nil
		case in:
			i, ok := n.(*ir.Instruction)
			if !ok {
				return fmt.Errorf("%s: %T inside an interleaved copy", fn.Name, n)
			}
			copies[len(copies)-1] = append(copies[len(copies)-1], i)
		default:
			out = append(out, n)
		}
	}
	if in {
		return fmt.Errorf("%s: interleaved copies without an end", fn.Name)
	}
	fn.Nodes = out
	return nil
}

// alternate returns the instructions of copies, which must have the same
// opcodes in the same order, taking the next of each copy in turn.
func alternate(copies [][]*ir.Instruction) ([]*ir.Instruction, error) {
	var out []*ir.Instruction
	for k, i := range copies[0] {
		for c, cp := range copies {
			if len(cp) != len(copies[0]) || cp[k].Opcode != i.Opcode {
				return nil, fmt.Errorf("interleaved copy %d differs from copy 0 at instruction %d", c, k)
			}
			out = append(out, cp[k])
		}
	}
	return out, nil
}
