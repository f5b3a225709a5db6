package main

import (
	"fmt"
	"math"

	. "github.com/simdnn/simdnn/gen/arm64"
)

// The NEON transcendental and row kernels are long chains of lane-wise
// operations with a dozen or more constants. Their loops work on several
// vectors at once ("streams"), emitting each operation once per stream, so
// that the streams' independent chains interleave and hide the latency
// of each step (an in-order core such as the Cortex-A53 waits on every
// dependent FMLA otherwise). Registers are allocated by rule:
//
//	temporary j of stream s   V(j·streams + s), so that temporary j of
//	                          every stream is a run of consecutive
//	                          registers, which one VLD1.P fills or one
//	                          VST1.P writes; temporary 0 holds the input
//	constants                 one register each, from V31 down, loaded
//	                          before the loop

// val is an operand of a lane-wise operation: a temporary, one register
// per stream, or a constant, one register for all streams.
type val interface{ reg(s int) V }

// tmp is a temporary: register s belongs to stream s.
type tmp []V

func (t tmp) reg(s int) V { return t[s] }

// konst is a register that holds a constant in every lane.
type konst V

func (k konst) reg(int) V { return V(k) }

// lanes emits lane-wise operations for n streams; the operands are in
// Arm's order, destination first.
type lanes struct {
	f *Func
	n int
}

// t returns temporary j.
func (l lanes) t(j int) tmp {
	r := make(tmp, l.n)
	for s := range r {
		r[s] = V(j*l.n + s)
	}
	return r
}

// each emits op once for every stream.
func (l lanes) each(op func(s int)) {
	for s := range l.n {
		op(s)
	}
}

// three emits ins(d, a, b) for every stream, in Arm's operand order.
func (l lanes) three(ins func(d, n, m VA), d tmp, a, b val) {
	l.each(func(s int) { ins(d[s].S4(), a.reg(s).S4(), b.reg(s).S4()) })
}

// goThree emits a Go-syntax instruction ins(m, n, d), d = n op m.
func (l lanes) goThree(ins func(m, n, d VA), d tmp, a, b val) {
	l.each(func(s int) { ins(b.reg(s).S4(), a.reg(s).S4(), d[s].S4()) })
}

// goBits is goThree for the bitwise instructions, on sixteen bytes.
func (l lanes) goBits(ins func(m, n, d VA), d tmp, a, b val) {
	l.each(func(s int) { ins(b.reg(s).B16(), a.reg(s).B16(), d[s].B16()) })
}

func (l lanes) fadd(d tmp, a, b val)  { l.three(l.f.FADD, d, a, b) }
func (l lanes) fsub(d tmp, a, b val)  { l.three(l.f.FSUB, d, a, b) }
func (l lanes) fmul(d tmp, a, b val)  { l.three(l.f.FMUL, d, a, b) }
func (l lanes) fdiv(d tmp, a, b val)  { l.three(l.f.FDIV, d, a, b) }
func (l lanes) fmin(d tmp, a, b val)  { l.three(l.f.FMIN, d, a, b) }
func (l lanes) fmax(d tmp, a, b val)  { l.three(l.f.FMAX, d, a, b) }
func (l lanes) fcmge(d tmp, a, b val) { l.three(l.f.FCMGE, d, a, b) }
func (l lanes) facge(d tmp, a, b val) { l.three(l.f.FACGE, d, a, b) }

// fmla sets d += a·b and fmls d −= a·b, each rounded once.
func (l lanes) fmla(d tmp, a, b val) { l.goThree(l.f.VFMLA, d, a, b) }
func (l lanes) fmls(d tmp, a, b val) { l.goThree(l.f.VFMLS, d, a, b) }

// madd sets d = a·b + c and nmadd d = c − a·b, each rounded once: c is
// copied into d first, as FMLA accumulates into its destination. d must
// not be a or b.
func (l lanes) madd(d tmp, a, b, c val)  { l.mov(d, c); l.fmla(d, a, b) }
func (l lanes) nmadd(d tmp, a, b, c val) { l.mov(d, c); l.fmls(d, a, b) }

// addi and subi are 32-bit integer a + b and a − b.
func (l lanes) addi(d tmp, a, b val) { l.goThree(l.f.VADD, d, a, b) }
func (l lanes) subi(d tmp, a, b val) { l.goThree(l.f.VSUB, d, a, b) }

// and, or and bic are bitwise; bic is a &^ b.
func (l lanes) and(d tmp, a, b val) { l.goBits(l.f.VAND, d, a, b) }
func (l lanes) or(d tmp, a, b val)  { l.goBits(l.f.VORR, d, a, b) }
func (l lanes) bic(d tmp, a, b val) {
	l.each(func(s int) { l.f.BIC(d[s].B16(), a.reg(s).B16(), b.reg(s).B16()) })
}

