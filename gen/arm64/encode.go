package arm64

import "fmt"

// Instructions Go's assembler (1.26) lacks, encoded from the field
// layouts of the Advanced SIMD encoding classes in the Arm Architecture
// Reference Manual (DDI 0487) and emitted as WORDs. Each takes and prints
// its operands in Arm's order, destination first, as the GNU comment
// does; all work on four single-precision lanes (Q = 1, sz = 0), and the
// "three same" ones also on two double-precision lanes (.D2, sz = 1).

// The fields shared by the encodings below.
const (
	q1   = 1 << 30 // Q: 128-bit vectors
	simd = 0b01110 << 24
	elem = 0b01111 << 24 // "vector x indexed element"
)

func regs(d, n V) uint32 { return uint32(n)<<5 | uint32(d) }

// threeSame encodes "Advanced SIMD three same" with a floating-point
// opcode:
//
//	0 Q U 01110 a sz 1 Rm opcode(5) 1 Rn Rd
//
// where a is size<1>, which with U and opcode picks the operation.
func threeSame(u, a, opcode uint32, d, n, m VA) uint32 {
	return q1 | u<<29 | simd | a<<23 | 0<<22 | 1<<21 | uint32(m.V)<<16 | opcode<<11 | 1<<10 | regs(d.V, n.V)
}

// twoRegMisc encodes "Advanced SIMD two-register miscellaneous" with a
// floating-point opcode:
//
//	0 Q U 01110 a sz 10000 opcode(5) 10 Rn Rd
func twoRegMisc(u, a, opcode uint32, d, n VA) uint32 {
	return q1 | u<<29 | simd | a<<23 | 0<<22 | 0b10000<<17 | opcode<<12 | 0b10<<10 | regs(d.V, n.V)
}

// byElement encodes "Advanced SIMD vector x indexed element" for single
// precision (size = 1:sz = 10): the lane index is H:L, and M is bit 4 of
// the register number (all 32 registers are allowed for .S):
//
//	0 Q U 01111 size(2) L M Rm(4) opcode(4) H 0 Rn Rd
func byElement(u, opcode uint32, d, n VA, m Lane) uint32 {
	h, l := uint32(m.I>>1), uint32(m.I&1)
	return q1 | u<<29 | elem | 0b10<<22 | l<<21 | uint32(m.V)<<16 | opcode<<12 | h<<11 | regs(d.V, n.V)
}

// shiftImm encodes "Advanced SIMD shift by immediate" for four 32-bit
// lanes, immh:immb = imm7 (01xxxxx for .4S), which with U and opcode
// gives the operation and the shift:
//
//	0 Q U 011110 immh(4) immb(3) opcode(5) 1 Rn Rd
func shiftImm(u, opcode, imm7 uint32, d, n VA) uint32 {
	return q1 | u<<29 | 0b011110<<23 | imm7<<16 | opcode<<11 | 1<<10 | regs(d.V, n.V)
}

// logical encodes "Advanced SIMD three same" with opcode 00011, the
// bitwise operations on sixteen bytes; U and size pick the operation:
//
//	0 Q U 01110 size(2) 1 Rm 00011 1 Rn Rd
func logical(u, size uint32, d, n, m VA) uint32 {
	return q1 | u<<29 | simd | size<<22 | 1<<21 | uint32(m.V)<<16 | 0b00011<<11 | 1<<10 | regs(d.V, n.V)
}

// BIC sets d = n &^ m (Go's assembler has VAND, VORR and VEOR, not VBIC).
func (f *Func) BIC(d, n, m VA) {
	for _, x := range []VA{d, n, m} {
		x.mustBe(B16, "bic")
	}
	f.word(logical(0, 0b01, d, n, m), "bic %s, %s, %s", d.gnu(), n.gnu(), m.gnu())
}

