package main

import (
	"fmt"

	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// The row kernels serve products too small or too narrow to pay for
// packing op(A): the classifier's output layer (n = 10) and products of a
// few thousand flops. They read MR rows of A where they lie, row i at
// a[i·lda:], so only op(B) is packed (by package kernels, with alpha);
// the tile, the k loop and the epilogue are those of the packed kernels.
//
//   - AVX-512: 16×16, one ZMM per row: n = 10 then uses 10 of 16 lanes,
//     against 10 of 64 with the 6×64 kernel. Each value of a is loaded
//     once, so the FMA takes it as a broadcast memory operand ({1to16}),
//     and 16 accumulators cover the FMA latency (4 cycles × 2 pipes).
//     16 rows rather than 14 because batches are usually multiples of
//     16, which then leave no edge rows (14 left 4 or 8 of 32, 64, 256).
//     It takes the number of columns to write and masks C's loads and
//     stores to them, so that a tile at C's right edge (all of them when
//     n = 10) needs no staging tile.
//   - AVX2: 6×16, the packed kernel's tile, with a broadcast per value of
//     a (VEX has no broadcast operand).
//   - AVX-512 6×64, the packed kernel's tile with a broadcast per value of
//     a (VBROADCASTSS, as in the packed kernel, where the memory operand
//     measured slower), for the transposed products of package kernels'
//     swappedGemm: there "A" is a large weight matrix, used once per
//     panel, that these kernels spare the packing. 6×32 takes the panels
//     of 32 columns or fewer (a batch of 32 is one), where 6×64 would
//     spend half its FMAs on padding; its 12 accumulators still cover the
//     FMA latency.

// rowKernels are the row kernels.
var rowKernels = []gemmKernel{
	{s: avx2, mr: 6, nv: 2},
	{s: avx512, mr: 16, nv: 1},
	{s: avx512, mr: 6, nv: 4},
	{s: avx512, mr: 6, nv: 2},
}

// rowsPerPointer is how many rows of A one pointer register reaches: its
// own, and the next two as base + lda·1 and base + lda·2 (x86 index
// scales), so MR rows need ⌈MR/3⌉ pointers and one register for lda.
const rowsPerPointer = 3

// generateRows emits SgemmRows<MR>x<NR><suffix>.
func (g gemmKernel) generateRows(c *build.Context) {
	mr, nr, lanes := g.mr, g.nr(), g.s.lanes
	name := fmt.Sprintf("SgemmRows%dx%d%s", mr, nr, g.s.suffix)
	masked := lanes == 16 && g.nv == 1
	sig := "func(a []float32, lda int, b, c []float32, kc, ldc int, flags uint, bias []float32, slope float32)"
	if masked {
		sig = "func(a []float32, lda int, b, c []float32, kc, ldc, cols int, flags uint, bias []float32, slope float32)"
	}
	doc := []string{
		fmt.Sprintf("%s computes one MR×NR tile of C, MR = %d, NR = %d, from MR rows", name, mr, nr),
		"of A as they lie: acc[i][j] = Σ_{p<kc} a[i·lda+p]·b[p·NR+j] for i < MR,",
		"j < NR, accumulated from 0 in the order p = 0, 1, …, kc−1 with one",
		"rounding per step (FMA); then the epilogue (package doc) and the store",
		"c[i·ldc+j] = acc[i][j].",
		"b is a packed panel of op(B): kc groups of NR values. kc ≥ 1, lda ≥ kc,",
		"len(a) ≥ (MR−1)·lda + kc, len(b) ≥ NR·kc, ldc ≥ NR, len(c) ≥ (MR−1)·ldc",
		"+ NR, len(bias) ≥ NR with flag 2; none of this is checked. Nothing",
		"outside the first kc values of each of the MR rows of a, the first NR·kc",
		"of b, the first NR of bias (with flag 2 only) and the MR×NR window of c",
		"is read or written.",
	}
	if masked {
		doc = []string{
			doc[0], doc[1], doc[2], doc[3], doc[4],
			"Only the first cols columns of the tile are read (with flag 1) and",
			"written, 1 ≤ cols ≤ NR. b is a packed panel of op(B): kc groups of NR",
			"values. kc ≥ 1, lda ≥ kc, len(a) ≥ (MR−1)·lda + kc, len(b) ≥ NR·kc,",
			"ldc ≥ cols, len(c) ≥ (MR−1)·ldc + cols, len(bias) ≥ NR with flag 2;",
			"none of this is checked. Nothing outside the first kc values of each",
			"of the MR rows of a, the first NR·kc of b, the first NR of bias (with",
			"flag 2 only) and the MR×cols window of c is read or written.",
		}
	}
	declare(c, name, sig, append(doc, g.s.requires)...)

	lda := stride(c, "lda")
	rowPtr := rowPointers(c, "a", lda, mr)
	// row returns the address of a[i·lda + p].
	row := func(i, p int) operand.Mem { return rowAt(rowPtr, lda, i, 4*p) }
	pb := c.Load(c.Param("b").Base(), c.GP64())
	pc := c.Load(c.Param("c").Base(), c.GP64())
	k := c.Load(c.Param("kc"), c.GP64())
	ldc := c.Load(c.Param("ldc"), c.GP64())
	c.SHLQ(operand.U8(2), ldc)

	g.prefetchTile(c, pc, ldc)

	acc := g.accumulators(c)

	step := func(p int) {
		bv := make([]reg.VecVirtual, g.nv)
		for j := range bv {
			bv[j] = g.s.vec(c)
			c.VMOVUPS(operand.Mem{Base: pb, Disp: 4 * (p*nr + j*lanes)}, bv[j])
		}
		for i := range mr {
			if lanes == 16 && g.nv == 1 {
				for j := range bv {
					c.VFMADD231PS_BCST(row(i, p), bv[j], acc[i][j])
				}
				continue
			}
			av := g.s.vec(c)
			c.VBROADCASTSS(row(i, p), av)
			for j := range bv {
				c.VFMADD231PS(bv[j], av, acc[i][j])
			}
		}
	}
	advance := func(steps int) {
		for _, r := range rowPtr {
			c.ADDQ(operand.U32(4*steps), r)
		}
		c.ADDQ(operand.U32(4*nr*steps), pb)
	}

	kLoop(c, k, step, advance)
	var tc tileCols
	if masked {
		tc.cols = "cols"
	}
	g.finish(c, pc, ldc, acc, tc)
}

// stride loads the int parameter name, a leading dimension in values, in
// bytes.
func stride(c *build.Context, name string) reg.GPVirtual {
	r := c.GP64()
	c.Load(c.Param(name), r)
	c.SHLQ(operand.U8(2), r)
	return r
}

// rowPointers returns the pointers that reach rows rows ld bytes apart from
// the base of the slice parameter base: each pointer its own row and the
// next two (see rowAt).
func rowPointers(c *build.Context, base string, ld reg.Register, rows int) []reg.GPVirtual {
	p := make([]reg.GPVirtual, (rows+rowsPerPointer-1)/rowsPerPointer)
	for j := range p {
		p[j] = c.GP64()
		setRowPointer(c, base, ld, p, j)
	}
	return p
}

// setRowPointer sets p[j]: the base of the slice parameter base for j = 0,
// else p[j−1] + 3·ld.
func setRowPointer(c *build.Context, base string, ld reg.Register, p []reg.GPVirtual, j int) {
	if j == 0 {
		c.Load(c.Param(base).Base(), p[0])
		return
	}
	c.LEAQ(operand.Mem{Base: p[j-1], Index: ld, Scale: 2}, p[j])
	c.ADDQ(ld, p[j])
}

// rowAt returns the address disp bytes into row i of the rows that p
// reaches, ld bytes apart.
func rowAt(p []reg.GPVirtual, ld reg.Register, i, disp int) operand.Mem {
	m := operand.Mem{Base: p[i/rowsPerPointer], Disp: disp}
	if s := i % rowsPerPointer; s > 0 {
		m.Index, m.Scale = ld, uint8(s)
	}
	return m
}
