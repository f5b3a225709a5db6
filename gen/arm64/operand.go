// Package arm64 is a small emitter of Go arm64 assembly, in the style of
// Consensys/bavard's arm64 package: typed operands (general registers,
// vector registers with an arrangement or a lane, immediates), one method
// per instruction, registers allocated by hand by the caller.
//
// Instructions that Go's assembler knows are written with its mnemonics
// and operand order (sources first, destination last). Those it lacks
// (vector FADD, FMUL, the float compares, FMLA by element, ...) are
// encoded here from the field layouts of the Arm Architecture Reference
// Manual and written as WORD $0x…, followed by the instruction in GNU
// syntax as a comment; Words returns every such word with its comment so
// that a test can decode each one and compare.
package arm64

import "fmt"

// R is a general-purpose register R0–R30 as Go's assembler names the X
// registers. Go reserves R18 (platform), R26 (closure context), R27 (the
// assembler's temporary), R28 (g), R29 (frame pointer) and R30 (link
// register): a leaf function without a frame may use R0–R17 and R19–R25.
type R uint8

func (r R) String() string { return fmt.Sprintf("R%d", uint8(r)) }

// V is a SIMD&FP register V0–V31. Go's ABI0 has no callee-saved vector
// registers, so an assembly function may use all 32.
type V uint8

// F is the register's low 32 bits as a scalar float32 (Go's F register
// of the same number).
func (v V) F() F { return F(v) }

// S4 is the register as four 32-bit lanes.
func (v V) S4() VA { return VA{v, S4} }

// B16 is the register as sixteen bytes, the arrangement of the bitwise
// instructions.
func (v V) B16() VA { return VA{v, B16} }

// D2 is the register as two 64-bit lanes, for float64.
func (v V) D2() VA { return VA{v, D2} }

// S2 is the register's low half as two 32-bit lanes, the source of
// FCVTL.
func (v V) S2() VA { return VA{v, S2} }

// S is 32-bit lane i of the register, i < 4.
func (v V) S(i int) Lane {
	if i < 0 || i > 3 {
		panic(fmt.Sprintf("arm64: lane S[%d] out of range", i))
	}
	return Lane{v, i}
}

// F is a scalar single-precision register, the low lane of V of the same
// number.
type F uint8

func (f F) String() string { return fmt.Sprintf("F%d", uint8(f)) }

// Arrangement is how a vector register is split into lanes.
type Arrangement uint8

// The arrangements the emitter uses.
const (
	S4  Arrangement = iota // four 32-bit lanes (Q = 1, size = 10)
	B16                    // sixteen bytes (Q = 1, size = 00)
	D2                     // two 64-bit lanes (Q = 1, size = 11)
	S2                     // the low two 32-bit lanes (Q = 0, size = 10)
)

// goName is the suffix Go's assembler writes: V0.S4.
func (a Arrangement) goName() string { return [...]string{"S4", "B16", "D2", "S2"}[a] }

// gnuName is the suffix GNU syntax writes: v0.4s.
func (a Arrangement) gnuName() string { return [...]string{"4s", "16b", "2d", "2s"}[a] }

// VA is a vector register with an arrangement.
type VA struct {
	V V
	A Arrangement
}

func (x VA) String() string { return fmt.Sprintf("V%d.%s", uint8(x.V), x.A.goName()) }
func (x VA) gnu() string    { return fmt.Sprintf("v%d.%s", uint8(x.V), x.A.gnuName()) }
func (x VA) mustBe(a Arrangement, insn string) {
	if x.A != a {
		panic(fmt.Sprintf("arm64: %s wants .%s, not %s", insn, a.goName(), x))
	}
}

// Lane is one 32-bit lane of a vector register, V0.S[1].
type Lane struct {
	V V
	I int
}

func (l Lane) String() string { return fmt.Sprintf("V%d.S[%d]", uint8(l.V), l.I) }
func (l Lane) gnu() string    { return fmt.Sprintf("v%d.s[%d]", uint8(l.V), l.I) }

// list formats a register list {V1.S4, V2.S4} for VLD1/VST1, checking
// that it has 1 to 4 registers of one arrangement with consecutive
// numbers, as the instructions require.
func list(regs []VA) string {
	if len(regs) < 1 || len(regs) > 4 {
		panic(fmt.Sprintf("arm64: a register list has 1 to 4 registers, not %d", len(regs)))
	}
	s := "["
	for i, r := range regs {
		if i > 0 {
			s += ", "
			if r.A != regs[0].A || r.V != (regs[i-1].V+1)%32 {
				panic(fmt.Sprintf("arm64: register list %v is not consecutive", regs))
			}
		}
		s += r.String()
	}
	return s + "]"
}
