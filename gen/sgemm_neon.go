package main

import (
	. "github.com/simdnn/simdnn/gen/arm64"
)

// The NEON GEMM micro-kernel is 8×12: MR = 8 rows of op(A) by NR = 12
// columns of op(B), the shape of BLIS's and OpenBLAS's ARMv8 sgemm
// kernels. Its register plan:
//
//	V0–V23   the 8×12 tile, row i columns 4j..4j+3 in V(3i+j)
//	V24–V25  the 8 values of a packed column of op(A)
//	V26–V28  the 12 values of a packed row of op(B)
//	V29–V31  free in the loop; C's rows, the bias and slope after it
//
// Each k step loads 5 vectors (two VLD1s) and issues 24 FMLAs by element
// (acc(i,j) += b_j · a[i]), 4.8 FMLAs per load. 8×12 is the largest tile
// whose accumulators and operands fit the 32 registers (29 of them); the
// transposed 12×8 has the same counts, and 16×4 or 4×16 load 5 vectors
// for only 16 FMLAs. 24 independent accumulators also cover the 4-cycle
// FMLA latency of two pipes (8 needed) three times over, so the loop
// needs no unrolling for latency.
const (
	neonMR = 8
	neonNR = 12
)

// neonAcc is the accumulator of rows i and columns 4j..4j+3 of the tile.
func neonAcc(i, j int) V { return V(3*i + j) }

// neonEach calls op on every accumulator, row by row.
func neonEach(op func(acc V, j int)) {
	for i := range neonMR {
		for j := range neonNR / 4 {
			op(neonAcc(i, j), j)
		}
	}
}

func sgemmNEONFamily(file *File) {
	name := "SgemmKernelNEON"
	f := file.Func(name, append([]string{microKernelDoc(name, neonMR, neonNR)}, neonRequires),
		append(neonArgs("a", "b", "c"),
			Arg{Name: "kc", Kind: Int}, Arg{Name: "ldb", Kind: Int}, Arg{Name: "ldc", Kind: Int},
			Arg{Name: "flags", Kind: Uint}, Arg{Name: "bias", Kind: Slice}, Arg{Name: "slope", Kind: Float32})...)
	pa, pb, pc, k, ld, flags, pbias, p, ldb := R(0), R(1), R(2), R(3), R(4), R(5), R(6), R(7), R(8)
	f.Base("a", pa)
	f.Base("b", pb)
	f.Base("c", pc)
	f.Int("kc", k)
	f.Int("ldc", ld)
	f.LSL(2, ld, ld) // in bytes
	f.Int("ldb", ldb)
	f.LSL(2, ldb, ldb) // in bytes
	f.Int("flags", flags)
	neonEach(func(acc V, _ int) { neonZero(f, acc) })
	f.CBZ(k, "epilogue")

	a, b := []V{24, 25}, []V{26, 27, 28}
	f.Label("loop")
	f.VLD1P(pa, a[0].S4(), a[1].S4())
	f.VLD1PR(pb, ldb, b[0].S4(), b[1].S4(), b[2].S4())
	neonEach(func(acc V, j int) {
		i := int(acc) / 3
		f.FMLAElem(acc.S4(), b[j].S4(), a[i/4].S(i%4))
	})
	f.SUBS(1, k, k)
	f.BNE("loop")

	f.Label("epilogue")
	t := []V{29, 30, 31}
	f.TBZ(0, flags, "bias")
	f.MOVD(pc, p)
	for i := range neonMR {
		f.VLD1(p, t[0].S4(), t[1].S4(), t[2].S4())
		for j := range neonNR / 4 {
			f.FADD(neonAcc(i, j).S4(), neonAcc(i, j).S4(), t[j].S4())
		}
		f.ADDR(ld, p, p)
	}

	f.Label("bias")
	f.TBZ(1, flags, "relu")
	f.Base("bias", pbias)
	f.VLD1(pbias, t[0].S4(), t[1].S4(), t[2].S4())
	neonEach(func(acc V, j int) { f.FADD(acc.S4(), acc.S4(), t[j].S4()) })

	// The loop's operand registers are free from here on.
	mask, prod := V(24), V(25)
	f.Label("relu")
	f.TBZ(2, flags, "leaky")
	neonEach(func(acc V, _ int) {
		f.FCMLT0(mask.S4(), acc.S4())
		f.BIC(acc.B16(), acc.B16(), mask.B16())
	})

	f.Label("leaky")
	f.TBZ(3, flags, "store")
	slope := t[0]
	neonBroadcast(f, "slope", slope)
	neonEach(func(acc V, _ int) {
		f.FMUL(prod.S4(), acc.S4(), slope.S4())
		f.FCMLT0(mask.S4(), acc.S4())
		f.VBIT(mask.B16(), prod.B16(), acc.B16())
	})

	f.Label("store")
	for i := range neonMR {
		f.VST1(pc, neonAcc(i, 0).S4(), neonAcc(i, 1).S4(), neonAcc(i, 2).S4())
		if i < neonMR-1 {
			f.ADDR(ld, pc, pc)
		}
	}
	f.RET()
}
