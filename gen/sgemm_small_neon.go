package main

import (
	"fmt"

	. "github.com/simdnn/simdnn/gen/arm64"
)

// The NEON small-m kernels have the contracts of the AVX2 ones
// (gen/sgemm_small.go), so that package kernels' driver runs them the
// same way: they read A's rows and the weights where they lie, keep the
// tile's sums in registers over the whole of k, and write whole tiles of
// C (NEON has no masked load or store; the driver runs C's last partial
// vector or group of columns as a whole one that ends at column n, into
// a staging tile).
//
//   - op(B) = B, SgemmSmallN<MR>x<NR>NEON: the accumulators of row i and
//     columns 4j..4j+3 are V(i·NR/4+j), from V0 up. Each iteration of the
//     loop loads four values of k of each row of A into one register
//     (MR registers), then, for each of the four k steps, B's row p in
//     groups of up to four vectors (one LD1) and one FMLA by element per
//     accumulator: acc(i,j) += b_j · a_i[s]. k's last k mod 4 steps take
//     one value of each row of A into lane 0 (LD1 to one lane, so that
//     nothing past the row is read). The widest tile of MR rows is the
//     one whose accumulators, MR registers of A and at least two (a group
//     of B) fit the 32 registers: 1×64, 2×32, 3×32, 4×16, 5×16, 6×16,
//     7×12, 8×8; then halves down to one vector for C's right edge.
//   - op(B) = Bᵀ, SgemmSmallT<MR>x<NR>NEON: k runs along the four lanes,
//     where A's rows and W's rows both lie contiguous: the accumulator of
//     row i and column j is V(i·NR+j), four partial sums, lane l taking
//     p ≡ l mod 4 for p < k − k mod 4 in order; the last k mod 4 values
//     go first, into lane 0 (one lane loaded, the other lanes of both
//     operands zero, so that they add +0·+0 to +0). Then each group of
//     four columns of a row folds into one vector with three FADDPs:
//     (l0+l1)+(l2+l3) for each column. MR = 1 takes 16 rows of W (1×16),
//     2 and 3 rows 8 (2×8, 3×8), and every MR up to 4 has an MR×4 kernel
//     for the products of more rows and for the last columns.
//
// Every element of C goes through the same operations whatever tile it
// falls in, as on amd64, so package kernels may split C as it likes.
// alpha multiplies the sums (exact for alpha = 1), then comes the
// epilogue of the other GEMM kernels (asm/doc.go).

// neonSmallNWidest is the widest N kernel of mr rows, in vectors.
var neonSmallNWidest = [...]int{16, 8, 8, 4, 4, 4, 3, 2}

// neonSmallTWide are the NR of the wide T kernels of MR = 1, 2, ….
var neonSmallTWide = []int{16, 8, 8}

// neonSmallTRows is the most rows of the MR×4 T kernels.
const neonSmallTRows = 4

func sgemmSmallNEONFamily(file *File) {
	for mr := 1; mr <= len(neonSmallNWidest); mr++ {
		widest := neonSmallNWidest[mr-1]
		ws := []int{widest}
		for w := 1; w < widest; w *= 2 {
			ws = append(ws, w)
		}
		for _, nv := range ws {
			neonSmallN(file, mr, nv)
		}
	}
	for mr, nr := range neonSmallTWide {
		neonSmallT(file, mr+1, nr)
	}
	for mr := 1; mr <= neonSmallTRows; mr++ {
		neonSmallT(file, mr, 4)
	}
}

// The general registers of the small kernels: k, then the row pointers
// from R1 (at most 17, up to R17), and the epilogue's from R19.
const (
	smK                                          = R(0)
	smPC, smLD, smFlags, smRow, smP, smBias, smX = R(19), R(20), R(21), R(22), R(23), R(24), R(25)
)

// neonSmallArgs are the arguments of the N kernels (b, ldb, cols) or
// of the T kernels (bt, ldbt, lanes), as on amd64.
func neonSmallArgs(b, ld, cols string, colsKind Kind) []Arg {
	return []Arg{{Name: "a", Kind: Slice}, {Name: "lda", Kind: Int}, {Name: b, Kind: Slice}, {Name: ld, Kind: Int},
		{Name: "c", Kind: Slice}, {Name: "k", Kind: Int}, {Name: "ldc", Kind: Int}, {Name: cols, Kind: colsKind},
		{Name: "alpha", Kind: Float32}, {Name: "flags", Kind: Uint}, {Name: "bias", Kind: Slice}, {Name: "slope", Kind: Float32}}
}

