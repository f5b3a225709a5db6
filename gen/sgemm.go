package main

import (
	"fmt"

	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// The GEMM micro-kernels multiply a packed MR-row panel of op(A) by an
// NR-column panel of op(B), with the whole MR×NR tile of C in vector
// registers for the length of the k loop; package kernels packs the
// operands and walks the tiles (the Goto/BLIS scheme). Each k step loads
// NR/lanes vectors of b and broadcasts MR values of a, so every value
// loaded feeds several FMAs and the loads stay well below the FMA rate.
// The panel of op(B) is kc rows of NR values ldb apart: packed (ldb = NR),
// or, when op(B) = B, B itself where it lies, which spares the driver
// the copy when few rows of A share each panel (kernels.readsB). The
// stride costs nothing in the loop: the four rows of an unrolled
// iteration are base, base + ldb, base + 2·ldb and base + 3·ldb, all x86
// addressing modes.
//
// The shapes were chosen by measurement on AMD Zen 5 (two FMA pipes of
// the full vector width), each against a loop of register-only FMAs of
// the same width in the same run (FMAPeak*), with the tiles called the
// way the driver calls them: one b panel reused over an A block streaming
// from L2, into a C larger than L2 (the stream case of
// BenchmarkSgemmKernel in asm/sgemm_amd64_test.go). To measure a shape
// again, generate it (gemmKernels below) and run
// go test ./asm -run '^$' -bench 'FMAPeak|SgemmKernel'.
//
//   - AVX2: 6×16, 12 YMM accumulators + 2 loads of b + 1 broadcast of a
//     out of 16 registers, the usual shape; it runs at 0.96–1.00 of the
//     peak loop.
//   - AVX-512: 6×64 (24 ZMM accumulators + 4 + 1) ran 1–4% faster than
//     14×32 (28 + 2 + 1, which avo allocates without spilling) and 12×32
//     (24 + 2 + 1) at kc = 128 and 256: 0.93–0.96 of the peak loop against
//     0.90–0.93. It also keeps MR = 6 for both levels, so one packing of
//     op(A) serves both, and wastes less of a batch of 64 rows on the edge
//     tile (66 rows computed, not 70; with the 4-row twins below, 64).
//   - Folding the broadcast into each FMA's memory operand ({1toN},
//     VFMADD231PS.BCST) instead of one VBROADCASTSS per value of a was
//     8–25% slower at every AVX-512 shape: each value of a is then loaded
//     NR/16 times instead of once.
//   - Unrolling k by 2 or 8 instead of 4, and prefetching a ahead, made no
//     measurable difference (the hardware prefetcher follows the panels).
//     Prefetching the tile's rows of C before the k loop gained 1–6% when
//     C is not in cache and cost nothing measurable when it is.
//
// After the k loop, an epilogue selected by flags finishes the tile in
// registers before its one store: add C's tile (every k block after the
// first, and the first when beta ≠ 0), then, on the last k block only, add
// a bias per column and apply ReLU or leaky ReLU. That is what makes a
// dense layer's forward pass (kernels.SgemmBiasAct) one pass over C; each
// step is one branch per tile, nothing next to the k loop.

// gemmKernel is one register-blocked micro-kernel shape.
type gemmKernel struct {
	s  isa
	mr int // rows of the tile: values of a broadcast per k step
	nv int // vectors per row of the tile, so NR = nv·lanes
	// panel, if set, is the rows of the packed panel of op(A) a kernel
	// with fewer rows reads (its first mr of each k step), so that it
	// takes the panels packed for the full kernel.
	panel int
}

// gemmKernels are the micro-kernels, one per instruction set; their
// shapes are explained above. Each has a 4-row twin reading its 6-row
// panels: MNIST's batches and layer widths (64, 256, 784, 1024) all
// leave 4 rows past a multiple of 6, and a full kernel on that last
// panel spends a third of its FMAs on padding (3% of all of them at
// m = 64) and goes through a staging tile; the twin's FMAs for its rows
// are the full kernel's, in the same order, so the bits are the same.
var gemmKernels = []gemmKernel{
	{s: avx2, mr: 6, nv: 2},             // 6×16
	{s: avx512, mr: 6, nv: 4},           // 6×64
	{s: avx2, mr: 4, nv: 2, panel: 6},   // 4×16 of a 6-row panel
	{s: avx512, mr: 4, nv: 4, panel: 6}, // 4×64 of a 6-row panel
}

// panelRows is the rows of the packed panel of op(A) the kernel reads.
func (g gemmKernel) panelRows() int {
	if g.panel > 0 {
		return g.panel
	}
	return g.mr
}

// gemmUnroll is how many k steps the main loop takes per iteration: it
// spreads the pointer updates and the branch over 4·MR·nv FMAs. A
// remainder loop takes the last kc mod gemmUnroll steps one at a time.
const gemmUnroll = 4

func sgemmFamily(c *build.Context) {
	for _, g := range gemmKernels {
		g.generate(c)
	}
	for _, g := range rowKernels {
		g.generateRows(c)
	}
	generateDot(c)
	generateDotAVX2(c)
}

// nr is the number of columns of the tile.
func (g gemmKernel) nr() int { return g.nv * g.s.lanes }

// microKernelDoc is the first line of a GEMM micro-kernel's doc comment on
// either architecture: its tile, and where its contract is written, once
// for every backend.
func microKernelDoc(name string, mr, nr int) string {
	return fmt.Sprintf("%s is the GEMM micro-kernel (package doc) for an MR×NR = %d×%d tile.", name, mr, nr)
}

// generate emits SgemmKernel<suffix>, the micro-kernel of the package
// doc's contract.
func (g gemmKernel) generate(c *build.Context) {
	mr, nr, lanes, pr := g.mr, g.nr(), g.s.lanes, g.panelRows()
	name := "SgemmKernel" + g.s.suffix
	doc := []string{microKernelDoc(name, mr, nr)}
	if g.panel > 0 {
		name = fmt.Sprintf("SgemmKernel%dof%d%s", mr, pr, g.s.suffix)
		doc = []string{
			fmt.Sprintf("%s is the GEMM micro-kernel (package doc) for the first MR = %d rows", name, mr),
			fmt.Sprintf("of an NR = %d-column tile, from a panel of op(A) packed %d rows high:", nr, pr),
			fmt.Sprintf("a takes %d values per k step, of which it reads the first %d, and c", pr, mr),
			fmt.Sprintf("has %d rows, the bias %d values. The tile's rows get the same", mr, nr),
			fmt.Sprintf("bits as from SgemmKernel%s.", g.s.suffix),
		}
	}
	declare(c, name, "func(a, b, c []float32, kc, ldb, ldc int, flags uint, bias []float32, slope float32)",
		append(doc, g.s.requires)...)

	pa := c.Load(c.Param("a").Base(), c.GP64())
	pb := c.Load(c.Param("b").Base(), c.GP64())
	pc := c.Load(c.Param("c").Base(), c.GP64())
	k := c.Load(c.Param("kc"), c.GP64())
	ldc := c.Load(c.Param("ldc"), c.GP64())
	c.SHLQ(operand.U8(2), ldc) // in bytes
	ldb := c.Load(c.Param("ldb"), c.GP64())
	c.SHLQ(operand.U8(2), ldb) // in bytes
	ldb3 := c.GP64()
	c.LEAQ(operand.Mem{Base: ldb, Index: ldb, Scale: 2}, ldb3)

	g.prefetchTile(c, pc, ldc)

	acc := g.accumulators(c)

	// rowB is row p < gemmUnroll of b from pb: x86 addressing reaches
	// the four through ldb and 3·ldb with index scales 1 and 2, so a
	// register stride costs no instruction inside the loop.
	rowB := func(p, disp int) operand.Mem {
		switch p {
		case 0:
			return operand.Mem{Base: pb, Disp: disp}
		case 1:
			return operand.Mem{Base: pb, Index: ldb, Scale: 1, Disp: disp}
		case 2:
			return operand.Mem{Base: pb, Index: ldb, Scale: 2, Disp: disp}
		case 3:
			return operand.Mem{Base: pb, Index: ldb3, Scale: 1, Disp: disp}
		}
		panic("gen: rowB reaches 4 rows; gemmUnroll > 4 needs another pointer")
	}

	// step emits k step p of an iteration, at byte offset 4·p·MR of a
	// and row p of b.
	step := func(p int) {
		bv := make([]reg.VecVirtual, g.nv)
		for j := range bv {
			bv[j] = g.s.vec(c)
			c.VMOVUPS(rowB(p, 4*j*lanes), bv[j])
		}
		for i := range mr {
			av := g.s.vec(c)
			c.VBROADCASTSS(operand.Mem{Base: pa, Disp: 4 * (p*pr + i)}, av)
			for j := range bv {
				// Intel VFMADD231PS acc, a, b: acc = a·b + acc.
				c.VFMADD231PS(bv[j], av, acc[i][j])
			}
		}
	}
	advance := func(steps int) {
		c.ADDQ(operand.U32(4*pr*steps), pa)
		if steps == 1 {
			c.ADDQ(ldb, pb)
			return
		}
		c.LEAQ(operand.Mem{Base: pb, Index: ldb, Scale: uint8(steps)}, pb)
	}

	kLoop(c, k, step, advance)
	g.finish(c, pc, ldc, acc, tileCols{})
}

// accumulators returns the tile's MR×nv vector registers, zeroed.
func (g gemmKernel) accumulators(c *build.Context) [][]reg.VecVirtual {
	acc := make([][]reg.VecVirtual, g.mr)
	for i := range acc {
		acc[i] = make([]reg.VecVirtual, g.nv)
		for j := range acc[i] {
			acc[i][j] = g.s.vec(c)
			zero(c, g.s, acc[i][j])
		}
	}
	return acc
}

// kLoop emits the k loop of a micro-kernel around step(p), which emits k
// step p of an iteration, and advance(steps), which moves the operands'
// pointers past that many steps: gemmUnroll steps per iteration while k
// allows, then single steps, then a jump to the label "store", where the
// caller's code after the loop must begin.
func kLoop(c *build.Context, k reg.Register, step func(p int), advance func(steps int)) {
	c.CMPQ(k, operand.U32(gemmUnroll))
	c.JB(operand.LabelRef("single"))
	c.Label("unrolled")
	for p := range gemmUnroll {
		step(p)
	}
	advance(gemmUnroll)
	c.SUBQ(operand.U32(gemmUnroll), k)
	c.CMPQ(k, operand.U32(gemmUnroll))
	c.JAE(operand.LabelRef("unrolled"))

	c.Label("single")
	c.TESTQ(k, k)
	c.JZ(operand.LabelRef("store"))
	c.Label("remainder")
	step(0)
	advance(1)
	c.DECQ(k)
	c.JNZ(operand.LabelRef("remainder"))
}

// finish emits everything after the k loop, from the label "store": the
// epilogue, the store of the tile and the return, reaching C's columns
// as tc says.
func (g gemmKernel) finish(c *build.Context, pc, ldc reg.Register, acc [][]reg.VecVirtual, tc tileCols) {
	c.Label("store")
	if tc.cols != "" {
		// Made here, where every path through the loop arrives and
		// its registers are free.
		tc.mask = lowMask(c, c.Load(c.Param(tc.cols), c.GP64()))
	}
	g.epilogue(c, pc, ldc, acc, tc)
	g.rows(c, pc, ldc, func(v reg.VecVirtual, m operand.Mem, last bool) {
		switch {
		case tc.mask != nil:
			c.VMOVUPS(v, tc.mask, m)
		case tc.two && last:
			c.VMOVSD(v.AsX(), m)
		default:
			c.VMOVUPS(v, m)
		}
	}, acc)
	c.VZEROUPPER()
	c.RET()
}

// tileCols says which of its columns a tile reads and writes in C: all of
// every vector (the zero value); with cols, the name of an int parameter
// (AVX-512 only), the first cols, through an opmask that finish makes;
// with two, only the low two lanes of each row's last vector, by 64-bit
// moves (AVX2's dot kernel, whose rows are 8 + 2 columns). The bias is
// read the same way with two, and whole otherwise (a masked kernel's
// caller pads it).
type tileCols struct {
	cols string
	two  bool
	mask reg.Register
}

// add emits v += the vector at m (C's, or with bias the bias's), last if
// it is the last of its row.
func (tc tileCols) add(c *build.Context, v reg.VecVirtual, m operand.Mem, last, bias bool) {
	switch {
	case tc.two && last:
		x := c.XMM()
		c.VMOVSD(m, x)
		c.VADDPS(x, v.AsX(), v.AsX())
	case tc.mask != nil && !bias:
		// Masked-out lanes of an EVEX load are neither read nor
		// faulted on.
		t := c.ZMM()
		c.VMOVUPS_Z(m, tc.mask, t)
		c.VADDPS(t, v, v)
	default:
		c.VADDPS(m, v, v)
	}
}

// The epilogue's flags, as the kernels' doc comments give them; package
// kernels has the same values.
const (
	epilogueAdd   = 1 << iota // add the tile of C
	epilogueBias              // add bias[j] to column j
	epilogueReLU              // max(x, 0)
	epilogueLeaky             // slope·x where x < 0
)

// epilogue emits the steps between the k loop and the store, each
// behind a test of its flag: one branch per step per tile, next to
// MR·NR·kc FMAs, and the tile stays in registers throughout. pc is left
// as it was.
//
// C and the bias are reached as tc says.
func (g gemmKernel) epilogue(c *build.Context, pc, ldc reg.Register, acc [][]reg.VecVirtual, tc tileCols) {
	flags := c.Load(c.Param("flags"), c.GP64())

	c.TESTQ(operand.U32(epilogueAdd), flags)
	c.JZ(operand.LabelRef("noadd"))
	row := c.GP64()
	c.MOVQ(pc, row)
	g.rows(c, row, ldc, func(v reg.VecVirtual, m operand.Mem, last bool) {
		tc.add(c, v, m, last, false)
	}, acc)
	c.Label("noadd")

	c.TESTQ(operand.U32(epilogueBias), flags)
	c.JZ(operand.LabelRef("nobias"))
	pbias := c.Load(c.Param("bias").Base(), c.GP64())
	for i := range acc {
		for j, v := range acc[i] {
			tc.add(c, v, operand.Mem{Base: pbias, Disp: 4 * j * g.s.lanes}, j == g.nv-1, true)
		}
	}
	c.Label("nobias")

	c.TESTQ(operand.U32(epilogueReLU), flags)
	c.JZ(operand.LabelRef("norelu"))
	zero := zeroed(c, g.s)
	for i := range acc {
		for _, v := range acc[i] {
			// Intel VMAXPS v, zero, v returns its second source, v,
			// when either is NaN or both are zeros: NaN and −0 pass.
			c.VMAXPS(v, zero, v)
		}
	}
	c.JMP(operand.LabelRef("stored"))
	c.Label("norelu")

	c.TESTQ(operand.U32(epilogueLeaky), flags)
	c.JZ(operand.LabelRef("stored"))
	zero = zeroed(c, g.s)
	slope := broadcastParam(c, g.s, "slope")
	for i := range acc {
		for _, v := range acc[i] {
			g.leaky(c, v, zero, slope)
		}
	}
	c.Label("stored")
}

// leaky emits v = v < 0 ? slope·v : v. The ordered less-than is false
// for NaN and for −0, which pass as they are.
func (g gemmKernel) leaky(c *build.Context, v, zero, slope reg.VecVirtual) {
	const lessOrdered = 1 // _CMP_LT_OS
	if g.s.lanes == 16 {
		k := c.K()
		c.VCMPPS(operand.U8(lessOrdered), zero, v, k)
		c.VMULPS(slope, v, k, v)
		return
	}
	neg, prod := g.s.vec(c), g.s.vec(c)
	c.VCMPPS(operand.U8(lessOrdered), zero, v, neg)
	c.VMULPS(slope, v, prod)
	c.VBLENDVPS(neg, prod, v, v)
}

// rows emits store(acc[i][j], the vector j of row i of C, whether it is
// the row's last) for the whole tile, advancing pc by ldc bytes between
// rows.
func (g gemmKernel) rows(c *build.Context, pc, ldc reg.Register, store func(v reg.VecVirtual, m operand.Mem, last bool), acc [][]reg.VecVirtual) {
	for i := range g.mr {
		for j := range g.nv {
			store(acc[i][j], operand.Mem{Base: pc, Disp: 4 * j * g.s.lanes}, j == g.nv-1)
		}
		if i < g.mr-1 {
			c.ADDQ(ldc, pc)
		}
	}
}

// prefetchTile emits a PREFETCHT0 of every cache line of the tile's rows
// of C, so that their misses overlap the k loop instead of stalling the
// stores after it: for each row its first element, every 64 bytes after
// it, and its last element, which covers every line whatever the
// alignment and names no address outside the row. pc does not move.
func (g gemmKernel) prefetchTile(c *build.Context, pc, ldc reg.Register) {
	row := c.GP64()
	c.MOVQ(pc, row)
	last := 4 * (g.nr() - 1)
	for i := range g.mr {
		for off := 0; off < last; off += 64 {
			c.PREFETCHT0(operand.Mem{Base: row, Disp: off})
		}
		c.PREFETCHT0(operand.Mem{Base: row, Disp: last})
		if i < g.mr-1 {
			c.ADDQ(ldc, row)
		}
	}
}