// bit sets d to a's bits where mask is set, keeping d's elsewhere; bif
// where mask is clear.
func (l lanes) bit(d tmp, a, mask val) { l.goBits(l.f.VBIT, d, a, mask) }
func (l lanes) bif(d tmp, a, mask val) { l.goBits(l.f.VBIF, d, a, mask) }

// mov copies a into d.
func (l lanes) mov(d tmp, a val) {
	l.each(func(s int) { l.f.VORR(a.reg(s).B16(), a.reg(s).B16(), d[s].B16()) })
}

func (l lanes) fabs(d tmp, a val) {
	l.each(func(s int) { l.f.FABS(d[s].S4(), a.reg(s).S4()) })
}

// shl shifts every lane left by n; sshr right by n, copying the sign.
func (l lanes) shl(d tmp, a val, n int) {
	l.each(func(s int) { l.f.VSHL(Imm(n), a.reg(s).S4(), d[s].S4()) })
}
func (l lanes) sshr(d tmp, a val, n int) {
	l.each(func(s int) { l.f.SSHR(d[s].S4(), a.reg(s).S4(), n) })
}

// consts hands out the constant registers of one function, from V31
// down, each loaded once before the loop through scratch register R9.
type consts struct {
	f    *Func
	next V
	seen map[uint32]konst
}

func newConsts(f *Func) *consts { return &consts{f: f, next: 31, seen: map[uint32]konst{}} }

// u32 returns a register holding the 32-bit pattern bits in every lane;
// what names it in the comment.
func (c *consts) u32(bits uint32, what string) konst {
	if k, ok := c.seen[bits]; ok {
		return k
	}
	k := konst(c.next)
	c.next--
	c.f.Comment(fmt.Sprintf("V%d = %s", k, what))
	c.f.MOVDConst(uint64(bits), R(9))
	c.f.VDUPR(R(9), V(k).S4())
	c.seen[bits] = k
	return k
}

// f32 returns a register holding the float32 nearest x in every lane;
// what names it, and the comment gives its value too if what does not.
func (c *consts) f32(x float64, what string) konst {
	v := float32(x)
	if s := fmt.Sprint(v); s != what {
		what += " = " + s
	}
	return c.u32(math.Float32bits(v), what)
}

// transBody emits the operations for the streams of l on the input in
// temporary 0 and returns the temporary that holds the result.
type transBody func(l lanes) tmp

// unaryLoopNEON emits the loop of a kernel dst = f(x) over n elements:
// groups of streams vectors, then one vector, then single elements in
// lane 0 (the other lanes compute on stale values, which raises no trap).
// Only the elements of x and dst are addressed, src and dst advancing as
// they go. temps is the number of temporaries body uses and c the
// constants it holds, which must not meet.
func unaryLoopNEON(f *Func, label string, n, src, dst R, streams, temps int, c *consts, body transBody) {
	if V(temps*streams) > c.next+1 {
		panic(fmt.Sprintf("%s: %d temporaries × %d streams meet the constants at V%d", f.Name, temps, streams, c.next+1))
	}
	group := func(l lanes) []VA {
		regs := make([]VA, l.n)
		for s := range regs {
			regs[s] = V(s).S4()
		}
		return regs
	}
	store := func(res tmp) []VA {
		regs := make([]VA, len(res))
		for s, r := range res {
			regs[s] = r.S4()
		}
		return regs
	}

	wide := lanes{f, streams}
	f.Label(label + "group")
	f.CMP(Imm(4*streams), n)
	f.BLT(label + "single")
	f.VLD1P(src, group(wide)...)
	res := body(wide)
	f.VST1P(dst, store(res)...)
	f.SUB(Imm(4*streams), n, n)
	f.B(label + "group")

	// Fewer than 4·streams elements are left: with two or more streams,
	// at most one whole vector (one stream needs a loop).
	one := lanes{f, 1}
	f.Label(label + "single")
	f.CMP(4, n)
	f.BLT(label + "tail")
	f.VLD1P(src, V(0).S4())
	res = body(one)
	f.VST1P(dst, store(res)...)
	f.SUB(4, n, n)
	if streams == 1 {
		f.B(label + "single")
	}

	f.Label(label + "tail")
	f.CBZ(n, label+"done")
	f.VLD1Lane(src, V(0).S(0))
	res = body(one)
	f.VST1Lane(res[0].S(0), dst)
	f.SUB(1, n, n)
	f.B(label + "tail")
	f.Label(label + "done")
}
