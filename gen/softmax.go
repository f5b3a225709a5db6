package main

import (
	"strings"

	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// The row-wise kernels behind Softmax, LogSoftmax, SoftmaxCrossEntropy and
// SoftmaxGrad. Each walks m rows of n contiguous entries in one call, one
// short pass per row: the maximum, x − max, the float64 sum, the scale.
// The exponentials are not taken row by row: the Go caller runs the
// elementwise Exp over a whole block of rows between these calls, so that
// for short rows (10 classes) the exp's long dependency chain is not paid
// once per row, and does the logarithm or division a row needs. They
// follow fallback/softmax.go: x − max rounded to float32, sums of the
// exponentials and of products in float64 (in another order, so not bit
// for bit); the exponentials come from ExpFast (gen/exp.go).

// rowFrame is the state of a kernel's loop over rows.
type rowFrame struct {
	c     *build.Context
	s     isa
	n     reg.GPVirtual  // entries per row
	mats  []reg.Register // the current row of each matrix
	pers  []reg.Register // the current element of each per-row array
	sizes []int          // the element sizes of the per-row arrays
	m     reg.GPVirtual  // rows left
	bytes reg.GPVirtual  // 4n, a row's size
}

// newRows loads m, n and the pointers of the matrix slices mats and of
// the per-row slices pers, whose elements are sizes bytes long.
func newRows(c *build.Context, s isa, mats, pers []string, sizes []int) *rowFrame {
	f := &rowFrame{c: c, s: s, n: c.GP64(), m: c.GP64(), bytes: c.GP64(), sizes: sizes}
	c.Load(c.Param("m"), f.m)
	c.Load(c.Param("n"), f.n)
	c.MOVQ(f.n, f.bytes)
	c.SHLQ(operand.U8(2), f.bytes)
	for _, p := range mats {
		f.mats = append(f.mats, c.Load(c.Param(p).Base(), c.GP64()))
	}
	for _, p := range pers {
		f.pers = append(f.pers, c.Load(c.Param(p).Base(), c.GP64()))
	}
	return f
}

// each emits body once per row, with the row pointers advanced after it.
func (f *rowFrame) each(body func()) {
	c := f.c
	row, done := label("row"), label("rowsdone")
	c.TESTQ(f.m, f.m)
	c.JZ(operand.LabelRef(done))
	c.Label(row)
	body()
	for _, p := range f.mats {
		c.ADDQ(f.bytes, p)
	}
	for i, p := range f.pers {
		c.ADDQ(operand.U32(f.sizes[i]), p)
	}
	c.DECQ(f.m)
	c.JNZ(operand.LabelRef(row))
	c.Label(done)
	c.VZEROUPPER()
	c.RET()
}

// rowMax emits the maximum of the row at p into a register holding it in
// every lane. Which of several NaNs, or whether a NaN at all, it returns
// does not matter: a NaN in the row makes the row's sum NaN anyway, as an
// all −Inf row (−Inf − −Inf) and +Inf (Inf − Inf) do.
func rowMax(f *rowFrame, v vm, p reg.Register) reg.VecVirtual {
	c, s := f.c, f.s
	acc := v.reg(ki(0xff800000)) // −Inf
	span(c, s, f.n, []reg.Register{p}, func(io vecIO, at []operand.Mem) {
		switch io := io.(type) {
		case fullIO:
			c.VMAXPS(at[0], acc, acc)
		case opmaskIO:
			c.VMAXPS(io.load(at[0]), acc, io.k, acc) // lanes outside k keep acc
		case scalarIO:
			c.VMAXSS(at[0], acc.AsX(), acc.AsX())
		}
	}, func() { hreduce(c, s, acc, c.VMAXPS, false) })
	if !wide(s) {
		c.VBROADCASTSS(acc.AsX(), acc)
	}
	return acc
}

// maxRows is mx[i] = the maximum of row i.
func maxRows(tab *ctab) func(c *build.Context, s isa) {
	return func(c *build.Context, s isa) {
		declare(c, "MaxRows"+s.suffix, "func(x []float32, m, n int, mx []float32)",
			"MaxRows"+s.suffix+" sets mx[i] to the maximum of each of the m rows of n > 0",
			"entries of x: where the row holds a NaN, a NaN or not (its softmax is NaN",
			"either way, through x − mx). x must hold m·n entries and mx m",
			"(unchecked).", s.requires)
		f := newRows(c, s, []string{"x"}, []string{"mx"}, []int{4})
		v := newVM(c, s, tab, divide)
		f.each(func() {
			mx := rowMax(f, v, f.mats[0])
			c.VMOVSS(mx.AsX(), operand.Mem{Base: f.pers[0]})
		})
	}
}

// sumRows is sum[i] = Σ of row i in float64, the exponentials' sum.
func sumRows(c *build.Context, s isa) {
	declare(c, "SumRows"+s.suffix, "func(x []float32, m, n int, sum []float64)",
		"SumRows"+s.suffix+" sets sum[i] to the sum of each of the m rows of n entries of",
		"x, each converted to float64 and added in float64. x must hold m·n",
		"entries and sum m (unchecked).", s.requires)
	f := newRows(c, s, []string{"x"}, []string{"sum"}, []int{8})
	f.each(func() {
		lo, hi := zeroed(c, s), zeroed(c, s)
		span(c, s, f.n, f.mats, func(io vecIO, at []operand.Mem) {
			x := io.load(at[0]) // the lanes an opmask leaves out load as 0
			if _, ok := io.(scalarIO); ok {
				c.VCVTSS2SD(x.AsX(), x.AsX(), x.AsX())
				c.VADDSD(x.AsX(), lo.AsX(), lo.AsX())
				return
			}
			widen(c, s, x, lo, hi)
		}, sumPD(c, s, lo, hi))
		c.VMOVSD(lo.AsX(), operand.Mem{Base: f.pers[0]})
	})
}

// rowScalar is dst[i,j] = x[i,j] op k[i] for one per-row array k, or
// (x[i,j] op k[i]) op2 k2[i] for two: ScaleRows multiplies (Softmax's last
// step), ShiftRows subtracts (x − max), Shift2Rows subtracts twice
// (LogSoftmax's (x − max) − log Σ).
func rowScalar(name, what string, ops ...func(c *build.Context) func(...operand.Op)) func(c *build.Context, s isa) {
	ks, sizes := []string{"k"}, []int{4}
	if len(ops) == 2 {
		ks, sizes = []string{"k", "k2"}, []int{4, 4}
	}
	return func(c *build.Context, s isa) {
		sig := "func(dst, x []float32, m, n int, " + strings.Join(ks, ", ") + " []float32)"
		declare(c, name+s.suffix, sig,
			name+s.suffix+" sets dst[i,j] = "+what+" for each of the m rows of n",
			"entries of x, rounding after each operation. dst and x must hold m·n",
			"entries and "+strings.Join(ks, " and ")+" m (unchecked); dst must be x or not overlap it.", s.requires)
		f := newRows(c, s, []string{"dst", "x"}, ks, sizes)
		f.each(func() {
			k := make([]reg.VecVirtual, len(ops))
			for i := range k {
				k[i] = s.vec(c)
				c.VBROADCASTSS(operand.Mem{Base: f.pers[i]}, k[i])
			}
			span(c, s, f.n, f.mats, func(io vecIO, at []operand.Mem) {
				y := io.load(at[1])
				for i, op := range ops {
					op(c)(k[i], y, y)
				}
				io.store(y, at[0])
			}, nil)
		})
	}
}

// softmaxGradRows is dx = y ⊙ (dy − ⟨y, dy⟩) row by row, as
// fallback.SoftmaxGrad: the products summed in float64, where they are
// exact (so an FMA adds them as the fallback does), the sum rounded to
// float32 once per row.
func softmaxGradRows(c *build.Context, s isa) {
	declare(c, "SoftmaxGradRows"+s.suffix, "func(dx, y, dy []float32, m, n int)",
		"SoftmaxGradRows"+s.suffix+" sets dx = y ⊙ (dy − d) for each of the m rows of n",
		"entries, with d = ⟨y, dy⟩ of the row summed in float64 and rounded to",
		"float32, and dy − d and the product rounded: fallback.SoftmaxGrad's",
		"steps, but for the order of the sum. dx, y and dy must hold m·n",
		"entries (unchecked); dx may be y or dy, otherwise overlap neither.", s.requires)
	f := newRows(c, s, []string{"dx", "y", "dy"}, nil, nil)
	f.each(func() {
		lo, hi := zeroed(c, s), zeroed(c, s)
		span(c, s, f.n, f.mats[1:], func(io vecIO, at []operand.Mem) {
			y, dy := io.load(at[0]), io.load(at[1])
			if _, ok := io.(scalarIO); ok {
				c.VCVTSS2SD(y.AsX(), y.AsX(), y.AsX())
				c.VCVTSS2SD(dy.AsX(), dy.AsX(), dy.AsX())
				c.VFMADD231SD(y.AsX(), dy.AsX(), lo.AsX())
				return
			}
			dot2(c, s, y, dy, lo, hi)
		}, sumPD(c, s, lo, hi))
		d := s.vec(c)
		c.VCVTSD2SS(lo.AsX(), d.AsX(), d.AsX())
		c.VBROADCASTSS(d.AsX(), d)
		span(c, s, f.n, f.mats, func(io vecIO, at []operand.Mem) {
			g := io.load(at[2])
			c.VSUBPS(d, g, g)
			c.VMULPS(io.load(at[1]), g, g)
			io.store(g, at[0])
		}, nil)
	})
}

// dot2 adds the products of the lanes of a and b, converted to float64,
// into lo (the low half of the lanes) and hi.
func dot2(c *build.Context, s isa, a, b, lo, hi reg.VecVirtual) {
	c.VFMADD231PD(toPD(c, s, a, false), toPD(c, s, b, false), lo)
	c.VFMADD231PD(toPD(c, s, a, true), toPD(c, s, b, true), hi)
}

func softmaxFamily(c *build.Context) {
	tab := newCtab(c, "softmaxconst")
	scale := rowScalar("ScaleRows", "x[i,j]·k[i]", func(c *build.Context) func(...operand.Op) { return c.VMULPS })
	sub := func(c *build.Context) func(...operand.Op) { return c.VSUBPS }
	shift := rowScalar("ShiftRows", "x[i,j] − k[i]", sub)
	shift2 := rowScalar("Shift2Rows", "(x[i,j] − k[i]) − k2[i]", sub, sub)
	for _, g := range []func(*build.Context, isa){maxRows(tab), sumRows, scale, shift, shift2, softmaxGradRows} {
		for _, s := range isas {
			g(c, s)
		}
	}
}