// neonRowPointers loads the base of slice name into first and the
// starts of the following rows, ld values apart, into the next n−1
// registers; tmp is scratch.
func neonRowPointers(f *Func, name, ld string, first R, n int, tmp R) []R {
	rs := make([]R, n)
	for i := range rs {
		rs[i] = first + R(i)
	}
	f.Base(name, rs[0])
	if n > 1 {
		f.Int(ld, tmp)
		f.LSL(2, tmp, tmp)
		for i := 1; i < n; i++ {
			f.ADDR(tmp, rs[i-1], rs[i])
		}
	}
	return rs
}

// neonSmallN emits SgemmSmallN<mr>x<4·nv>NEON.
func neonSmallN(file *File, mr, nv int) {
	nr := 4 * nv
	name := fmt.Sprintf("SgemmSmallN%dx%dNEON", mr, nr)
	f := file.Func(name, neonDoc(name,
		fmt.Sprintf("computes one MR×NR tile of C, MR = %d, NR = %d, from MR", mr, nr),
		"rows of A and k rows of B as they lie: acc[i][j] = Σ_{p<k} a[i·lda+p]·",
		"b[p·ldb+j], accumulated from 0 in the order p = 0, 1, …, k−1 with one",
		"rounding per step (FMLA); acc ·= alpha; then the epilogue of the GEMM",
		"kernels (asm/doc.go: flags 1 add, 2 bias, 4 ReLU, 8 leaky ReLU) and",
		"the store. cols is not used: all NR columns are read and written, as",
		"by the AVX2 kernels. k ≥ 1, lda ≥ k, len(a) ≥ (MR−1)·lda + k, ldb ≥",
		"NR, len(b) ≥ (k−1)·ldb + NR, ldc ≥ NR, len(c) ≥ (MR−1)·ldc + NR,",
		"len(bias) ≥ NR with flag 2; none of this is checked. Nothing outside",
		"the first k values of the MR rows of a, the k×NR window of b, the",
		"first NR values of bias (with flag 2 only) and the MR×NR window of c",
		"is read or written.",
	), neonSmallArgs("b", "ldb", "cols", Int)...)

	acc := func(i, j int) V { return V(i*nv + j) }
	a0 := V(mr * nv)
	av := func(i int) V { return a0 + V(i) }
	// B's vectors in groups of gs consecutive registers, the free ones
	// taken in turn so that a group's loads run ahead of the FMLAs of
	// the group before.
	free := 32 - int(a0) - mr
	gs := min(4, nv, free)
	sets := free / gs
	if gs < 1 || mr*nv+mr+gs > 32 {
		panic(name + ": the tile does not fit the registers")
	}
	var groups [][2]int // first vector, count
	for j := 0; j < nv; j += gs {
		groups = append(groups, [2]int{j, min(gs, nv-j)})
	}

	pa := neonRowPointers(f, "a", "lda", R(1), mr, smX)
	pb, ldb, ldbLast := R(9), R(10), R(11)
	f.Base("b", pb)
	f.Int("ldb", ldb)
	f.LSL(2, ldb, ldb)
	// The last group of a row advances pb to the next row.
	last := groups[len(groups)-1]
	if last[0] > 0 {
		f.SUB(Imm(16*last[0]), ldb, ldbLast)
	} else {
		f.MOVD(ldb, ldbLast)
	}
	f.Int("k", smK)
	for i := range mr {
		for j := range nv {
			neonZero(f, acc(i, j))
		}
	}

	set := 0
	// row emits one k step: B's row from pb, times lane s of the A
	// registers.
	row := func(s int) {
		for _, g := range groups {
			first := a0 + V(mr) + V(set*gs)
			set = (set + 1) % sets
			regs := make([]VA, g[1])
			for x := range regs {
				regs[x] = (first + V(x)).S4()
			}
			if g == last {
				f.VLD1PR(pb, ldbLast, regs...)
			} else {
				f.VLD1P(pb, regs...)
			}
			for x := range g[1] {
				for i := range mr {
					f.FMLAElem(acc(i, g[0]+x).S4(), regs[x], av(i).S(s))
				}
			}
		}
	}

	f.CMP(4, smK)
	f.BLT("single")
	f.Label("four")
	for i, p := range pa {
		f.VLD1P(p, av(i).S4())
	}
	for s := range 4 {
		row(s)
	}
	f.SUB(4, smK, smK)
	f.CMP(4, smK)
	f.BGE("four")
	f.Label("single")
	f.CBZ(smK, "sums")
	for i, p := range pa {
		f.VLD1Lane(p, av(i).S(0))
	}
	row(0)
	f.SUB(1, smK, smK)
	f.B("single")
	f.Label("sums")
	neonSmallEpilogue(f, mr, nv)
}

