package main

import (
	. "github.com/simdnn/simdnn/gen/arm64"
)

// The NEON row kernels behind Softmax and LogSoftmax: each walks m rows of
// n contiguous entries in one call. The exponentials are ExpNEON's, run by
// the Go caller over a whole block of rows between these calls, and the
// float64 sums and the one division or logarithm per row are Go's, in the
// fallback's order, so the results are fallback.Softmax's and
// fallback.LogSoftmax's bit for bit (the maximum aside where a row holds
// both zeros, which no result can tell apart).

// maxRowsNEONGen is mx[i] = the maximum of row i, n > 0: four running
// maxima over groups of 16 entries, then single vectors, then single
// entries in lane 0 of a register whose other lanes are −Inf, so that no
// stale lane takes part.
func maxRowsNEONGen(file *File) {
	name := "MaxRowsNEON"
	f := file.Func(name, neonDoc(name,
		"sets mx[i] to the maximum of each of the m rows of n > 0",
		"entries of x: NaN where the row holds a NaN. x must hold m·n entries",
		"and mx m (unchecked)."),
		Arg{Name: "x", Kind: Slice}, Arg{Name: "m", Kind: Int}, Arg{Name: "n", Kind: Int}, Arg{Name: "mx", Kind: Slice})
	x, m, n, mx, count := R(0), R(1), R(2), R(3), R(4)
	f.Base("x", x)
	f.Int("m", m)
	f.Int("n", n)
	f.Base("mx", mx)
	negInf := V(31)
	f.MOVDConst(0xff800000, R(9))
	f.VDUPR(R(9), negInf.S4())
	acc := []V{16, 17, 18, 19}
	f.CBZ(m, "done")
	f.Label("row")
	for _, a := range acc {
		f.VORR(negInf.B16(), negInf.B16(), a.B16())
	}
	f.MOVD(n, count)
	f.Label("group")
	f.CMP(16, count)
	f.BLT("single")
	f.VLD1P(x, V(0).S4(), V(1).S4(), V(2).S4(), V(3).S4())
	for j, a := range acc {
		f.FMAX(a.S4(), a.S4(), V(j).S4())
	}
	f.SUB(16, count, count)
	f.B("group")
	f.Label("single")
	f.CMP(4, count)
	f.BLT("lanes")
	f.VLD1P(x, V(0).S4())
	f.FMAX(acc[0].S4(), acc[0].S4(), V(0).S4())
	f.SUB(4, count, count)
	f.B("single")
	f.Label("lanes")
	f.VORR(negInf.B16(), negInf.B16(), V(0).B16())
	f.Label("tail")
	f.CBZ(count, "reduce")
	f.VLD1Lane(x, V(0).S(0))
	f.FMAX(acc[0].S4(), acc[0].S4(), V(0).S4())
	f.SUB(1, count, count)
	f.B("tail")
	f.Label("reduce")
	f.FMAX(acc[0].S4(), acc[0].S4(), acc[1].S4())
	f.FMAX(acc[2].S4(), acc[2].S4(), acc[3].S4())
	f.FMAX(acc[0].S4(), acc[0].S4(), acc[2].S4())
	f.FMAXP(acc[0].S4(), acc[0].S4(), acc[0].S4())
	f.FMAXP(acc[0].S4(), acc[0].S4(), acc[0].S4())
	f.VST1Lane(acc[0].S(0), mx)
	f.SUBS(1, m, m)
	f.BNE("row")
	f.Label("done")
	f.RET()
}

