package arm64

import "testing"

// checkWord fails t unless w.Enc disassembles to its comment w.GNU.
func checkWord(t *testing.T, w Word) {
	t.Helper()
	got, err := Disassemble(w.Enc)
	if err != nil || got != w.GNU {
		t.Errorf("WORD $0x%08x // %s: decodes as %q, %v", w.Enc, w.GNU, got, err)
	}
}

// TestWordsDecode runs every WORD-emitting method over register numbers
// that set each bit of every register field (and every lane index), and
// checks that each word decodes to its comment.
func TestWordsDecode(t *testing.T) {
	var file File
	f := file.Func("T", nil)
	vs := []V{0, 1, 2, 4, 8, 16, 31, 21, 10}
	three := []func(d, n, m VA){f.FADD, f.FSUB, f.FMUL, f.FDIV, f.FMAX, f.FMIN, f.FADDP, f.FCMEQ, f.FCMGE, f.FCMGT, f.FMLA}
	two := []func(d, n VA){f.FCMLT0, f.FCMLE0, f.FCMGT0, f.FCMGE0, f.FNEG, f.FABS, f.FCVTZS, f.SCVTF, f.FSQRT}
	for i, d := range vs {
		n, m := vs[(i+3)%len(vs)], vs[(i+5)%len(vs)]
		for _, op := range three {
			op(d.S4(), n.S4(), m.S4())
			op(d.D2(), n.D2(), m.D2())
		}
		f.FACGE(d.S4(), n.S4(), m.S4())
		f.FMAXP(d.S4(), n.S4(), m.S4())
		for _, op := range two {
			op(d.S4(), n.S4())
		}
		f.FCVTL(d.D2(), n.S2())
		f.FCVTL2(d.D2(), n.S4())
		f.BIC(d.B16(), n.B16(), m.B16())
		// Every shift sets a different pattern of immh:immb's bits.
		for _, sh := range []int{1, 2, 4, 8, 16, 31, 32} {
			f.SSHR(d.S4(), n.S4(), sh)
		}
		for lane := range 4 {
			f.FMLAElem(d.S4(), n.S4(), m.S(lane))
			f.FMULElem(d.S4(), n.S4(), m.S(lane))
		}
	}
	ws := file.Words()
	if want := len(vs) * (2*len(three) + 2 + len(two) + 2 + 1 + 7 + 8); len(ws) != want {
		t.Fatalf("%d words, want %d", len(ws), want)
	}
	for _, w := range ws {
		checkWord(t, w)
	}
}