// neonSmallT emits SgemmSmallT<mr>x<nr>NEON.
func neonSmallT(file *File, mr, nr int) {
	name := fmt.Sprintf("SgemmSmallT%dx%dNEON", mr, nr)
	f := file.Func(name, neonDoc(name,
		fmt.Sprintf("computes one MR×NR tile of C, MR = %d, NR = %d, from MR", mr, nr),
		"rows of A and NR rows of Bᵀ as they lie: acc[i][j] = Σ_{p<k} a[i·lda+p]·",
		"bt[j·ldbt+p], as 4 partial sums (lane l takes p ≡ l mod 4 for p < k −",
		"k mod 4, in order, one FMLA each, lane 0 first the last k mod 4 values,",
		"in order) added up as (l0+l1)+(l2+l3); acc ·= alpha; then the epilogue",
		"of the GEMM kernels (asm/doc.go: flags 1 add, 2 bias, 4 ReLU, 8 leaky",
		"ReLU) and the store of all NR columns (lanes is not used, as by the",
		"AVX2 kernels). k ≥ 1, lda ≥ k, ldbt ≥ k, len(a) ≥ (MR−1)·lda + k,",
		"len(bt) ≥ (NR−1)·ldbt + k, ldc ≥ NR, len(c) ≥ (MR−1)·ldc + NR,",
		"len(bias) ≥ NR with flag 2; none of this is checked. Nothing outside",
		"the first k values of the MR rows of a and the NR rows of bt, the",
		"first NR values of bias (with flag 2 only) and the MR×NR window of c",
		"is read or written.",
	), neonSmallArgs("bt", "ldbt", "lanes", Uint)...)

	acc := func(i, j int) V { return V(i*nr + j) }
	a0 := V(mr * nr)
	av := func(i int) V { return a0 + V(i) }
	b0 := a0 + V(mr)
	nb := 32 - int(b0) // B's registers, taken in turn
	if nb < 1 || mr+nr > 17 {
		panic(name + ": the tile does not fit the registers")
	}
	pa := neonRowPointers(f, "a", "lda", R(1), mr, smX)
	pb := neonRowPointers(f, "bt", "ldbt", R(1+mr), nr, smX)
	ptrs := append(append([]R(nil), pa...), pb...)
	f.Int("k", smK)
	for i := range mr {
		for j := range nr {
			neonZero(f, acc(i, j))
		}
	}
	bi := 0
	nextB := func() V {
		v := b0 + V(bi)
		bi = (bi + 1) % nb
		return v
	}
	// step emits the FMLAs of one vector of k (or of lane 0) from the
	// registers the loads leave.
	step := func(load func(p R, v V)) {
		for i, p := range pa {
			load(p, av(i))
		}
		for j, p := range pb {
			b := nextB()
			load(p, b)
			for i := range mr {
				f.VFMLA(av(i).S4(), b.S4(), acc(i, j).S4())
			}
		}
	}

	// The last k mod 4 values, into lane 0, while every accumulator is
	// zero: the pointers go to them and come back after.
	rest, off := R(19), R(20)
	f.AND(3, smK, rest)
	f.CBZ(rest, "vectors")
	f.SUBR(rest, smK, off)
	f.LSL(2, off, off)
	for _, p := range ptrs {
		f.ADDR(off, p, p)
	}
	// The registers the one-lane step loads: their lanes 1–3 stay zero,
	// so that those lanes add 0·0 = +0 to +0.
	for i := range mr {
		neonZero(f, av(i))
	}
	for j := range nr {
		neonZero(f, b0+V((bi+j)%nb))
	}
	f.Label("scalar")
	step(func(p R, v V) { f.VLD1Lane(p, v.S(0)) })
	f.SUB(1, rest, rest)
	f.CBNZ(rest, "scalar")
	f.LSL(2, smK, off)
	for _, p := range ptrs {
		f.SUBR(off, p, p)
	}
	f.Label("vectors")
	f.LSR(2, smK, smK)
	f.CBZ(smK, "reduce")
	f.Label("loop")
	step(func(p R, v V) { f.VLD1P(p, v.S4()) })
	f.SUB(1, smK, smK)
	f.CBNZ(smK, "loop")

	// Each group of four columns of row i into V(i·NR/4 + g), in the
	// order of the accumulators, so that each is written after the
	// accumulator it replaces was read.
	f.Label("reduce")
	nv := nr / 4
	t0, t1 := a0, a0+1
	for i := range mr {
		for g := range nv {
			f.FADDP(t0.S4(), acc(i, 4*g).S4(), acc(i, 4*g+1).S4())
			f.FADDP(t1.S4(), acc(i, 4*g+2).S4(), acc(i, 4*g+3).S4())
			f.FADDP(V(i*nv+g).S4(), t0.S4(), t1.S4())
		}
	}
	neonSmallEpilogue(f, mr, nv)
}

