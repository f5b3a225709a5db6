package main

import (
	"strings"
	"testing"

	"github.com/mmcloughlin/avo/ir"
)

// TestInterleaveCopies checks that the pass alternates the marked copies'
// instructions, keeps each copy's order and everything outside the marks
// in place, and refuses copies that are not the same code.
func TestInterleaveCopies(t *testing.T) {
	ids := map[*ir.Instruction]string{}
	in := func(op string, id int) *ir.Instruction {
		i := &ir.Instruction{Opcode: op}
		ids[i] = string(rune('a' + id))
		return i
	}
	mark := func(s string) ir.Node { return ir.NewComment(s) }
	fn := &ir.Function{Name: "F", Nodes: []ir.Node{
		in("MOVQ", 0), ir.Label("loop"),
		mark(copyMark), in("VMOVUPS", 1), in("VADDPS", 2), in("VMOVUPS", 3),
		mark(copyMark), in("VMOVUPS", 4), in("VADDPS", 5), in("VMOVUPS", 6),
		mark(endMark), in("RET", 7),
	}}
	if err := interleaveCopies(fn); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range fn.Nodes {
		switch n := n.(type) {
		case *ir.Instruction:
			got = append(got, ids[n])
		case ir.Label:
			got = append(got, "loop:")
		default:
			t.Fatalf("node %T left in the function", n)
		}
	}
	if want := "a loop: b e c f d g h"; strings.Join(got, " ") != want {
		t.Errorf("order %q, want %q", strings.Join(got, " "), want)
	}

	for name, nodes := range map[string][]ir.Node{
		"different opcodes": {mark(copyMark), in("VADDPS", 0), mark(copyMark), in("VMULPS", 1), mark(endMark)},
		"different lengths": {mark(copyMark), in("VADDPS", 0), in("VADDPS", 1), mark(copyMark), in("VADDPS", 2), mark(endMark)},
		"a label inside":    {mark(copyMark), in("VADDPS", 0), ir.Label("x"), mark(copyMark), in("VADDPS", 1), mark(endMark)},
		"no end":            {mark(copyMark), in("VADDPS", 0)},
	} {
		if err := interleaveCopies(&ir.Function{Name: "F", Nodes: nodes}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
