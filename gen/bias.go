package main

import (
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// add is y += x, one exactly rounded addition per element.
var add = kernel{
	name: "Add",
	doc: []string{
		"sets y[i] += x[i] for every i < len(x), exactly rounded; NaN",
		"and Inf propagate as in the addition (a NaN result is a quiet NaN of one",
		"of the operands). y must be as long as x (unchecked) and either be x or",
		"not overlap it.",
	},
	sig:    "func(y, x []float32)",
	slices: []string{"y", "x"},
	length: "x",
	setup: func(c *build.Context, s isa) body {
		return func(io vecIO, at []operand.Mem) {
			y, x := at[0], at[1]
			v := io.load(y)
			c.VADDPS(io.src(x), v, v)
			io.store(v, y)
		}
	},
}

// biasKernel is a kernel over the columns of an m×n row-major matrix with
// leading dimension ld and a vector of n, one per column: a block of
// columns at a time, held in registers (the bias, or the column sums),
// every row of the block in turn. Short rows then cost no call per row,
// and BiasGrad reads each element once and writes each sum once.
type biasKernel struct {
	name string
	doc  []string
	sig  string
	mat  string // the matrix parameter
	vec  string // the vector parameter, one element per column
	ld   string // the leading dimension parameter
	// block emits the code for one block of len(vec) vectors of columns:
	// vec[j] and mat[j] address vector j of the vector and of the block's
	// first row; rows emits the loop over the rows, calling row with the
	// addresses of vector j of each row in turn.
	block func(c *build.Context, s isa, io vecIO, vec []operand.Mem, rows func(row func(mat []operand.Mem)))
}

func (k biasKernel) generate(c *build.Context, s isa) {
	name := k.name + s.suffix
	doc := append([]string{name + " " + k.doc[0]}, k.doc[1:]...)
	declare(c, name, k.sig, append(doc, s.requires)...)

	m, n, ld := c.GP64(), c.GP64(), c.GP64()
	c.Load(c.Param("m"), m)
	c.Load(c.Param("n"), n)
	c.Load(c.Param(k.ld), ld)
	c.SHLQ(operand.U8(2), ld) // in bytes
	mat := c.Load(c.Param(k.mat).Base(), c.GP64())
	vec := c.Load(c.Param(k.vec).Base(), c.GP64())
	p, r := c.GP64(), c.GP64()

	// cols emits one block of vectors vectors of columns, labels
	// distinguishing its row loop.
	cols := func(io vecIO, vectors int, label string) {
		at := func(base reg.Register) []operand.Mem {
			ms := make([]operand.Mem, vectors)
			for j := range ms {
				ms[j] = operand.Mem{Base: base, Disp: 4 * s.lanes * j}
			}
			return ms
		}
		k.block(c, s, io, at(vec), func(row func([]operand.Mem)) {
			c.MOVQ(mat, p)
			c.MOVQ(m, r)
			c.TESTQ(r, r)
			c.JZ(operand.LabelRef(label + "end"))
			c.Label(label)
			row(at(p))
			c.ADDQ(ld, p)
			c.DECQ(r)
			c.JNZ(operand.LabelRef(label))
			c.Label(label + "end")
		})
	}
	advance := func(vectors int) {
		c.ADDQ(operand.U32(4*s.lanes*vectors), mat)
		c.ADDQ(operand.U32(4*s.lanes*vectors), vec)
		c.SUBQ(operand.U32(s.lanes*vectors), n)
	}
	full := fullIO{c, s}

	c.Label("blocks")
	c.CMPQ(n, operand.U32(unroll*s.lanes))
	c.JB(operand.LabelRef("single"))
	cols(full, unroll, "rows")
	advance(unroll)
	c.JMP(operand.LabelRef("blocks"))

	c.Label("single")
	c.CMPQ(n, operand.U32(s.lanes))
	c.JB(operand.LabelRef("tail"))
	cols(full, 1, "row")
	advance(1)
	c.JMP(operand.LabelRef("single"))

	c.Label("tail")
	c.TESTQ(n, n)
	c.JZ(operand.LabelRef("done"))
	s.tail(c, n, func(io vecIO) { cols(io, 1, "tailrow") }, func() {
		c.ADDQ(operand.U32(4), mat)
		c.ADDQ(operand.U32(4), vec)
		c.DECQ(n)
	})

	c.Label("done")
	c.VZEROUPPER()
	c.RET()
}

// biasAdd is C[i,j] += bias[j], the bias held in registers.
var biasAdd = biasKernel{
	name: "BiasAdd",
	doc: []string{
		"sets c[i*ldc+j] += bias[j] for every i < m and j < n,",
		"exactly rounded; NaN and Inf propagate as in the addition (a NaN result",
		"is a quiet NaN of one of the operands). Nothing outside the m×n window is",
		"read or written. The caller checks that ldc ≥ n, len(bias) ≥ n and",
		"len(c) ≥ (m−1)·ldc + n, and that bias does not overlap c.",
	},
	sig: "func(c []float32, ldc, m, n int, bias []float32)",
	mat: "c", vec: "bias", ld: "ldc",
	block: func(c *build.Context, s isa, io vecIO, vec []operand.Mem, rows func(func([]operand.Mem))) {
		bias := make([]reg.VecVirtual, len(vec))
		for j, at := range vec {
			bias[j] = io.load(at)
		}
		rows(func(mat []operand.Mem) {
			for j, at := range mat {
				v := io.load(at)
				c.VADDPS(bias[j], v, v)
				io.store(v, at)
			}
		})
	},
}

// biasGrad is db[j] = Σᵢ dY[i,j], the sums held in registers.
var biasGrad = biasKernel{
	name: "BiasGrad",
	doc: []string{
		"sets db[j] = Σᵢ dy[i*ldy+j] over i < m for every j < n,",
		"overwriting db (zeros when m = 0). Each column is summed in row order",
		"from +0, one exactly rounded addition per row, as fallback.BiasGrad",
		"sums it, so the results agree bit for bit but for NaN payloads. Nothing",
		"outside the m×n window is read. The caller checks that ldy ≥ n,",
		"len(db) ≥ n and len(dy) ≥ (m−1)·ldy + n, and that db does not overlap dy.",
	},
	sig: "func(db, dy []float32, ldy, m, n int)",
	mat: "dy", vec: "db", ld: "ldy",
	block: func(c *build.Context, s isa, io vecIO, vec []operand.Mem, rows func(func([]operand.Mem))) {
		sums := make([]reg.VecVirtual, len(vec))
		for j := range sums {
			sums[j] = s.vec(c)
			c.VXORPS(sums[j].AsX(), sums[j].AsX(), sums[j].AsX())
		}
		rows(func(mat []operand.Mem) {
			for j, at := range mat {
				c.VADDPS(io.src(at), sums[j], sums[j])
			}
		})
		for j, at := range vec {
			io.store(sums[j], at)
		}
	},
}

func biasFamily(c *build.Context) {
	generateAll(c, add)
	for _, k := range []biasKernel{biasAdd, biasGrad} {
		for _, s := range isas {
			k.generate(c, s)
		}
	}
}
