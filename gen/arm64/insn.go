package arm64

import (
	"fmt"
	"strconv"
	"strings"
)

// Imm is an immediate operand, $n.
type Imm int64

func (i Imm) String() string { return fmt.Sprintf("$%d", int64(i)) }

// mem is a memory operand off(r).
type mem struct {
	r   R
	off int
}

func (m mem) String() string {
	if m.off == 0 {
		return fmt.Sprintf("(%s)", m.r)
	}
	return fmt.Sprintf("%d(%s)", m.off, m.r)
}

// Integer and control instructions, as Go's assembler writes them.

// ADD sets d = n + imm.
func (f *Func) ADD(imm Imm, n, d R) { f.op("ADD", imm, n, d) }

// ADDR sets d = n + m.
func (f *Func) ADDR(m, n, d R) { f.op("ADD", m, n, d) }

// SUB sets d = n − imm.
func (f *Func) SUB(imm Imm, n, d R) { f.op("SUB", imm, n, d) }

// SUBS sets d = n − imm and the flags.
func (f *Func) SUBS(imm Imm, n, d R) { f.op("SUBS", imm, n, d) }

// SUBR sets d = n − m.
func (f *Func) SUBR(m, n, d R) { f.op("SUB", m, n, d) }

// AND sets d = n & imm; imm must be a bitmask immediate (such as 2^i − 1).
func (f *Func) AND(imm Imm, n, d R) { f.op("AND", imm, n, d) }

// CMP sets the flags from n − imm.
func (f *Func) CMP(imm Imm, n R) { f.op("CMP", imm, n) }

// CMPR sets the flags from n − m.
func (f *Func) CMPR(m, n R) { f.op("CMP", m, n) }

// LSL sets d = n << imm.
func (f *Func) LSL(imm Imm, n, d R) { f.op("LSL", imm, n, d) }

// LSR sets d = n >> imm, a logical shift.
func (f *Func) LSR(imm Imm, n, d R) { f.op("LSR", imm, n, d) }

// MOVD copies register s to d.
func (f *Func) MOVD(s, d R) { f.op("MOVD", s, d) }

// MOVDConst sets d = c; the assembler picks the instructions (MOVZ and
// MOVK, or a literal).
func (f *Func) MOVDConst(c uint64, d R) { f.op("MOVD", fmt.Sprintf("$0x%x", c), d) }

// B branches to label.
func (f *Func) B(label string) { f.op("B", label) }

// BLT branches to label when the last comparison was signed less than.
func (f *Func) BLT(label string) { f.op("BLT", label) }

// BGE branches to label when the last comparison was signed greater or equal.
func (f *Func) BGE(label string) { f.op("BGE", label) }

// BNE branches to label when the last result was not zero.
func (f *Func) BNE(label string) { f.op("BNE", label) }

// CBZ branches to label when r is zero.
func (f *Func) CBZ(r R, label string) { f.op("CBZ", r, label) }

// CBNZ branches to label when r is not zero.
func (f *Func) CBNZ(r R, label string) { f.op("CBNZ", r, label) }

// TBZ branches to label when bit b of r is zero.
func (f *Func) TBZ(b Imm, r R, label string) { f.op("TBZ", b, r, label) }

// RET returns.
func (f *Func) RET() { f.op("RET") }

// Loads and stores, as Go's assembler writes them.

// VLD1 loads len(regs) consecutive vectors from (r).
func (f *Func) VLD1(r R, regs ...VA) { f.op("VLD1", mem{r, 0}, list(regs)) }

// VLD1P loads len(regs) consecutive vectors from (r) and advances r past
// them.
func (f *Func) VLD1P(r R, regs ...VA) {
	f.op("VLD1.P", mem{r, 16 * len(regs)}, list(regs))
}

// VLD1PR loads len(regs) consecutive vectors from (r) and advances r by
// the register m (post-index by register).
func (f *Func) VLD1PR(r, m R, regs ...VA) {
	f.op("VLD1.P", fmt.Sprintf("(%s)(%s)", r, m), list(regs))
}

// VLD1Lane loads the float32 at (r) into lane l, leaving the others, and
// advances r by 4.
func (f *Func) VLD1Lane(r R, l Lane) { f.op("VLD1.P", mem{r, 4}, l) }

// VLD1R loads the float32 at (r) into every lane of d.
func (f *Func) VLD1R(r R, d VA) {
	d.mustBe(S4, "VLD1R")
	f.op("VLD1R", mem{r, 0}, list([]VA{d}))
}

// VST1 stores len(regs) consecutive vectors to (r).
func (f *Func) VST1(r R, regs ...VA) { f.op("VST1", list(regs), mem{r, 0}) }

// VST1P stores len(regs) consecutive vectors to (r) and advances r past
// them.
func (f *Func) VST1P(r R, regs ...VA) {
	f.op("VST1.P", list(regs), mem{r, 16 * len(regs)})
}

