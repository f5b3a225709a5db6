package main

import (
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// The row-wise kernels behind Softmax, LogSoftmax, SoftmaxCrossEntropy and
// SoftmaxGrad. Each walks m rows of n contiguous entries in one call; what
// needs a logarithm or a per-row scalar division is left to the Go caller,
// between calls on blocks of rows, which keeps the assembly to loops of
// multiplies and the vector exp. They follow fallback/softmax.go: x − max
// rounded to float32, its exp as fallback.Exp gives it bit for bit, sums
// of the exponentials and of products in float64 (in another order, so
// not bit for bit).

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

// expSumRows is, for every row, mx = the row maximum and sum = Σ e^(x−mx)
// in float64; with store, e = e^(x−mx) too.
func expSumRows(tab *ctab, store bool) func(c *build.Context, s isa) {
	name, sig, mats := "MaxSumRows", "func(x []float32, m, n int, mx []float32, sum []float64)", []string{"x"}
	doc := []string{
		"sets, for each of the m rows of n entries of x, mx[i] to",
		"the row's maximum (a NaN, or not, where the row holds one: its sum is",
		"NaN either way) and sum[i] to Σⱼ e^(x[i,j]−mx[i]), the exponentials as",
		"fallback.Exp gives them, summed in float64. x must hold m·n entries",
		"and mx and sum m (unchecked).",
	}
	if store {
		name, sig, mats = "ExpSumRows", "func(e, x []float32, m, n int, mx []float32, sum []float64)", []string{"e", "x"}
		doc = append(doc[:len(doc)-1], "and mx and sum m (unchecked). It also sets e[i,j] = e^(x[i,j]−mx[i]);",
			"e must hold m·n entries and either be x or not overlap it.")
	}
	return func(c *build.Context, s isa) {
		declare(c, name+s.suffix, sig, append(append([]string{name + s.suffix + " " + doc[0]}, doc[1:]...), s.requires)...)
		f := newRows(c, s, mats, []string{"mx", "sum"}, []int{4, 8})
		v := vm{c, s, tab}
		one := broadcastOne(c, s)
		e := newExp(v, one)
		x := f.mats[len(f.mats)-1]
		f.each(func() {
			mx := rowMax(f, v, x)
			c.VMOVSS(mx.AsX(), operand.Mem{Base: f.pers[0]})
			lo, hi := zeroed(c, s), zeroed(c, s)
			span(c, s, f.n, f.mats, func(io vecIO, at []operand.Mem) {
				ex, _ := e.emit(v.sub(io.load(at[len(at)-1]), mx), false)
				switch io := io.(type) {
				case scalarIO:
					t := s.vec(c)
					c.VCVTSS2SD(ex.AsX(), t.AsX(), t.AsX())
					c.VADDSD(t.AsX(), lo.AsX(), lo.AsX())
				case opmaskIO:
					c.VMOVUPS_Z(ex, io.k, ex) // the lanes past the row count 0
					widen(c, s, ex, lo, hi)
				default:
					widen(c, s, ex, lo, hi)
				}
				if store {
					io.store(ex, at[0])
				}
			}, sumPD(c, s, lo, hi))
			c.VMOVSD(lo.AsX(), operand.Mem{Base: f.pers[1]})
		})
	}
}

// scaleRows is x[i,j] *= scale[i], as Softmax's last step.
func scaleRows(c *build.Context, s isa) {
	declare(c, "ScaleRows"+s.suffix, "func(x []float32, m, n int, scale []float32)",
		"ScaleRows"+s.suffix+" sets x[i,j] *= scale[i] for each of the m rows of n entries",
		"of x, rounding once. x must hold m·n entries and scale m (unchecked).", s.requires)
	f := newRows(c, s, []string{"x"}, []string{"scale"}, []int{4})
	f.each(func() {
		k := s.vec(c)
		c.VBROADCASTSS(operand.Mem{Base: f.pers[0]}, k)
		span(c, s, f.n, f.mats, func(io vecIO, at []operand.Mem) {
			y := io.load(at[0])
			c.VMULPS(k, y, y)
			io.store(y, at[0])
		}, nil)
	})
}

// shiftRows is dst = (x − mx) − lse, LogSoftmax's last step.
func shiftRows(c *build.Context, s isa) {
	declare(c, "ShiftRows"+s.suffix, "func(dst, x []float32, m, n int, mx, lse []float32)",
		"ShiftRows"+s.suffix+" sets dst[i,j] = (x[i,j] − mx[i]) − lse[i] for each of the",
		"m rows of n entries of x, rounding after each subtraction. dst and x",
		"must hold m·n entries and mx and lse m (unchecked); dst must be x or",
		"not overlap it.", s.requires)
	f := newRows(c, s, []string{"dst", "x"}, []string{"mx", "lse"}, []int{4, 4})
	f.each(func() {
		mx, lse := s.vec(c), s.vec(c)
		c.VBROADCASTSS(operand.Mem{Base: f.pers[0]}, mx)
		c.VBROADCASTSS(operand.Mem{Base: f.pers[1]}, lse)
		span(c, s, f.n, f.mats, func(io vecIO, at []operand.Mem) {
			y := io.load(at[1])
			c.VSUBPS(mx, y, y)
			c.VSUBPS(lse, y, y)
			io.store(y, at[0])
		}, nil)
	})
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
	for _, g := range []func(*build.Context, isa){expSumRows(tab, true), expSumRows(tab, false), scaleRows, shiftRows, softmaxGradRows} {
		for _, s := range isas {
			g(c, s)
		}
	}
}