// rowScalarNEON is dst[i,j] = x[i,j] op k[i], or (x[i,j] op k[i]) op k2[i]
// with a second per-row array, each operation rounded: body applies them
// to a vector, given the registers holding k[i] and k2[i].
func rowScalarNEON(file *File, name, what string, two bool, body func(f *Func, x, k, k2 V)) {
	ks := []string{"k"}
	if two {
		ks = append(ks, "k2")
	}
	list := "k"
	if two {
		list = "k and k2"
	}
	args := append(neonArgs("dst", "x"), Arg{Name: "m", Kind: Int}, Arg{Name: "n", Kind: Int})
	args = append(args, neonArgs(ks...)...)
	f := file.Func(name, neonDoc(name,
		"sets dst[i,j] = "+what+" for each of the m rows of n",
		"entries of x, rounding after each operation. dst and x must hold m·n",
		"entries and "+list+" m (unchecked); dst must be x or not overlap it."),
		args...)
	dst, x, m, n, count := R(0), R(1), R(2), R(3), R(4)
	kp := []R{5, 6}
	f.Base("dst", dst)
	f.Base("x", x)
	f.Int("m", m)
	f.Int("n", n)
	for i, s := range ks {
		f.Base(s, kp[i])
	}
	// The rows are contiguous: the loop leaves x and dst at the next row.
	k := []V{V(neonConst), V(neonConst + 1)}
	f.CBZ(m, "rowsend")
	f.Label("rows")
	for i := range ks {
		f.VLD1R(kp[i], k[i].S4())
		f.ADD(4, kp[i], kp[i])
	}
	f.MOVD(n, count)
	neonLoop(f, "", count, []R{x}, []R{dst}, func(f *Func, in, _ []V) []V {
		body(f, in[0], k[0], k[1])
		return in[:1]
	})
	f.SUBS(1, m, m)
	f.BNE("rows")
	f.Label("rowsend")
	f.RET()
}

func softmaxNEONFamily(file *File) {
	maxRowsNEONGen(file)
	rowScalarNEON(file, "ShiftRowsNEON", "x[i,j] − k[i]", false, func(f *Func, x, k, _ V) {
		f.FSUB(x.S4(), x.S4(), k.S4())
	})
	rowScalarNEON(file, "Shift2RowsNEON", "(x[i,j] − k[i]) − k2[i]", true, func(f *Func, x, k, k2 V) {
		f.FSUB(x.S4(), x.S4(), k.S4())
		f.FSUB(x.S4(), x.S4(), k2.S4())
	})
	rowScalarNEON(file, "ScaleRowsNEON", "x[i,j]·k[i]", false, func(f *Func, x, k, _ V) {
		f.FMUL(x.S4(), x.S4(), k.S4())
	})
	softmaxGradNEONGen(file)
}

func softmaxGradNEONGen(file *File) {
	name := "SoftmaxGradNEON"
	f := file.Func(name, neonDoc(name,
		"sets dx = y ⊙ (dy − d) for each of the m rows of n",
		"entries, with d = ⟨y, dy⟩ of the row: the products formed exactly in",
		"float64, summed in eight interleaved partial sums and rounded to float32",
		"once; then dy − d and the product rounded: fallback.SoftmaxGrad's steps",
		"but for the order of the sum. dx, y and dy must hold m·n entries",
		"(unchecked); dx may be y or dy, otherwise overlap neither (each row is",
		"read whole before it is written)."),
		append(neonArgs("dx", "y", "dy"), Arg{Name: "m", Kind: Int}, Arg{Name: "n", Kind: Int})...)
	m, n, dx, y, dy := R(0), R(1), R(2), R(3), R(4)
	f.Int("m", m)
	f.Int("n", n)
	f.Base("dx", dx)
	f.Base("y", y)
	f.Base("dy", dy)
	count, py, pdy := R(5), R(6), R(7)
	f.CBZ(m, "end")
	f.Label("row")
	neonZeroAcc(f)
	f.MOVD(n, count)
	f.MOVD(y, py)
	f.MOVD(dy, pdy)
	dot := func(f *Func, in, tmp []V) []V {
		neonDot2(f, in, in[0], in[1], tmp[0], tmp[1], false)
		return nil
	}
	neonLoopTail(f, "dot", count, []R{py, pdy}, nil, dot, neonClearStale(dot))
	neonSumAcc(f)
	d := neonScalar
	f.FCVTDS(V(neonConst).F(), d.F())
	f.VDUP(d.S(0), d.S4())
	f.Comment("The second pass advances dx, y and dy to the next row.")
	f.MOVD(n, count)
	neonLoop(f, "grad", count, []R{y, dy}, []R{dx}, func(f *Func, in, _ []V) []V {
		yv, g := in[0], in[1]
		f.FSUB(g.S4(), g.S4(), d.S4())
		f.FMUL(g.S4(), yv.S4(), g.S4())
		return []V{g}
	})
	f.SUBS(1, m, m)
	f.BNE("row")
	f.Label("end")
	f.RET()
}
