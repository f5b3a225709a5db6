package main

import (
	. "github.com/simdnn/simdnn/gen/arm64"
)

// The bias kernels walk the m×n matrix a row at a time, each row through
// the elementwise loop with the n-vector beside it: no call per row, and
// the row loop's tail handles any n without reading past it.

// neonRows emits the loop over the m rows of the matrix whose first row
// is at mat, ld bytes apart; row emits the code for one row, given the
// pointer to it (a copy it may advance).
func neonRows(f *Func, label string, m, mat, ld R, row func(p R)) {
	f.CBZ(m, label+"end")
	f.Label(label)
	p := R(10)
	f.MOVD(mat, p)
	row(p)
	f.ADDR(ld, mat, mat)
	f.SUBS(1, m, m)
	f.BNE(label)
	f.Label(label + "end")
}

// neonMatrixArgs loads the arguments of a bias kernel into R0–R4: the
// matrix's base, its leading dimension in bytes, m, n and the vector's
// base.
func neonMatrixArgs(f *Func, matName, ldName, vecName string) (mat, ld, m, n, vec R) {
	mat, ld, m, n, vec = R(0), R(1), R(2), R(3), R(4)
	f.Base(matName, mat)
	f.Int(ldName, ld)
	f.LSL(2, ld, ld)
	f.Int("m", m)
	f.Int("n", n)
	f.Base(vecName, vec)
	return mat, ld, m, n, vec
}

func biasAddNEONGen(file *File) {
	name := "BiasAddNEON"
	f := file.Func(name, neonDoc(name,
		"sets c[i*ldc+j] += bias[j] for every i < m and j < n,",
		"exactly rounded; NaN and Inf propagate as in the addition. Nothing",
		"outside the m×n window is read or written. The caller checks that",
		"ldc ≥ n, len(bias) ≥ n and len(c) ≥ (m−1)·ldc + n (when m > 0), and",
		"that bias does not overlap c."),
		Arg{Name: "c", Kind: Slice}, Arg{Name: "ldc", Kind: Int}, Arg{Name: "m", Kind: Int},
		Arg{Name: "n", Kind: Int}, Arg{Name: "bias", Kind: Slice})
	mat, ld, m, n, bias := neonMatrixArgs(f, "c", "ldc", "bias")
	neonRows(f, "rows", m, mat, ld, func(load R) {
		store, b, count := R(11), R(12), R(13)
		f.MOVD(load, store)
		f.MOVD(bias, b)
		f.MOVD(n, count)
		neonLoop(f, "", count, []R{load, b}, []R{store}, func(f *Func, in, _ []V) []V {
			f.FADD(in[0].S4(), in[0].S4(), in[1].S4())
			return in[:1]
		})
	})
	f.RET()
}

func biasGradNEONGen(file *File) {
	name := "BiasGradNEON"
	f := file.Func(name, neonDoc(name,
		"sets db[j] = Σᵢ dy[i*ldy+j] over i < m for every j < n,",
		"overwriting db. Each column is summed in row order from +0, one exactly",
		"rounded addition per row, as fallback.BiasGrad sums it, so the results",
		"agree bit for bit but for NaN payloads. Nothing outside the m×n window",
		"is read. m ≥ 1 (the caller clears db for m = 0); the caller checks that",
		"ldy ≥ n, len(db) ≥ n and len(dy) ≥ (m−1)·ldy + n, and that db does not",
		"overlap dy."),
		Arg{Name: "db", Kind: Slice}, Arg{Name: "dy", Kind: Slice}, Arg{Name: "ldy", Kind: Int},
		Arg{Name: "m", Kind: Int}, Arg{Name: "n", Kind: Int})
	mat, ld, m, n, db := neonMatrixArgs(f, "dy", "ldy", "db")
	zero := V(neonConst)
	neonZero(f, zero)
	store, count, sum := R(11), R(12), R(13)
	f.Comment("The first row: db = +0 + dy, so that −0 sums to +0 as in the fallback.")
	f.MOVD(db, store)
	f.MOVD(n, count)
	p := R(10)
	f.MOVD(mat, p)
	neonLoop(f, "first", count, []R{p}, []R{store}, func(f *Func, in, _ []V) []V {
		f.FADD(in[0].S4(), zero.S4(), in[0].S4())
		return in[:1]
	})
	f.ADDR(ld, mat, mat)
	f.SUB(1, m, m)
	neonRows(f, "rows", m, mat, ld, func(p R) {
		f.MOVD(db, store)
		f.MOVD(db, sum)
		f.MOVD(n, count)
		neonLoop(f, "", count, []R{sum, p}, []R{store}, func(f *Func, in, _ []V) []V {
			f.FADD(in[0].S4(), in[0].S4(), in[1].S4())
			return in[:1]
		})
	})
	f.RET()
}

func biasNEONFamily(file *File) {
	biasAddNEONGen(file)
	biasGradNEONGen(file)
}
