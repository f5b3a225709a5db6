package main

import (
	"fmt"

	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// The packing routines copy GEMM operands into the layout the micro-kernels
// read (see sgemm.go): a panel of op(A) as kc groups of MR = 6 values, a
// panel of op(B) as kc groups of NR values. Two of the four cases the
// driver in package kernels packs are transposes, which its plain-Go loops
// do at about one value per nanosecond, more than half the time of the
// network's forward shapes; those two are generated here. The other two
// are contiguous copies: op(A) = A's stays in Go, and op(B) = B's strips
// are copied here too (packBN16, packBNCols), where Go's loops cost as
// much as the small products they feed.
//
// Both transpose blocks of rows in registers: each row of the source is
// read a vector at a time, and an unpack-and-shuffle network turns the
// vectors of several rows into the interleaved groups the panel wants.
// That network only moves values, so they pass bit for bit; PackA6 also
// multiplies by alpha, as the driver's loop does.
//
// Only AVX2 versions are generated, and the AVX-512 level calls them too:
// the transposes are bound by the caches, not by the vector width (see
// packBTs for the measurement).
//
// The last kc mod 4 values of each row go through scalar VMOVSS loads and
// stores, never through a wider access that would extend past a row's
// kc-th value, for the reason avx2Tail gives (VMASKMOVPS faults at guard
// pages under qemu).

// packFamily emits the packing routines: PackA6AVX2, PackA6TAVX2,
// PackBN16AVX2, PackBN64AVX2, PackBNColsAVX2, PackBT8AVX2 and
// PackBT16AVX2.
func packFamily(c *build.Context) {
	packA6(c)
	packA6T(c)
	packBN(c, 16)
	packBN(c, 64)
	packBNCols(c)
	for _, g := range packBTs {
		g.generate(c)
	}
}

// packMR is the number of rows PackA6 interleaves: MR of both
// micro-kernels.
const packMR = 6

// packA6 emits PackA6AVX2 with the contract in its doc comment.
//
// Four columns (p) of the six rows are 24 values of the panel, exactly six
// XMM vectors, so no store is partial: sixByFour builds them. The main
// loop does the same on YMM vectors, for columns 0–3 in the low 128-bit
// lanes and 4–7 in the high ones, then pairs the lanes into the six YMM
// vectors of the 48 values. One XMM block takes a remainder of 4 or more
// columns, a scalar loop the last 0–3.
//
// Writing the 48 values as twelve XMM halves (VMOVUPS and VEXTRACTF128 to
// memory) instead of pairing the lanes in registers ran about 8% slower
// with everything in L1 (20.5 against 22.5 values/ns on Zen 5); packing
// the 60×784 A of BenchmarkPack from L2 runs at 10–12 values/ns, ten
// times the driver's Go loop.
func packA6(c *build.Context) {
	name := "PackA6" + avx2.suffix
	declare(c, name, "func(dst, a []float32, lda, kc int, alpha float32)",
		name+" packs six rows of A into a panel of op(A) as the GEMM micro-kernel reads it (package doc),",
		"multiplied by alpha: dst[p·6+i] = alpha·a[i·lda+p] for every i < 6,",
		"p < kc, each product rounded to float32 (VMULPS, so a signalling NaN",
		"comes out quiet even when alpha = 1). kc ≥ 0, lda ≥ kc, len(a) ≥",
		"5·lda + kc, len(dst) ≥ 6·kc; none of this is checked. Nothing is read",
		"but the first kc values of each of the six rows, nothing written but",
		"dst[0 : 6·kc].",
		avx2.requires,
	)

	pd := c.Load(c.Param("dst").Base(), c.GP64())
	pa := c.Load(c.Param("a").Base(), c.GP64())
	ld := c.Load(c.Param("lda"), c.GP64())
	c.SHLQ(operand.U8(2), ld) // in bytes
	k := c.Load(c.Param("kc"), c.GP64())
	// Rows 0–2 are addressed from pa and rows 3–5 from pb = pa + 3·lda,
	// both with index lda scaled by 0, 1 or 2: no pointer per row.
	pb := c.GP64()
	c.LEAQ(operand.Mem{Base: pa, Index: ld, Scale: 2}, pb)
	c.ADDQ(ld, pb)
	row := func(i, disp int) operand.Mem {
		m := operand.Mem{Base: pa, Disp: disp}
		if i >= 3 {
			m.Base, i = pb, i-3
		}
		if i > 0 {
			m.Index, m.Scale = ld, uint8(i)
		}
		return m
	}
	alpha := broadcastParam(c, avx2, "alpha")
	advance := func(cols int) {
		c.ADDQ(operand.U32(4*cols), pa)
		c.ADDQ(operand.U32(4*cols), pb)
		c.ADDQ(operand.U32(4*packMR*cols), pd)
	}
	// load returns the six rows' vectors at the current columns,
	// multiplied by alpha; x selects XMM (4 columns) over YMM (8).
	load := func(x bool) [packMR]reg.VecVirtual {
		var r [packMR]reg.VecVirtual
		for i := range r {
			if x {
				r[i] = c.XMM()
				c.VMULPS(row(i, 0), alpha.AsX(), r[i])
			} else {
				r[i] = c.YMM()
				c.VMULPS(row(i, 0), alpha, r[i])
			}
		}
		return r
	}

	c.CMPQ(k, operand.U32(8))
	c.JB(operand.LabelRef("four"))
	c.Label("eight")
	q := sixByFour(c, c.YMM, load(false))
	// Lane 0 of q[j] holds the values for columns 0–3, lane 1 those for
	// 4–7; the 48 values are q[0..5]'s low lanes, then their high lanes.
	for j := 0; j < packMR; j += 2 {
		lo, hi := c.YMM(), c.YMM()
		c.VINSERTF128(operand.U8(1), q[j+1].AsX(), q[j], lo)
		// Intel VPERM2F128 hi, q[j], q[j+1], 0x31: q[j]'s high lane,
		// then q[j+1]'s.
		c.VPERM2F128(operand.U8(0x31), q[j+1], q[j], hi)
		c.VMOVUPS(lo, operand.Mem{Base: pd, Disp: 16 * j})
		c.VMOVUPS(hi, operand.Mem{Base: pd, Disp: 16 * (packMR + j)})
	}
	advance(8)
	c.SUBQ(operand.U32(8), k)
	c.CMPQ(k, operand.U32(8))
	c.JAE(operand.LabelRef("eight"))

	c.Label("four")
	c.CMPQ(k, operand.U32(4))
	c.JB(operand.LabelRef("tail"))
	q = sixByFour(c, c.XMM, load(true))
	for j, v := range q {
		c.VMOVUPS(v, operand.Mem{Base: pd, Disp: 16 * j})
	}
	advance(4)
	c.SUBQ(operand.U32(4), k)

	c.Label("tail")
	c.TESTQ(k, k)
	c.JZ(operand.LabelRef("done"))
	c.Label("scalar")
	for i := range packMR {
		v := c.XMM()
		c.VMOVSS(row(i, 0), v)
		c.VMULSS(alpha.AsX(), v, v)
		c.VMOVSS(v, operand.Mem{Base: pd, Disp: 4 * i})
	}
	advance(1)
	c.DECQ(k)
	c.JNZ(operand.LabelRef("scalar"))

	c.Label("done")
	c.VZEROUPPER()
	c.RET()
}

// sixByFour transposes, in each 128-bit lane, four columns of six rows
// r[0..5] into the panel's order: lane l of the result's vectors j = 0..5
// holds values 4j..4j+3 of the 24 that columns 4l..4l+3 make, that is the
// groups (r0[p] … r5[p]) for p = 0..3 of the lane, one after another. vec
// allocates a register of r's width.
//
// With the pairs P01[p] = (r0[p], r1[p]), P23[p] and P45[p], the 24
// values are the 12 pairs P01[0] P23[0] P45[0] P01[1] … P45[3], two per
// vector. Unpacking the row pairs gives P01[0] P01[1] and P01[2] P01[3]
// (and the same for 23 and 45). Of each three vectors of the result, two
// join the low or the high halves of two of those (VSHUFPS), and the
// third blends two in place (VBLENDPS, which runs on more ports than a
// shuffle).
func sixByFour(c *build.Context, vec func() reg.VecVirtual, r [packMR]reg.VecVirtual) [packMR]reg.VecVirtual {
	// Go assembly lists operands in reverse: VUNPCKLPS b, a, t is Intel
	// VUNPCKLPS t, a, b = (a0, b0, a1, b1).
	unpack := func(a, b reg.VecVirtual) (lo, hi reg.VecVirtual) {
		lo, hi = vec(), vec()
		c.VUNPCKLPS(b, a, lo)
		c.VUNPCKHPS(b, a, hi)
		return lo, hi
	}
	p01l, p01h := unpack(r[0], r[1]) // P01[0] P01[1], P01[2] P01[3]
	p23l, p23h := unpack(r[2], r[3])
	p45l, p45h := unpack(r[4], r[5])
	// low joins the low pairs of a and b, high their high pairs (Intel
	// VSHUFPS t, a, b with 0x44 = a0 a1 b0 b1, 0xEE = a2 a3 b2 b3).
	low := func(a, b reg.VecVirtual) reg.VecVirtual {
		t := vec()
		c.VSHUFPS(operand.U8(0x44), b, a, t)
		return t
	}
	high := func(a, b reg.VecVirtual) reg.VecVirtual {
		t := vec()
		c.VSHUFPS(operand.U8(0xEE), b, a, t)
		return t
	}
	// lowHigh is a's low pair then b's high pair. Intel VBLENDPS t, a,
	// b, imm takes element e from b where bit e of imm is set, over the
	// whole register, not per lane: 0b11001100 takes elements 2, 3, 6
	// and 7 (an XMM blend ignores the high four bits).
	lowHigh := func(a, b reg.VecVirtual) reg.VecVirtual {
		t := vec()
		c.VBLENDPS(operand.U8(0b11001100), b, a, t)
		return t
	}
	return [packMR]reg.VecVirtual{
		low(p01l, p23l),     // P01[0] P23[0]
		lowHigh(p45l, p01l), // P45[0] P01[1]
		high(p23l, p45l),    // P23[1] P45[1]
		low(p01h, p23h),     // P01[2] P23[2]
		lowHigh(p45h, p01h), // P45[2] P01[3]
		high(p23h, p45h),    // P23[3] P45[3]
	}
}

// packBT is one transposing pack of B, PackBT<rows>AVX2: rows rows of b
// at a time, rows/8 YMM vectors per row of the output.
type packBT struct{ rows int }

// packBTs are the transposing packs generated. Strips of 16 rows are the
// faster ones for every NR the micro-kernels use (16 and 64): packing the
// first layer's 256×784 transposed B per kc block, on the development
// machine (Zen 5), 16-row strips ran at 10–13 values/ns and 8-row strips
// at 7–8 for NR = 64, and at 11 against 8 for NR = 16 at kc = 784. An
// 8-row strip writes half of each 64-byte line of the panel, and with
// more than a few dozen rows of panel the line leaves L1 before the next
// strip writes its other half; both run at about 22 values/ns when
// everything is in L1. An AVX-512 16-row version (one ZMM vector per
// output row, built from four 128-bit loads) ran no faster than this AVX2
// one, so there is none. PackBT8 stays for panels of 8 columns.
var packBTs = []packBT{{8}, {16}}

// generate emits PackBT<rows>AVX2 with the contract in its doc comment.
//
// Four columns (p) of 8 rows make one vector of each of 4 output rows.
// The loads put columns p..p+3 of row q in the low lane of vector q and
// those of row q+4 in the high lane, q < 4 (VBROADCASTF128, then
// VINSERTF128 from memory, which cost a load each rather than a
// shuffle), so one 4×4 transpose in each lane yields whole vectors of
// output rows: 4 unpacks and 4 shuffles per 32 values, and no lane
// crossing. The main loop takes 8 columns per iteration, one block of 4
// a remainder of 4 or more, a scalar loop the last 0–3.
func (g packBT) generate(c *build.Context) {
	rows := g.rows
	name := fmt.Sprintf("PackBT%d%s", rows, avx2.suffix)
	declare(c, name, "func(dst []float32, ldd int, b []float32, ldb, kc int)",
		fmt.Sprintf("%s transposes a %d-row strip of B into a strip of a packed", name, rows),
		fmt.Sprintf("panel: dst[p·ldd+q] = b[q·ldb+p] for every q < %d, p < kc, bit for bit.", rows),
		fmt.Sprintf("A panel of NR columns is NR/%d calls, dst advanced by %d and b by %d·ldb", rows, rows, rows),
		fmt.Sprintf("each time, with ldd = NR. kc ≥ 0, ldd ≥ %d, ldb ≥ kc, len(b) ≥ %d·ldb + kc,", rows, rows-1),
		fmt.Sprintf("len(dst) ≥ (kc−1)·ldd + %d when kc > 0; none of this is checked. Nothing", rows),
		fmt.Sprintf("is read but the first kc values of each of the %d rows of b, nothing", rows),
		fmt.Sprintf("written but dst[p·ldd : p·ldd+%d] for p < kc.", rows),
		avx2.requires,
	)

	pd := c.Load(c.Param("dst").Base(), c.GP64())
	ldd := c.Load(c.Param("ldd"), c.GP64())
	c.SHLQ(operand.U8(2), ldd) // in bytes
	ld := c.Load(c.Param("ldb"), c.GP64())
	c.SHLQ(operand.U8(2), ld)
	k := c.Load(c.Param("kc"), c.GP64())
	// Each group of four rows of b is addressed from its own base with
	// index ldb scaled by 0, 1 or 2, or 3·ldb; the output rows the same
	// way from pd with ldd and 3·ldd.
	bases := make([]reg.Register, rows/4)
	bases[0] = c.Load(c.Param("b").Base(), c.GP64())
	for l := 1; l < len(bases); l++ {
		bases[l] = c.GP64()
		c.LEAQ(operand.Mem{Base: bases[l-1], Index: ld, Scale: 4}, bases[l])
	}
	ld3 := c.GP64()
	c.LEAQ(operand.Mem{Base: ld, Index: ld, Scale: 2}, ld3)
	ldd3 := c.GP64()
	c.LEAQ(operand.Mem{Base: ldd, Index: ldd, Scale: 2}, ldd3)
	// at addresses row i of four rows from base, with the row stride s
	// and 3·s in s3.
	at := func(base, s, s3 reg.Register, i, disp int) operand.Mem {
		m := operand.Mem{Base: base, Disp: disp}
		switch i {
		case 1, 2:
			m.Index, m.Scale = s, uint8(i)
		case 3:
			m.Index, m.Scale = s3, 1
		}
		return m
	}
	row := func(q, disp int) operand.Mem { return at(bases[q/4], ld, ld3, q%4, disp) }
	// block transposes columns disp/4 .. disp/4+3 (from the current
	// ones) into output rows pd, pd+ldd, pd+2·ldd, pd+3·ldd, eight
	// rows of b (one vector of each output row) at a time.
	block := func(disp int) {
		for h := 0; h < rows; h += 8 {
			var x [4]reg.VecVirtual
			for q := range x {
				// VBROADCASTF128 is a load like a VMOVUPS of the
				// low lane, but it writes the whole register: avo's
				// liveness does not know that a VEX write of the
				// low lane zeroes the rest, and would keep the
				// register live through the whole function.
				x[q] = c.YMM()
				c.VBROADCASTF128(row(h+q, disp), x[q])
				c.VINSERTF128(operand.U8(1), row(h+q+4, disp), x[q], x[q])
			}
			for j, v := range fourByFour(c, x) {
				m := at(pd, ldd, ldd3, j, 0)
				m.Disp = 4 * h
				c.VMOVUPS(v, m)
			}
		}
	}
	nextRows := func() { c.LEAQ(operand.Mem{Base: pd, Index: ldd, Scale: 4}, pd) }
	advance := func(cols int) {
		for _, b := range bases {
			c.ADDQ(operand.U32(4*cols), b)
		}
	}

	c.CMPQ(k, operand.U32(8))
	c.JB(operand.LabelRef("four"))
	c.Label("eight")
	block(0)
	nextRows()
	block(16)
	nextRows()
	advance(8)
	c.SUBQ(operand.U32(8), k)
	c.CMPQ(k, operand.U32(8))
	c.JAE(operand.LabelRef("eight"))

	c.Label("four")
	c.CMPQ(k, operand.U32(4))
	c.JB(operand.LabelRef("tail"))
	block(0)
	nextRows()
	advance(4)
	c.SUBQ(operand.U32(4), k)

	c.Label("tail")
	c.TESTQ(k, k)
	c.JZ(operand.LabelRef("done"))
	c.Label("scalar")
	for q := range rows {
		v := c.XMM()
		c.VMOVSS(row(q, 0), v)
		c.VMOVSS(v, operand.Mem{Base: pd, Disp: 4 * q})
	}
	c.ADDQ(ldd, pd)
	advance(1)
	c.DECQ(k)
	c.JNZ(operand.LabelRef("scalar"))

	c.Label("done")
	c.VZEROUPPER()
	c.RET()
}

// fourByFour transposes the 4×4 block in each 128-bit lane of x[0..3]:
// lane l of result j holds element j of lane l of x[0], x[1], x[2], x[3].
func fourByFour(c *build.Context, x [4]reg.VecVirtual) [4]reg.VecVirtual {
	// Go assembly lists operands in reverse: VUNPCKLPS b, a, t is Intel
	// VUNPCKLPS t, a, b = (a0, b0, a1, b1); VSHUFPS 0x44 and 0xEE join
	// the low or the high halves of two vectors.
	var t [4]reg.VecVirtual
	for i := range t {
		t[i] = c.YMM()
	}
	c.VUNPCKLPS(x[1], x[0], t[0]) // x0[0] x1[0] x0[1] x1[1]
	c.VUNPCKHPS(x[1], x[0], t[1]) // x0[2] x1[2] x0[3] x1[3]
	c.VUNPCKLPS(x[3], x[2], t[2]) // x2[0] x3[0] x2[1] x3[1]
	c.VUNPCKHPS(x[3], x[2], t[3]) // x2[2] x3[2] x2[3] x3[3]
	var o [4]reg.VecVirtual
	for i := range o {
		o[i] = c.YMM()
	}
	c.VSHUFPS(operand.U8(0x44), t[2], t[0], o[0])
	c.VSHUFPS(operand.U8(0xEE), t[2], t[0], o[1])
	c.VSHUFPS(operand.U8(0x44), t[3], t[1], o[2])
	c.VSHUFPS(operand.U8(0xEE), t[3], t[1], o[3])
	return o
}

// packA6T emits PackA6TAVX2, the packing of op(A) = Aᵀ: the six values of
// each k step lie side by side in a row of A, so it is a strided copy
// with alpha, not a transpose, but the driver's Go loop still spent a
// fifth of the dW product (784×256×256, A transposed) on it. Each step is
// one XMM and one 64-bit load, multiply and store: nothing is read past
// the six values, and the 24 bytes written per step abut, so no store
// reaches past dst[6·kc]. Two steps go per iteration.
func packA6T(c *build.Context) {
	name := "PackA6T" + avx2.suffix
	declare(c, name, "func(dst, a []float32, lda, kc int, alpha float32)",
		name+" packs six columns of A into a panel of op(A) as the GEMM micro-kernel reads it (package doc),",
		"multiplied by alpha: dst[p·6+i] = alpha·a[p·lda+i] for every i < 6,",
		"p < kc, each product rounded to float32 (VMULPS, so a signalling NaN",
		"comes out quiet even when alpha = 1). kc ≥ 0, lda ≥ 6, len(a) ≥",
		"(kc−1)·lda + 6 when kc > 0, len(dst) ≥ 6·kc; none of this is checked.",
		"Nothing is read but the first six values of each of the kc rows,",
		"nothing written but dst[0 : 6·kc].",
		avx2.requires,
	)
	pd := c.Load(c.Param("dst").Base(), c.GP64())
	pa := c.Load(c.Param("a").Base(), c.GP64())
	ld := c.Load(c.Param("lda"), c.GP64())
	c.SHLQ(operand.U8(2), ld) // in bytes
	k := c.Load(c.Param("kc"), c.GP64())
	alpha := c.XMM()
	c.VBROADCASTSS(param(c, "alpha"), alpha)
	// step packs the k step at row offset 0 (or ld: second) of pa into
	// the 24 bytes at disp of pd.
	step := func(second bool, disp int) {
		lo, hi := c.XMM(), c.XMM()
		src := func(d int) operand.Mem {
			m := operand.Mem{Base: pa, Disp: d}
			if second {
				m.Index, m.Scale = ld, 1
			}
			return m
		}
		c.VMULPS(src(0), alpha, lo) // values 0–3
		c.VMOVSD(src(16), hi)       // values 4–5, zero above
		c.VMULPS(hi, alpha, hi)
		c.VMOVUPS(lo, operand.Mem{Base: pd, Disp: disp})
		c.VMOVSD(hi, operand.Mem{Base: pd, Disp: disp + 16})
	}
	c.CMPQ(k, operand.U32(2))
	c.JB(operand.LabelRef("one"))
	c.Label("two")
	step(false, 0)
	step(true, 24)
	c.LEAQ(operand.Mem{Base: pa, Index: ld, Scale: 2}, pa)
	c.ADDQ(operand.U32(48), pd)
	c.SUBQ(operand.U32(2), k)
	c.CMPQ(k, operand.U32(2))
	c.JAE(operand.LabelRef("two"))
	c.Label("one")
	c.TESTQ(k, k)
	c.JZ(operand.LabelRef("done"))
	step(false, 0)
	c.Label("done")
	c.RET()
}

// stripArgs loads the arguments the copies of B's strips share: dst's and
// b's base pointers, their row strides in bytes, and kc.
func stripArgs(c *build.Context) (pd, ldd, pb, ldb, k reg.Register) {
	pd = c.Load(c.Param("dst").Base(), c.GP64())
	ldd = c.Load(c.Param("ldd"), c.GP64())
	c.SHLQ(operand.U8(2), ldd)
	pb = c.Load(c.Param("b").Base(), c.GP64())
	ldb = c.Load(c.Param("ldb"), c.GP64())
	c.SHLQ(operand.U8(2), ldb)
	k = c.Load(c.Param("kc"), c.GP64())
	return pd, ldd, pb, ldb, k
}

// packBN emits PackBN<w>AVX2, the packing of op(B) = B: w values of a
// row of B per k step, a plain copy, but Go's copy of a [16]float32
// goes through memmove, whose call cost as much as the move (a fifth of
// the forward product 64×784×256 at the AVX2 level). A 16-value strip is
// one cache line of the panel per step, the width of AVX2's panels; the
// 64-column panels of AVX-512 are copied whole, four lines per row in
// one pass down B, rather than in four passes of one line: on a Zen 4
// one pass ran 2.3× as fast with B 1024×1024 (rows 4 KiB apart, beyond
// L2) and 1.16× with B 256×256 (go test ./asm -bench PackBN).
func packBN(c *build.Context, w int) {
	name := fmt.Sprintf("PackBN%d%s", w, avx2.suffix)
	declare(c, name, "func(dst []float32, ldd int, b []float32, ldb, kc int)",
		fmt.Sprintf("%s copies a strip of %d columns of B into a panel for the GEMM", name, w),
		fmt.Sprintf("micro-kernels: dst[p·ldd+q] = b[p·ldb+q] for every q < %d, p < kc, bit", w),
		fmt.Sprintf("for bit. kc ≥ 0, ldd ≥ %d, ldb ≥ %d, len(b) ≥ (kc−1)·ldb + %d and", w, w, w),
		fmt.Sprintf("len(dst) ≥ (kc−1)·ldd + %d when kc > 0; none of this is checked. Nothing", w),
		fmt.Sprintf("is read but the strip's %d values of each of the kc rows of b, nothing", w),
		fmt.Sprintf("written but dst[p·ldd : p·ldd+%d] for p < kc.", w),
		avx2.requires,
	)
	pd, ldd, pb, ldb, k := stripArgs(c)
	c.TESTQ(k, k)
	c.JZ(operand.LabelRef("done"))
	c.Label("row")
	vs := make([]reg.VecVirtual, w/8)
	for i := range vs {
		vs[i] = c.YMM()
		c.VMOVUPS(operand.Mem{Base: pb, Disp: 32 * i}, vs[i])
	}
	for i, v := range vs {
		c.VMOVUPS(v, operand.Mem{Base: pd, Disp: 32 * i})
	}
	c.ADDQ(ldb, pb)
	c.ADDQ(ldd, pd)
	c.DECQ(k)
	c.JNZ(operand.LabelRef("row"))
	c.Label("done")
	c.VZEROUPPER()
	c.RET()
}

// packBNCols emits PackBNColsAVX2, the copy of an edge strip of op(B) = B
// narrower than its panel: the 10 columns of a classifier's output layer
// in the row kernels' 16-column panel. The driver's Go loop for it ran at
// about two values per nanosecond, a third of the whole 64×128×10
// product. Here each row of 8 or more values goes eight at a time, the
// last eight ending at the row's last value, overlapping the eight before
// (the values are the same, so the overlap is harmless, and nothing past
// the row is touched); a row of fewer than 8 goes one value at a time, as
// avx2Tail does and for its reason.
func packBNCols(c *build.Context) {
	name := "PackBNCols" + avx2.suffix
	declare(c, name, "func(dst []float32, ldd int, b []float32, ldb, kc, cols int)",
		name+" copies a strip of cols columns of B into a panel for the GEMM",
		"kernels: dst[p·ldd+q] = b[p·ldb+q] for every q < cols, p < kc, bit for",
		"bit. kc ≥ 0, cols ≥ 1, ldd ≥ cols, ldb ≥ cols, len(b) ≥ (kc−1)·ldb +",
		"cols and len(dst) ≥ (kc−1)·ldd + cols when kc > 0; none of this is",
		"checked. Nothing is read but the strip's cols values of each of the kc",
		"rows of b, nothing written but dst[p·ldd : p·ldd+cols] for p < kc.",
		avx2.requires,
	)
	pd, ldd, pb, ldb, k := stripArgs(c)
	cols := c.Load(c.Param("cols"), c.GP64())
	c.TESTQ(k, k)
	c.JZ(operand.LabelRef("done"))
	n, s, d := c.GP64(), c.GP64(), c.GP64()
	// last is the byte offset of the last eight values of a row.
	last := c.GP64()
	c.MOVQ(cols, last)
	c.SHLQ(operand.U8(2), last)
	c.SUBQ(operand.U32(32), last)
	c.Label("row")
	c.MOVQ(cols, n)
	c.MOVQ(pb, s)
	c.MOVQ(pd, d)
	c.CMPQ(n, operand.U32(8))
	c.JB(operand.LabelRef("scalar"))
	v := c.YMM()
	c.Label("vector")
	c.VMOVUPS(operand.Mem{Base: s}, v)
	c.VMOVUPS(v, operand.Mem{Base: d})
	c.ADDQ(operand.U32(32), s)
	c.ADDQ(operand.U32(32), d)
	c.SUBQ(operand.U32(8), n)
	c.CMPQ(n, operand.U32(8))
	c.JAE(operand.LabelRef("vector"))
	c.TESTQ(n, n)
	c.JZ(operand.LabelRef("next"))
	c.VMOVUPS(operand.Mem{Base: pb, Index: last, Scale: 1}, v)
	c.VMOVUPS(v, operand.Mem{Base: pd, Index: last, Scale: 1})
	c.JMP(operand.LabelRef("next"))
	c.Label("scalar")
	c.TESTQ(n, n)
	c.JZ(operand.LabelRef("next"))
	x := c.XMM()
	c.VMOVSS(operand.Mem{Base: s}, x)
	c.VMOVSS(x, operand.Mem{Base: d})
	c.ADDQ(operand.U32(4), s)
	c.ADDQ(operand.U32(4), d)
	c.DECQ(n)
	c.JMP(operand.LabelRef("scalar"))
	c.Label("next")
	c.ADDQ(ldb, pb)
	c.ADDQ(ldd, pd)
	c.DECQ(k)
	c.JNZ(operand.LabelRef("row"))
	c.Label("done")
	c.VZEROUPPER()
	c.RET()
}