// VST1Lane stores lane l to (r) and advances r by 4.
func (f *Func) VST1Lane(l Lane, r R) { f.op("VST1.P", l, mem{r, 4}) }

// Vector instructions Go's assembler has. Its operand order is the
// reverse of Arm's: VFMLA m, n, d is fmla d, n, m.

// VDUP sets every lane of d to lane l.
func (f *Func) VDUP(l Lane, d VA) { d.mustBe(S4, "VDUP"); f.op("VDUP", l, d) }

// VDUPR sets every lane of d to the low 32 bits of r.
func (f *Func) VDUPR(r R, d VA) { d.mustBe(S4, "VDUP"); f.op("VDUP", r, d) }

// VADD sets d = n + m, lane by lane as 32-bit integers.
func (f *Func) VADD(m, n, d VA) { f.fourS("VADD", m, n, d) }

// VSUB sets d = n − m, lane by lane as 32-bit integers.
func (f *Func) VSUB(m, n, d VA) { f.fourS("VSUB", m, n, d) }

// VSHL sets d = n << imm, lane by lane, 0 ≤ imm < 32.
func (f *Func) VSHL(imm Imm, n, d VA) {
	n.mustBe(S4, "VSHL")
	d.mustBe(S4, "VSHL")
	if imm < 0 || imm > 31 {
		panic(fmt.Sprintf("arm64: VSHL by %d, not 0 to 31", imm))
	}
	f.op("VSHL", imm, n, d)
}

// VEOR sets d = n ^ m.
func (f *Func) VEOR(m, n, d VA) { f.bitwise("VEOR", m, n, d) }

// VAND sets d = n & m.
func (f *Func) VAND(m, n, d VA) { f.bitwise("VAND", m, n, d) }

// VORR sets d = n | m; VORR(s, s, d) copies s to d.
func (f *Func) VORR(m, n, d VA) { f.bitwise("VORR", m, n, d) }

// VBIT inserts into d the bits of n where m is set: d = d ^ ((d ^ n) & m).
func (f *Func) VBIT(m, n, d VA) { f.bitwise("VBIT", m, n, d) }

// VBIF inserts into d the bits of n where m is clear.
func (f *Func) VBIF(m, n, d VA) { f.bitwise("VBIF", m, n, d) }

// VBSL selects with d as the mask: d = (n & d) | (m &^ d).
func (f *Func) VBSL(m, n, d VA) { f.bitwise("VBSL", m, n, d) }

func (f *Func) bitwise(mn string, m, n, d VA) { f.sameArrangement(mn, B16, m, n, d) }

// VMOVI sets every byte of d to imm.
func (f *Func) VMOVI(imm Imm, d VA) {
	d.mustBe(B16, "VMOVI")
	if imm < 0 || imm > 255 {
		panic(fmt.Sprintf("arm64: VMOVI %d is not a byte", imm))
	}
	f.op("VMOVI", imm, d)
}

// VFMLA sets d += n·m, lane by lane, rounding once.
func (f *Func) VFMLA(m, n, d VA) { f.fourS("VFMLA", m, n, d) }

// VFMLS sets d −= n·m, lane by lane, rounding once.
func (f *Func) VFMLS(m, n, d VA) { f.fourS("VFMLS", m, n, d) }

func (f *Func) fourS(mn string, m, n, d VA) { f.sameArrangement(mn, S4, m, n, d) }

// sameArrangement writes mn m, n, d, whose operands must all be a.
func (f *Func) sameArrangement(mn string, a Arrangement, m, n, d VA) {
	for _, x := range []VA{m, n, d} {
		x.mustBe(a, mn)
	}
	f.op(mn, m, n, d)
}

// FMOVSReg copies the float32 in the low lane of s to d and, as every
// write of a scalar register does, clears the other lanes of d's vector
// register: FMOVSReg(F(v), F(v)) keeps lane 0 of v and zeroes the rest.
func (f *Func) FMOVSReg(s, d F) { f.op("FMOVS", s, d) }

// FCVTDS sets the float32 d to the float64 s rounded to nearest (Go's
// operand order: source first).
func (f *Func) FCVTDS(s, d F) { f.op("FCVTDS", s, d) }

// FCVTSD sets the float64 d to the float32 s, exactly.
func (f *Func) FCVTSD(s, d F) { f.op("FCVTSD", s, d) }

// FADDD sets the float64 d = n + m.
func (f *Func) FADDD(m, n, d F) { f.op("FADDD", m, n, d) }

// FMOVS sets the low lane of v to the float32 c, which must be one of the
// values FMOV's 8-bit immediate encodes (±n/16·2^e, 16 ≤ n ≤ 31,
// −3 ≤ e ≤ 4, such as 0.5, 1 or 2).
func (f *Func) FMOVS(c float64, v V) {
	s := strconv.FormatFloat(c, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0" // $(1) would be the integer 1
	}
	f.op("FMOVS", "$("+s+")", v.F())
}