// neonSmallEpilogue emits everything after the sums of a small kernel,
// whose row i, columns 4j..4j+3 are in V(i·nv+j): times alpha, the
// epilogue that flags selects, the store, and the return. The registers
// from V(mr·nv) on are scratch; at least four are free.
func neonSmallEpilogue(f *Func, mr, nv int) {
	acc := func(i, j int) V { return V(i*nv + j) }
	t := V(mr * nv)
	if t+4 > 32 {
		panic(f.Name + ": no room for the epilogue")
	}
	// each runs op on every accumulator.
	each := func(op func(v V)) {
		for i := range mr {
			for j := range nv {
				op(acc(i, j))
			}
		}
	}
	// groups runs op on each group of up to four vectors of a row.
	groups := func(op func(j0, n int)) {
		for j := 0; j < nv; j += 4 {
			op(j, min(4, nv-j))
		}
	}
	temps := func(n int) []VA {
		vs := make([]VA, n)
		for x := range vs {
			vs[x] = (t + V(x)).S4()
		}
		return vs
	}

	f.Float("alpha", t)
	each(func(v V) { f.FMULElem(v.S4(), v.S4(), t.S(0)) })
	f.Base("c", smPC)
	f.Int("ldc", smLD)
	f.LSL(2, smLD, smLD)
	f.Int("flags", smFlags)

	f.TBZ(0, smFlags, "bias")
	f.MOVD(smPC, smRow)
	for i := range mr {
		f.MOVD(smRow, smP)
		groups(func(j0, n int) {
			ts := temps(n)
			f.VLD1P(smP, ts...)
			for x := range n {
				f.FADD(acc(i, j0+x).S4(), acc(i, j0+x).S4(), ts[x])
			}
		})
		if i < mr-1 {
			f.ADDR(smLD, smRow, smRow)
		}
	}

	f.Label("bias")
	f.TBZ(1, smFlags, "relu")
	f.Base("bias", smBias)
	groups(func(j0, n int) {
		ts := temps(n)
		f.VLD1P(smBias, ts...)
		for i := range mr {
			for x := range n {
				f.FADD(acc(i, j0+x).S4(), acc(i, j0+x).S4(), ts[x])
			}
		}
	})

	mask, prod, slope := t, t+1, t+2
	f.Label("relu")
	f.TBZ(2, smFlags, "leaky")
	// Lanes below zero cleared: NaN and −0 pass, as on amd64.
	each(func(v V) {
		f.FCMLT0(mask.S4(), v.S4())
		f.BIC(v.B16(), v.B16(), mask.B16())
	})

	f.Label("leaky")
	f.TBZ(3, smFlags, "store")
	neonBroadcast(f, "slope", slope)
	each(func(v V) {
		f.FMUL(prod.S4(), v.S4(), slope.S4())
		f.FCMLT0(mask.S4(), v.S4())
		f.VBIT(mask.B16(), prod.B16(), v.B16())
	})

	f.Label("store")
	for i := range mr {
		f.MOVD(smPC, smP)
		groups(func(j0, n int) {
			vs := make([]VA, n)
			for x := range vs {
				vs[x] = acc(i, j0+x).S4()
			}
			f.VST1P(smP, vs...)
		})
		if i < mr-1 {
			f.ADDR(smLD, smPC, smPC)
		}
	}
	f.RET()
}
