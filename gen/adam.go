package main

import (
	"math"
	"slices"
	"strings"

	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// adamForm is one form of the update of PyTorch's Adam and AdamW, with the
// per-call scalars computed by the caller (internal/adam.NewScalars). Each
// is a kernel of its own on every instruction set, so that no loop tests
// an option.
type adamForm struct {
	decay   string // "": none; "L2": Adam's, g + wd·w for g; "W": AdamW's, w·decay for w
	amsgrad bool   // keeps vmax = max(vmax, v) and divides by its root
}

// adamForms are the forms generated: each weight decay without and with
// AMSGrad.
var adamForms = func() []adamForm {
	var fs []adamForm
	for _, ams := range []bool{false, true} {
		for _, d := range []string{"", "L2", "W"} {
			fs = append(fs, adamForm{d, ams})
		}
	}
	return fs
}()

// name is the form's Go name without the instruction set's suffix, that of
// its fallback too: Adam, AdamL2, AdamW, AdamAMSGrad, AdamL2AMSGrad, ...
func (f adamForm) name() string {
	n := "Adam" + f.decay
	if f.amsgrad {
		n += "AMSGrad"
	}
	return n
}

// slices are the form's slice parameters.
func (f adamForm) slices() []string {
	if f.amsgrad {
		return []string{"w", "m", "v", "vmax", "g"}
	}
	return []string{"w", "m", "v", "g"}
}

// scalars are the form's float32 parameters: the fields of
// internal/adam.Scalars that it uses.
func (f adamForm) scalars() []string {
	s := []string{"beta1", "oneMinusBeta1", "beta2", "oneMinusBeta2", "stepSize", "invSqrtBC2", "eps"}
	switch f.decay {
	case "L2":
		s = append(s, "weightDecay")
	case "W":
		s = append(s, "decay")
	}
	return s
}

// sig is the form's Go signature.
func (f adamForm) sig() string {
	return "func(" + strings.Join(f.slices(), ", ") + " []float32, " + strings.Join(f.scalars(), ", ") + " float32)"
}

// formula returns the lines of the update for the doc comment, each
// product added to a sum written with fma(a, b, c), so that the amd64 and
// the NEON comments can say how they round.
func (f adamForm) formula(fma func(a, b, c string) string) []string {
	var lines []string
	g := "g[i]"
	w := "w[i]"
	switch f.decay {
	case "L2":
		lines = append(lines, "d = "+fma("weightDecay", "w[i]", "g[i]"))
		g = "d"
	case "W":
		w = "w[i]·decay"
	}
	v := "v[i]"
	lines = append(lines,
		"m[i] = "+fma("beta1", "m[i]", "oneMinusBeta1·"+g),
		"v[i] = "+fma("beta2", "v[i]", "(oneMinusBeta2·"+g+")·"+g))
	if f.amsgrad {
		lines = append(lines, "vmax[i] = max(vmax[i], v[i])")
		v = "vmax[i]"
	}
	den := fma("√"+v, "invSqrtBC2", "eps")
	if !strings.HasPrefix(den, "fma(") {
		den = "(" + den + ")"
	}
	lines = append(lines, "w[i] = "+w+" − (stepSize·m[i]) / "+den)
	for i := range lines {
		lines[i] = "\t" + lines[i]
	}
	return lines
}

// adamKernel is form f as an amd64 kernel.
func adamKernel(f adamForm) kernel {
	doc := append([]string{"applies one step of Adam for every i < len(w):", ""},
		f.formula(func(a, b, c string) string { return a + "·" + b + " + " + c })...)
	doc = append(doc, "",
		"with the new m and v, every operation rounded on its own (no fused",
		"multiply-add; VSQRTPS and VDIVPS are correctly rounded), in the order",
		"of fallback."+f.name()+", whose results it gives bit for bit but for NaN",
		"payloads when the caller passes the scalars of internal/adam.NewScalars.")
	if f.amsgrad {
		doc = append(doc,
			"max is Go's: NaN if either operand is (the sign of a zero v aside, which",
			"β₂ ≤ 1 never makes).")
	}
	doc = append(doc, "The slices must be as long as w (unchecked) and none may overlap another.")
	return kernel{
		name:   f.name(),
		doc:    doc,
		sig:    f.sig(),
		slices: f.slices(),
		length: "w",
		// Each vector needs a VSQRTPS and a VDIVPS, which share the
		// divider, Adam's bound in cache (SqrtDivPeak). Alternated one
		// vector after another, as a plain unrolled loop issues them,
		// the pair measured 20% slower on Zen 5 than grouped (see
		// SqrtDivPeak in instruments.go): with the vectors' instructions
		// interleaved, the square roots of eight (AVX2: two, all its 16
		// registers allow) come together, then their divisions. On Zen
		// 5, Adam interleaved so measured 6% (AVX-512) and 10% (AVX2)
		// faster at 64K elements than the plain loop unrolled by four,
		// the two builds run in turn. To measure again: delete
		// interleave, go generate, and compare go run ./bench -kernels
		// '^Adam$' -sizes 65536 on the two builds.
		interleave: func(s isa) int {
			if wide(s) {
				return 8
			}
			return 2
		},
		setup: func(c *build.Context, s isa) body {
			resident := map[string]reg.VecVirtual{}
			spilled := f.spilled(s)
			for _, name := range f.scalars() {
				if !slices.Contains(spilled, name) {
					resident[name] = broadcastParam(c, s, name)
				}
			}
			var nanTable reg.VecVirtual
			if wide(s) && f.amsgrad {
				nanTable = broadcastConst(c, s, math.Float32frombits(fixupNaN))
			}
			// mul and add set dst = x·name and x + name for the
			// scalar name, from its register, or if it is spilled
			// from the argument: as AVX-512's embedded broadcast (x
			// must then be a register), or broadcast into a register
			// first.
			withScalar := func(op, opBcst func(...operand.Op)) func(name string, x operand.Op, dst reg.VecVirtual) {
				return func(name string, x operand.Op, dst reg.VecVirtual) {
					if r, ok := resident[name]; ok {
						op(x, r, dst)
					} else if wide(s) {
						opBcst(param(c, name), x, dst)
					} else {
						op(x, broadcastParam(c, s, name), dst)
					}
				}
			}
			mul, add := withScalar(c.VMULPS, c.VMULPS_BCST), withScalar(c.VADDPS, c.VADDPS_BCST)
			return func(io vecIO, at []operand.Mem) {
				w, m, v, g := at[0], at[1], at[2], at[len(at)-1]
				var gv reg.VecVirtual
				if f.decay == "L2" {
					// w is loaded again at the end rather than kept
					// live across the square root and the division:
					// AVX2's two interleaved vectors need the registers.
					gv = s.vec(c)
					mul("weightDecay", io.src(w), gv)
					c.VADDPS(io.src(g), gv, gv)
				} else {
					gv = io.load(g)
				}

				mn, t := s.vec(c), s.vec(c)
				mul("beta1", io.src(m), mn)
				mul("oneMinusBeta1", gv, t)
				c.VADDPS(t, mn, mn)
				io.store(mn, m)

				vn, u := s.vec(c), s.vec(c)
				mul("oneMinusBeta2", gv, u)
				c.VMULPS(gv, u, u)
				mul("beta2", io.src(v), vn)
				c.VADDPS(u, vn, vn)
				io.store(vn, v)

				root := vn
				if f.amsgrad {
					vmax := at[3]
					root = maxNaN(c, s, vn, io.load(vmax), nanTable)
					io.store(root, vmax)
				}

				den := s.vec(c)
				c.VSQRTPS(root, den)
				mul("invSqrtBC2", den, den)
				add("eps", den, den)
				num := s.vec(c)
				mul("stepSize", mn, num)
				c.VDIVPS(den, num, num)
				wn := io.load(w)
				if f.decay == "W" {
					mul("decay", wn, wn)
				}
				c.VSUBPS(num, wn, wn)
				io.store(wn, w)
			}
		},
	}
}

// fixupNaN is maxNaN's VFIXUPIMMPS table: for each class of the input
// lane a nibble, 0 to keep the destination's lane, 2 to write the input
// quieted; 2 for QNaN (class 0) and SNaN (class 1), 0 for the others.
const fixupNaN = 0x22

// maxNaN returns max(acc, x) as Go's max computes it for x ≠ −0: NaN if
// either is. VMAXPS returns its second source where either is NaN (and
// where both are zeros), which passes x's NaN on; acc's is put back where
// acc is unordered with itself. table holds fixupNaN (AVX-512 only).
func maxNaN(c *build.Context, s isa, x, acc, table reg.VecVirtual) reg.VecVirtual {
	if wide(s) {
		// EVEX compares write opmasks only, and eight interleaved
		// vectors would need eight of the seven that can mask:
		// VFIXUPIMMPS classifies acc's lanes itself.
		r := s.vec(c)
		c.VMAXPS(x, acc, r)
		c.VFIXUPIMMPS(operand.U8(0), table, acc, r)
		return r
	}
	nan := s.vec(c)
	c.VCMPPS(operand.U8(3), acc, acc, nan) // UNORD_Q: all ones where acc is NaN
	c.VMAXPS(x, acc, acc)
	c.VORPS(nan, acc, acc) // all ones is a NaN
	return acc
}

// spilled returns the scalars that form f does not keep in a register on
// s but takes from its argument at each use: AVX2's sixteen registers
// hold neither AdamW's eighth scalar nor AMSGrad's more vectors with all
// of them, nor AVX-512's thirty-two AMSGrad's eight interleaved vectors
// with seven. A broadcast load each, which the divider-bound loop has
// room for.
func (f adamForm) spilled(s isa) []string {
	if wide(s) {
		if f.amsgrad {
			return []string{"eps"}
		}
		return nil
	}
	var sp []string
	if f.amsgrad {
		sp = append(sp, "stepSize", "invSqrtBC2", "eps")
	}
	if f.decay == "W" {
		sp = append(sp, "decay")
	}
	return sp
}

func adamFamily(c *build.Context) {
	for _, f := range adamForms {
		generateAll(c, adamKernel(f))
	}
}
