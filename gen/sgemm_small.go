package main

import (
	"fmt"

	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// The small-m kernels serve products with at most 16 rows, the batch of
// an inference: C = act(alpha·A·op(B) + C + bias) with A's rows and the
// weights both read where they lie. Packing the weights costs as much as
// multiplying them by a dozen rows, and a tile of 16 or 6 rows spends its
// FMAs on padding when m is 1, so these kernels pack nothing, keep every
// row of their tile in registers for the whole of k, and read each value
// of B once per tile.
//
//   - op(B) = B (W stored k×n), SgemmSmallN<MR>x<NR>: the tile is MR rows
//     × NR columns, NR/lanes vectors per row. Each k step broadcasts
//     A[i,p] for the MR rows and multiplies it by the NR values of B's
//     row p, read in place; the sums need no reduction. With one row the
//     tile is 256 columns wide (AVX-512; 64 on AVX2), so B is read one
//     whole 1 KiB row at a time, the pattern the prefetchers follow best;
//     with more rows it narrows so that MR·NR/lanes accumulators, MR
//     broadcasts and one vector of B fit the registers. package kernels
//     takes the narrower widths of the same MR for C's right edge.
//   - op(B) = Bᵀ (W stored n×k, nn's layout), SgemmSmallT<MR>x<NR>: k runs
//     along the vector lanes, where A's rows and W's rows both lie
//     contiguous: MR·NR accumulators of lanes partial sums each, one
//     FMA per lanes values of k, then the fold tree of the dot kernels
//     (gen/gemm_dot.go, foldSums) leaves each row's NR sums in one
//     vector. One row takes 16 rows of W (AVX-512; 8 on AVX2) per tile;
//     products of more rows go in tiles of up to 4 (AVX-512; 3 on AVX2)
//     rows against 4 rows of W, so that the 4 rows of W (12.5 KiB at
//     k = 784) stay in L1 while every row tile of A passes them.
//
// Every element of C is computed by the same operations whatever tile,
// and whatever tile shape, it falls in: its k steps in order (N), or its
// lanes' partial sums in order and the same fold (T). So package kernels
// may split C, and pick tile shapes by m, without changing a bit.
//
// alpha multiplies the sums (exact for alpha = 1) before the epilogue,
// which is that of the other GEMM kernels (flags 1 add, 2 bias, 4 ReLU,
// 8 leaky ReLU), reading and writing C and the bias only through masks
// (AVX-512) or only inside the tile (AVX2).
//
// Tails never read outside the slices: AVX-512 masks the last vector of
// columns (N) or of k (T). AVX2 has no masked move that qemu's emulation
// respects (see avx2Tail): its N kernels take whole vectors of columns
// only, package kernels running C's last partial vector as a whole one
// that ends at column n; its T kernels take the last k mod 8 values of
// each row with scalar FMAs into lane 0 before the vector loop, while
// the accumulators' upper lanes are still zero (VEX scalar arithmetic
// zeroes bits 128 and up of its destination).

// smallN is one SgemmSmallN kernel: mr rows, nv vectors of columns.
type smallN struct {
	s      isa
	mr, nv int
}

// smallT is one SgemmSmallT kernel: mr rows of A, nr rows of W.
type smallT struct {
	s      isa
	mr, nr int
}

// smallNWidths returns the vector counts of the N kernels of mr rows on
// s: the widest, then halves down to one vector, for C's right edge.
func smallNWidths(s isa, mr int) []int {
	var widest int
	if wide(s) {
		widest = [...]int{16, 8, 8, 4, 4, 4, 2, 2}[mr-1]
	} else {
		widest = [...]int{8, 4, 4, 2, 2, 2}[mr-1]
	}
	ws := []int{widest}
	for w := 1; w < widest; w *= 2 {
		ws = append(ws, w)
	}
	return ws
}

// smallNRows and smallTRows are the most rows of an N kernel and of a
// T kernel of a level (suffix); smallTNR is the NR of the T kernels for
// products of more rows than the wide ones take, which every row tile
// of such a product shares; smallTWide are the wide T kernels' NR for
// MR = 1, 2, ….
var (
	smallNRows = map[string]int{"AVX2": 6, "AVX512": 8}
	smallTRows = map[string]int{"AVX2": 3, "AVX512": 4}
	smallTNR   = 4
	smallTWide = map[string][]int{"AVX2": {8}, "AVX512": {16, 8, 8}}
)

func sgemmSmallFamily(c *build.Context) {
	for _, s := range isas {
		for mr := 1; mr <= smallNRows[s.suffix]; mr++ {
			for _, nv := range smallNWidths(s, mr) {
				smallN{s, mr, nv}.generate(c)
			}
		}
		for mr, nr := range smallTWide[s.suffix] {
			smallT{s, mr + 1, nr}.generate(c)
		}
		for mr := 1; mr <= smallTRows[s.suffix]; mr++ {
			smallT{s, mr, smallTNR}.generate(c)
		}
	}
}

// regs is the number of vector registers of s.
func regs(s isa) int {
	if wide(s) {
		return 32
	}
	return 16
}

func (g smallN) name() string {
	return fmt.Sprintf("SgemmSmallN%dx%d%s", g.mr, g.nv*g.s.lanes, g.s.suffix)
}

// generate emits SgemmSmallN<MR>x<NR><suffix>.
func (g smallN) generate(c *build.Context) {
	mr, nv, lanes, nr := g.mr, g.nv, g.s.lanes, g.nv*g.s.lanes
	doc := []string{
		fmt.Sprintf("%s computes one MR×NR tile of C, MR = %d, NR = %d, from MR", g.name(), mr, nr),
		"rows of A and k rows of B as they lie: acc[i][j] = Σ_{p<k} a[i·lda+p]·",
		"b[p·ldb+j], accumulated from 0 in the order p = 0, 1, …, k−1 with one",
		"rounding per step (FMA); acc ·= alpha; then the epilogue of the GEMM",
		"kernels (flags 1 add, 2 bias, 4 ReLU, 8 leaky ReLU) and the store.",
	}
	if wide(g.s) {
		doc = append(doc,
			"Only the first cols columns are read (of b, of bias, and of c with flag",
			fmt.Sprintf("1) and written, %d < cols ≤ NR. k ≥ 1, lda ≥ k, len(a) ≥ (MR−1)·lda + k,", nr-lanes),
			"ldb ≥ cols, len(b) ≥ (k−1)·ldb + cols, ldc ≥ cols, len(c) ≥ (MR−1)·ldc",
			"+ cols, len(bias) ≥ cols with flag 2; none of this is checked. Nothing",
			"outside the first k values of the MR rows of a, the k×cols window of b,",
			"the first cols values of bias (with flag 2 only) and the MR×cols window",
			"of c is read or written.",
		)
	} else {
		doc = append(doc,
			"cols is not used: all NR columns are read and written. k ≥ 1, lda ≥ k,",
			"len(a) ≥ (MR−1)·lda + k, ldb ≥ NR, len(b) ≥ (k−1)·ldb + NR, ldc ≥ NR,",
			"len(c) ≥ (MR−1)·ldc + NR, len(bias) ≥ NR with flag 2; none of this is",
			"checked. Nothing outside the first k values of the MR rows of a, the",
			"k×NR window of b, the first NR values of bias (with flag 2 only) and",
			"the MR×NR window of c is read or written.",
		)
	}
	declare(c, g.name(), "func(a []float32, lda int, b []float32, ldb int, c []float32, k, ldc, cols int, alpha float32, flags uint, bias []float32, slope float32)",
		append(doc, g.s.requires)...)

	lda := stride(c, "lda")
	rowPtr := rowPointers(c, "a", lda, mr)
	pb := c.Load(c.Param("b").Base(), c.GP64())
	ldb := stride(c, "ldb")
	k := c.Load(c.Param("k"), c.GP64())

	// last is the opmask of the last vector's columns (AVX-512).
	var last reg.Register
	if wide(g.s) {
		n := c.Load(c.Param("cols"), c.GP64())
		c.SUBQ(operand.U32(nr-lanes), n)
		last = lowMask(c, n)
	}

	ldb3 := c.GP64()
	c.LEAQ(operand.Mem{Base: ldb, Index: ldb, Scale: 2}, ldb3)
	// rowB is row p < 4 of b from pb, reached through ldb and 3·ldb as
	// in SgemmKernel, so that the unrolled loop moves one pointer.
	rowB := func(p, disp int) operand.Mem {
		m := operand.Mem{Base: pb, Disp: disp}
		switch p {
		case 1, 2:
			m.Index, m.Scale = ldb, uint8(p)
		case 3:
			m.Index, m.Scale = ldb3, 1
		}
		return m
	}

	acc := gemmKernel{s: g.s, mr: mr, nv: nv}.accumulators(c)
	// aRegs: the MR broadcasts in registers, each vector of b loaded
	// once and used MR times; else b's vectors in registers and one
	// broadcast at a time (AVX2 with 6 rows, the packed kernels' plan).
	aRegs := mr*nv+mr+1 <= regs(g.s)
	loadB := func(p, j int) operand.Op {
		m := rowB(p, 4*j*lanes)
		if j == nv-1 && last != nil {
			v := g.s.vec(c)
			c.VMOVUPS_Z(m, last, v)
			return v
		}
		if mr == 1 {
			return m // the FMA's memory operand: each value is used once
		}
		v := g.s.vec(c)
		c.VMOVUPS(m, v)
		return v
	}
	// step emits k step p of an iteration: A's values at byte offset
	// 4·p, b's row p.
	step := func(p int) {
		if aRegs {
			av := make([]reg.VecVirtual, mr)
			for i := range av {
				av[i] = g.s.vec(c)
				c.VBROADCASTSS(rowAt(rowPtr, lda, i, 4*p), av[i])
			}
			for j := range nv {
				bv := loadB(p, j)
				for i := range mr {
					c.VFMADD231PS(bv, av[i], acc[i][j])
				}
			}
			return
		}
		bv := make([]operand.Op, nv)
		for j := range bv {
			bv[j] = loadB(p, j)
		}
		for i := range mr {
			av := g.s.vec(c)
			c.VBROADCASTSS(rowAt(rowPtr, lda, i, 4*p), av)
			for j := range bv {
				c.VFMADD231PS(bv[j], av, acc[i][j])
			}
		}
	}
	advance := func(steps int) {
		for _, r := range rowPtr {
			c.ADDQ(operand.U32(4*steps), r)
		}
		if steps == 1 {
			c.ADDQ(ldb, pb)
		} else {
			c.LEAQ(operand.Mem{Base: pb, Index: ldb, Scale: uint8(steps)}, pb)
		}
	}
	// Four k steps per iteration while k allows, then one at a time.
	c.CMPQ(k, operand.U32(4))
	c.JB(operand.LabelRef("single"))
	c.Label("four")
	for p := range 4 {
		step(p)
	}
	advance(4)
	c.SUBQ(operand.U32(4), k)
	c.CMPQ(k, operand.U32(4))
	c.JAE(operand.LabelRef("four"))
	c.Label("single")
	c.TESTQ(k, k)
	c.JZ(operand.LabelRef("sums"))
	step(0)
	advance(1)
	c.DECQ(k)
	c.JMP(operand.LabelRef("single"))
	c.Label("sums")

	io := make([]smallIO, nv)
	for j := range io {
		io[j] = smallIO{s: g.s, width: lanes}
		if j == nv-1 {
			io[j].mask = last
		}
	}
	smallEpilogue(c, g.s, acc, io)
}

func (g smallT) name() string {
	return fmt.Sprintf("SgemmSmallT%dx%d%s", g.mr, g.nr, g.s.suffix)
}

// generate emits SgemmSmallT<MR>x<NR><suffix>.
func (g smallT) generate(c *build.Context) {
	mr, nr, lanes := g.mr, g.nr, g.s.lanes
	doc := []string{
		fmt.Sprintf("%s computes one MR×NR tile of C, MR = %d, NR = %d, from MR", g.name(), mr, nr),
		"rows of A and NR rows of Bᵀ as they lie: acc[i][j] = Σ_{p<k} a[i·lda+p]·",
		fmt.Sprintf("bt[j·ldbt+p], as %d partial sums added up by a fixed tree (the fold", lanes),
	}
	if wide(g.s) {
		doc = append(doc,
			"of SgemmDot2x10AVX512: lane l takes p ≡ l mod 16, in order, one FMA",
			"each, the last chunk of k masked); acc ·= alpha; then the epilogue of",
			"the GEMM kernels (flags 1 add, 2 bias, 4 ReLU, 8 leaky ReLU) and the",
			"store, on the columns j < NR whose bit j of lanes is set only (of c",
			"and of bias). k ≥ 1, lda ≥ k, ldbt ≥ k, len(a) ≥ (MR−1)·lda + k,",
			"len(bt) ≥ (NR−1)·ldbt + k, ldc ≥ NR, len(c) ≥ (MR−1)·ldc + NR,",
			"len(bias) ≥ NR with flag 2; none of this is checked. Nothing outside",
			"the first k values of the MR rows of a and the NR rows of bt, the",
			"values of bias (with flag 2 only) and of the MR rows of c that lanes",
			"selects is read or written.",
		)
	} else {
		doc = append(doc,
			"of SgemmDot2x10AVX2; lane l takes p ≡ l mod 8 for p < k − k mod 8,",
			"in order, one FMA each, lane 0 first the last k mod 8 values, in",
			"order); acc ·= alpha; then the epilogue of the GEMM kernels (flags 1",
			"add, 2 bias, 4 ReLU, 8 leaky ReLU) and the store of all NR columns",
			"(lanes is not used). k ≥ 1, lda ≥ k, ldbt ≥ k, len(a) ≥ (MR−1)·lda +",
			"k, len(bt) ≥ (NR−1)·ldbt + k, ldc ≥ NR, len(c) ≥ (MR−1)·ldc + NR,",
			"len(bias) ≥ NR with flag 2; none of this is checked. Nothing outside",
			"the first k values of the MR rows of a and the NR rows of bt, the",
			"first NR values of bias (with flag 2 only) and the MR×NR window of c",
			"is read or written.",
		)
	}
	declare(c, g.name(), "func(a []float32, lda int, bt []float32, ldbt int, c []float32, k, ldc int, lanes uint, alpha float32, flags uint, bias []float32, slope float32)",
		append(doc, g.s.requires)...)

	lda, ldbt := stride(c, "lda"), stride(c, "ldbt")
	pa := rowPointers(c, "a", lda, mr)
	q := rowPointers(c, "bt", ldbt, nr)
	k := c.Load(c.Param("k"), c.GP64())
	ptrs := append(append([]reg.GPVirtual(nil), pa...), q...)

	acc := make([][]reg.VecVirtual, mr)
	for i := range acc {
		acc[i] = make([]reg.VecVirtual, nr)
		for j := range acc[i] {
			acc[i][j] = g.s.vec(c)
			zero(c, g.s, acc[i][j])
		}
	}

	if !wide(g.s) {
		// The last k mod 8 values, into lane 0, while the upper lanes
		// are zero: the pointers go to them and come back after.
		rest := c.GP64()
		c.MOVQ(k, rest)
		c.ANDQ(operand.U32(lanes-1), rest)
		c.JZ(operand.LabelRef("vectors"))
		off := c.GP64()
		c.MOVQ(k, off)
		c.SUBQ(rest, off)
		c.SHLQ(operand.U8(2), off)
		for _, r := range ptrs {
			c.ADDQ(off, r)
		}
		c.Label("scalar")
		av := make([]reg.VecVirtual, mr)
		for i := range av {
			av[i] = c.XMM()
			c.VMOVSS(rowAt(pa, lda, i, 0), av[i])
		}
		for j := range nr {
			// The value of Bᵀ is loaded with VMOVSS, not taken as
			// VFMADD231SS's memory operand: hardware reads only its 4
			// bytes either way, but qemu's x86 emulation (which CI
			// runs the avx2 level under, as -cpu Haswell) reads a
			// whole 16-byte vector for that operand and faults at the
			// guard page after a row's last value.
			bv := c.XMM()
			c.VMOVSS(rowAt(q, ldbt, j, 0), bv)
			for i := range mr {
				c.VFMADD231SS(bv, av[i], acc[i][j].AsX())
			}
		}
		for _, r := range ptrs {
			c.ADDQ(operand.U32(4), r)
		}
		c.DECQ(rest)
		c.JNZ(operand.LabelRef("scalar"))
		// Back to the rows' starts: k values in bytes.
		c.MOVQ(k, off)
		c.SHLQ(operand.U8(2), off)
		for _, r := range ptrs {
			c.SUBQ(off, r)
		}
		c.Label("vectors")
		c.SHRQ(operand.U8(3), k) // whole vectors
		c.JZ(operand.LabelRef("reduce"))
	}

	// step emits the FMAs of one vector of k at byte offset disp, loaded
	// through mask (zeroing the lanes past k) when it is not nil.
	step := func(disp int, mask reg.Register) {
		load := func(m operand.Mem) reg.VecVirtual {
			v := g.s.vec(c)
			if mask == nil {
				c.VMOVUPS(m, v)
			} else {
				c.VMOVUPS_Z(m, mask, v)
			}
			return v
		}
		av := make([]reg.VecVirtual, mr)
		for i := range av {
			av[i] = load(rowAt(pa, lda, i, disp))
		}
		for j := range nr {
			var bv operand.Op
			if mask == nil && (mr == 1 || mr*nr+mr+1 > regs(g.s)) {
				// The FMA's memory operand: with one row each value
				// is used once; with AVX2's 3×4 tile there is no
				// register left, and L1 serves the three loads.
				bv = rowAt(q, ldbt, j, disp)
			} else {
				bv = load(rowAt(q, ldbt, j, disp))
			}
			for i := range mr {
				c.VFMADD231PS(bv, av[i], acc[i][j])
			}
		}
	}
	advance := func(bytes int) {
		for _, r := range ptrs {
			c.ADDQ(operand.U32(bytes), r)
		}
	}
	vb := 4 * lanes
	if wide(g.s) {
		// k counts values: two vectors per iteration, then one, then
		// the masked rest.
		c.CMPQ(k, operand.U32(2*lanes))
		c.JB(operand.LabelRef("one"))
		c.Label("two")
		step(0, nil)
		step(vb, nil)
		advance(2 * vb)
		c.SUBQ(operand.U32(2*lanes), k)
		c.CMPQ(k, operand.U32(2*lanes))
		c.JAE(operand.LabelRef("two"))
		c.Label("one")
		c.CMPQ(k, operand.U32(lanes))
		c.JB(operand.LabelRef("tail"))
		step(0, nil)
		advance(vb)
		c.SUBQ(operand.U32(lanes), k)
		c.Label("tail")
		c.TESTQ(k, k)
		c.JZ(operand.LabelRef("reduce"))
		step(0, lowMask(c, k))
	} else {
		// k counts whole vectors, at least one.
		c.CMPQ(k, operand.U32(2))
		c.JB(operand.LabelRef("one"))
		c.Label("two")
		step(0, nil)
		step(vb, nil)
		advance(2 * vb)
		c.SUBQ(operand.U32(2), k)
		c.CMPQ(k, operand.U32(2))
		c.JAE(operand.LabelRef("two"))
		c.Label("one")
		c.TESTQ(k, k)
		c.JZ(operand.LabelRef("reduce"))
		step(0, nil)
	}
	c.Label("reduce")
	sums := make([][]reg.VecVirtual, mr)
	for i := range sums {
		sums[i] = foldSums(c, g.s, acc[i])
	}
	io := smallIO{s: g.s, width: nr}
	if wide(g.s) {
		bits := c.GP64()
		c.Load(c.Param("lanes"), bits)
		k := c.K()
		c.KMOVW(bits.As32(), k)
		io.mask = k
	}
	smallEpilogue(c, g.s, sums, []smallIO{io})
}

// smallIO is how the small kernels' epilogue reaches one vector of a row
// of C and of the bias: through mask (AVX-512), or as the first width
// lanes (AVX2: 8, a whole YMM, or 4, an XMM).
type smallIO struct {
	s     isa
	width int
	mask  reg.Register
}

// load returns the vector at m: an XMM for width 4 (so that avo sees
// the whole register written), else a vector of s's width.
func (io smallIO) load(c *build.Context, m operand.Mem) reg.VecVirtual {
	switch {
	case io.mask != nil:
		v := io.s.vec(c)
		c.VMOVUPS_Z(m, io.mask, v)
		return v
	case io.width == 4:
		x := c.XMM()
		c.VMOVUPS(m, x)
		return x
	}
	v := io.s.vec(c)
	c.VMOVUPS(m, v)
	return v
}

// add emits v += x, x from load: in 128 bits for width 4, which zeroes
// v's upper lanes (the fold left zeros there).
func (io smallIO) add(c *build.Context, x, v reg.VecVirtual) {
	if io.width == 4 && io.mask == nil {
		c.VADDPS(x, v.AsX(), v.AsX())
		return
	}
	c.VADDPS(x, v, v)
}

func (io smallIO) store(c *build.Context, v reg.VecVirtual, m operand.Mem) {
	switch {
	case io.mask != nil:
		c.VMOVUPS(v, io.mask, m)
	case io.width == 4:
		c.VMOVUPS(v.AsX(), m)
	default:
		c.VMOVUPS(v, m)
	}
}

// smallEpilogue emits everything after the sums of a small kernel: acc
// (row i, vector j) times alpha, the epilogue that flags selects, the
// store through io[j], and the return.
func smallEpilogue(c *build.Context, s isa, acc [][]reg.VecVirtual, io []smallIO) {
	alpha := broadcastParam(c, s, "alpha")
	for _, row := range acc {
		for _, v := range row {
			c.VMULPS(alpha, v, v)
		}
	}
	pc := c.Load(c.Param("c").Base(), c.GP64())
	ldc := stride(c, "ldc")
	flags := c.Load(c.Param("flags"), c.GP64())
	// rows runs f on every vector of the tile with its address in C.
	rows := func(f func(v reg.VecVirtual, m operand.Mem, io smallIO)) {
		row := c.GP64()
		c.MOVQ(pc, row)
		for i := range acc {
			for j, v := range acc[i] {
				f(v, operand.Mem{Base: row, Disp: 4 * j * s.lanes}, io[j])
			}
			if i < len(acc)-1 {
				c.ADDQ(ldc, row)
			}
		}
	}

	c.TESTQ(operand.U32(epilogueAdd), flags)
	c.JZ(operand.LabelRef("noadd"))
	rows(func(v reg.VecVirtual, m operand.Mem, io smallIO) {
		io.add(c, io.load(c, m), v)
	})
	c.Label("noadd")

	c.TESTQ(operand.U32(epilogueBias), flags)
	c.JZ(operand.LabelRef("nobias"))
	pbias := c.Load(c.Param("bias").Base(), c.GP64())
	for j := range io {
		b := io[j].load(c, operand.Mem{Base: pbias, Disp: 4 * j * s.lanes})
		for i := range acc {
			io[j].add(c, b, acc[i][j])
		}
	}
	c.Label("nobias")

	g := gemmKernel{s: s}
	c.TESTQ(operand.U32(epilogueReLU), flags)
	c.JZ(operand.LabelRef("norelu"))
	z := zeroed(c, s)
	for _, row := range acc {
		for _, v := range row {
			// Intel VMAXPS v, zero, v returns its second source, v,
			// when either is NaN or both are zeros: NaN and −0 pass.
			c.VMAXPS(v, z, v)
		}
	}
	c.JMP(operand.LabelRef("store"))
	c.Label("norelu")

	c.TESTQ(operand.U32(epilogueLeaky), flags)
	c.JZ(operand.LabelRef("store"))
	z = zeroed(c, s)
	slope := broadcastParam(c, s, "slope")
	for _, row := range acc {
		for _, v := range row {
			g.leaky(c, v, z, slope)
		}
	}
	c.Label("store")
	rows(func(v reg.VecVirtual, m operand.Mem, io smallIO) { io.store(c, v, m) })
	c.VZEROUPPER()
	c.RET()
}