// three encodes a "three same" instruction on four float32 lanes or, when
// every operand is .D2, on two float64 lanes (sz = 1).
func (f *Func) three(mn string, u, a, opcode uint32, d, n, m VA) {
	sz := floatSize(mn, d, n, m)
	f.word(threeSame(u, a, opcode, d, n, m)|sz, "%s %s, %s, %s", mn, d.gnu(), n.gnu(), m.gnu())
}

// floatSize returns the sz bit (bit 22) of a floating-point vector
// instruction whose operands xs must all be .S4 (sz = 0) or all .D2
// (sz = 1).
func floatSize(mn string, xs ...VA) uint32 {
	a := S4
	if xs[0].A == D2 {
		a = D2
	}
	for _, x := range xs {
		x.mustBe(a, mn)
	}
	if a == D2 {
		return 1 << 22
	}
	return 0
}

func (f *Func) cmpZero(mn string, u, a, opcode uint32, d, n VA) {
	d.mustBe(S4, mn)
	n.mustBe(S4, mn)
	f.word(twoRegMisc(u, a, opcode, d, n), "%s %s, %s, #0", mn, d.gnu(), n.gnu())
}

func (f *Func) two(mn string, u, a, opcode uint32, d, n VA) {
	d.mustBe(S4, mn)
	n.mustBe(S4, mn)
	f.word(twoRegMisc(u, a, opcode, d, n), "%s %s, %s", mn, d.gnu(), n.gnu())
}

// FADD sets d = n + m.
func (f *Func) FADD(d, n, m VA) { f.three("fadd", 0, 0, 0b11010, d, n, m) }

// FSUB sets d = n − m.
func (f *Func) FSUB(d, n, m VA) { f.three("fsub", 0, 1, 0b11010, d, n, m) }

// FMUL sets d = n·m.
func (f *Func) FMUL(d, n, m VA) { f.three("fmul", 1, 0, 0b11011, d, n, m) }

// FDIV sets d = n/m.
func (f *Func) FDIV(d, n, m VA) { f.three("fdiv", 1, 0, 0b11111, d, n, m) }

// FMAX sets d = max(n, m), NaN if either is NaN.
func (f *Func) FMAX(d, n, m VA) { f.three("fmax", 0, 0, 0b11110, d, n, m) }

// FMIN sets d = min(n, m), NaN if either is NaN.
func (f *Func) FMIN(d, n, m VA) { f.three("fmin", 0, 1, 0b11110, d, n, m) }

// FMAXP sets each lane of d to the larger of a pair of adjacent lanes of
// the concatenation m:n, NaN if either is NaN.
func (f *Func) FMAXP(d, n, m VA) { f.three("fmaxp", 1, 0, 0b11110, d, n, m) }

// FADDP adds adjacent pairs of the concatenation m:n.
func (f *Func) FADDP(d, n, m VA) { f.three("faddp", 1, 0, 0b11010, d, n, m) }

// FCMEQ sets each lane of d to all ones where n = m, else zero.
func (f *Func) FCMEQ(d, n, m VA) { f.three("fcmeq", 0, 0, 0b11100, d, n, m) }

// FCMGE sets each lane of d to all ones where n ≥ m, else zero.
func (f *Func) FCMGE(d, n, m VA) { f.three("fcmge", 1, 0, 0b11100, d, n, m) }

// FCMGT sets each lane of d to all ones where n > m, else zero.
func (f *Func) FCMGT(d, n, m VA) { f.three("fcmgt", 1, 1, 0b11100, d, n, m) }

// FACGE sets each lane of d to all ones where |n| ≥ |m|, else zero
// (false for NaN).
func (f *Func) FACGE(d, n, m VA) { f.three("facge", 1, 0, 0b11101, d, n, m) }

// FCMLT0 sets each lane of d to all ones where n < 0 (false for NaN and
// −0), else zero.
func (f *Func) FCMLT0(d, n VA) { f.cmpZero("fcmlt", 0, 1, 0b01110, d, n) }

// FCMLE0 sets each lane of d to all ones where n ≤ 0 (true for −0, false
// for NaN), else zero.
func (f *Func) FCMLE0(d, n VA) { f.cmpZero("fcmle", 1, 1, 0b01101, d, n) }

// FCMGT0 sets each lane of d to all ones where n > 0, else zero.
func (f *Func) FCMGT0(d, n VA) { f.cmpZero("fcmgt", 0, 1, 0b01100, d, n) }

// FCMGE0 sets each lane of d to all ones where n ≥ 0, else zero.
func (f *Func) FCMGE0(d, n VA) { f.cmpZero("fcmge", 1, 1, 0b01100, d, n) }

// FMLA sets d += n·m lane by lane, rounding once, on .S4 or .D2: Go's
// VFMLA in Arm's operand order, encoded here for the .D2 lanes.
func (f *Func) FMLA(d, n, m VA) { f.three("fmla", 0, 0, 0b11001, d, n, m) }

// FSQRT sets d = √n lane by lane, correctly rounded.
func (f *Func) FSQRT(d, n VA) { f.two("fsqrt", 1, 1, 0b11111, d, n) }

// FCVTL sets the two float64 lanes of d (.D2) to the low two float32 lanes
// of n (.S2), exactly.
func (f *Func) FCVTL(d, n VA) {
	d.mustBe(D2, "fcvtl")
	n.mustBe(S2, "fcvtl")
	f.word(twoRegMisc(0, 0, 0b10111, d, n)&^q1|1<<22, "fcvtl %s, %s", d.gnu(), n.gnu())
}

// FCVTL2 sets the two float64 lanes of d (.D2) to the high two float32
// lanes of n (.S4), exactly.
func (f *Func) FCVTL2(d, n VA) {
	d.mustBe(D2, "fcvtl2")
	n.mustBe(S4, "fcvtl2")
	f.word(twoRegMisc(0, 0, 0b10111, d, n)|1<<22, "fcvtl2 %s, %s", d.gnu(), n.gnu())
}

// FNEG sets d = −n.
func (f *Func) FNEG(d, n VA) { f.two("fneg", 1, 1, 0b01111, d, n) }

// FABS sets d = |n|.
func (f *Func) FABS(d, n VA) { f.two("fabs", 0, 1, 0b01111, d, n) }

// FCVTZS converts each lane to int32, rounding toward zero.
func (f *Func) FCVTZS(d, n VA) { f.two("fcvtzs", 0, 1, 0b11011, d, n) }

// SCVTF converts each int32 lane to float32.
func (f *Func) SCVTF(d, n VA) { f.two("scvtf", 0, 0, 0b11101, d, n) }

// SSHR shifts each 32-bit lane of n right by shift, 1 ≤ shift ≤ 32,
// copying the sign bit in (arithmetic shift): by 31, all ones where n's
// sign bit is set and zero elsewhere. Go's assembler has VUSHR, not SSHR.
func (f *Func) SSHR(d, n VA, shift int) {
	d.mustBe(S4, "sshr")
	n.mustBe(S4, "sshr")
	if shift < 1 || shift > 32 {
		panic(fmt.Sprintf("arm64: sshr by %d, not 1 to 32", shift))
	}
	// For .4S the shift is 64 − immh:immb.
	f.word(shiftImm(0, 0b00000, uint32(64-shift), d, n), "sshr %s, %s, #%d", d.gnu(), n.gnu(), shift)
}

// FMLAElem sets d += n·m, m one lane broadcast, rounding once.
func (f *Func) FMLAElem(d, n VA, m Lane) {
	d.mustBe(S4, "fmla")
	n.mustBe(S4, "fmla")
	f.word(byElement(0, 0b0001, d, n, m), "fmla %s, %s, %s", d.gnu(), n.gnu(), m.gnu())
}

// FMULElem sets d = n·m, m one lane broadcast.
func (f *Func) FMULElem(d, n VA, m Lane) {
	d.mustBe(S4, "fmul")
	n.mustBe(S4, "fmul")
	f.word(byElement(0, 0b1001, d, n, m), "fmul %s, %s, %s", d.gnu(), n.gnu(), m.gnu())
}
