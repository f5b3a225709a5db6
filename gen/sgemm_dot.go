package main

import (
	"fmt"

	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// The dot kernel serves products of at most ten columns, the output layer
// of a ten-class classifier above all. The other kernels put the columns
// in the vector lanes, so ten columns use ten lanes of sixteen: at most
// 0.625 of the peak, and the row kernels measured 0.42–0.48. The dot
// kernel puts k in the lanes instead, where it is long (128 in the MNIST
// model): each of its 2×10 accumulators holds sixteen partial sums of one
// element of C, fed by one FMA per sixteen values of k, A's rows and Bᵀ's
// rows both read where they lie (Bᵀ is W as nn stores it). After the k
// loop, a tree of shuffles and additions folds each row's ten
// accumulators into one vector holding its ten sums in order, 33
// operations against the 80 FMAs of k = 128; the epilogue and the masked
// store are the row kernels'.
//
// The tree: unpacking the low and high pairs of two vectors and adding
// leaves, in each 128-bit block, two partial sums of each (level 1); the
// same with 64-bit pairs leaves one of each of four vectors per block
// (level 2); two shuffles of 128-bit blocks (VSHUFF32X4) and an addition
// halve the blocks per vector twice more (levels 3 and 4), and the last
// vector holds the sum of vector j in lane j.

// dotRows and dotCols are the dot kernel's tile.
const dotRows, dotCols = 2, 10

// declareDot declares SgemmDot<dotRows>x<dotCols><suffix>, with the doc
// comment's lines after the sum's definition in rest.
func declareDot(c *build.Context, s isa, rest ...string) {
	name := fmt.Sprintf("SgemmDot%dx%d%s", dotRows, dotCols, s.suffix)
	doc := []string{
		fmt.Sprintf("%s computes one %d×%d tile of C from %d rows of A and %d rows of", name, dotRows, dotCols, dotRows, dotCols),
		"Bᵀ as they lie: acc[i][j] = Σ_{p<k} a[i·lda+p]·bt[j·ldbt+p], as",
		fmt.Sprintf("%d partial sums (lane l takes p ≡ l mod %d, in order, one FMA each) added", s.lanes, s.lanes),
	}
	doc = append(append(doc, rest...), s.requires)
	declare(c, name, "func(a []float32, lda int, bt []float32, ldbt int, c []float32, k, ldc, cols int, flags uint, bias []float32, slope float32)", doc...)
}

// generateDot emits SgemmDot2x10AVX512.
func generateDot(c *build.Context) {
	declareDot(c, avx512,
		"up by a fixed tree; then the epilogue (package doc) and the store on the",
		"first cols columns only, 1 ≤ cols ≤ 10. All ten rows of bt are read whatever cols is.",
		"k ≥ 1, lda ≥ k, ldbt ≥ k, len(a) ≥ lda + k, len(bt) ≥ 9·ldbt + k,",
		"ldc ≥ cols, len(c) ≥ ldc + cols, len(bias) ≥ 16 with flag 2; none of",
		"this is checked. Nothing outside the first k values of each of those",
		"rows of a and bt, the first 16 of bias (with flag 2 only) and the",
		"2×cols window of c is read or written.",
	)
	lda, ldbt, ldc := stride(c, "lda"), stride(c, "ldbt"), stride(c, "ldc")
	pa := rowPointers(c, "a", lda, dotRows)
	q := rowPointers(c, "bt", ldbt, dotCols)
	pc := c.Load(c.Param("c").Base(), c.GP64())
	k := c.Load(c.Param("k"), c.GP64())

	tile := gemmKernel{s: avx512, mr: dotRows, nv: 1}
	tile.prefetchTile(c, pc, ldc)

	acc := make([][]reg.VecVirtual, dotRows)
	for i := range acc {
		acc[i] = make([]reg.VecVirtual, dotCols)
		for j := range acc[i] {
			acc[i][j] = c.ZMM()
			zero(c, avx512, acc[i][j])
		}
	}
	// step emits the FMAs of sixteen values of k, loaded through mask
	// (zeroing the lanes past k) when it is not nil.
	step := func(mask reg.Register) {
		load := func(m operand.Mem) reg.VecVirtual {
			v := c.ZMM()
			if mask == nil {
				c.VMOVUPS(m, v)
			} else {
				c.VMOVUPS_Z(m, mask, v)
			}
			return v
		}
		av := make([]reg.VecVirtual, dotRows)
		for i := range av {
			av[i] = load(rowAt(pa, lda, i, 0))
		}
		for j := range dotCols {
			bv := load(rowAt(q, ldbt, j, 0))
			for i := range av {
				c.VFMADD231PS(bv, av[i], acc[i][j])
			}
		}
	}
	c.CMPQ(k, operand.U32(16))
	c.JB(operand.LabelRef("tail"))
	c.Label("chunk")
	step(nil)
	for _, r := range append(pa, q...) {
		c.ADDQ(operand.U32(64), r)
	}
	c.SUBQ(operand.U32(16), k)
	c.CMPQ(k, operand.U32(16))
	c.JAE(operand.LabelRef("chunk"))
	c.Label("tail")
	c.TESTQ(k, k)
	c.JZ(operand.LabelRef("reduce"))
	step(lowMask(c, k))
	c.Label("reduce")

	sums := make([][]reg.VecVirtual, dotRows)
	for i := range sums {
		sums[i] = foldSums(c, avx512, acc[i])
	}
	tile.finish(c, pc, ldc, sums, tileCols{cols: "cols"})
}

// foldSums returns vectors whose lane j holds the sum of the lanes of
// v[j] (lane j − 8 of the second vector for AVX2's j ≥ 8), for up to 16
// vectors, by the tree described above; v is clobbered.
func foldSums(c *build.Context, s isa, v []reg.VecVirtual) []reg.VecVirtual {
	var z reg.VecVirtual // a zero vector, made when a level has an odd count
	pairs := func(v []reg.VecVirtual, combine func(x, y reg.VecVirtual) reg.VecVirtual) []reg.VecVirtual {
		var out []reg.VecVirtual
		for i := 0; i < len(v); i += 2 {
			y := z
			if i+1 < len(v) {
				y = v[i+1]
			} else if z == nil {
				z = zeroed(c, s)
				y = z
			}
			out = append(out, combine(v[i], y))
		}
		return out
	}
	add := func(lo, hi reg.VecVirtual) reg.VecVirtual {
		c.VADDPS(hi, lo, lo)
		return lo
	}
	// Levels 1 and 2: x's and y's values interleaved, in 32- and then
	// 64-bit pairs, within each 128-bit block.
	v = pairs(v, func(x, y reg.VecVirtual) reg.VecVirtual {
		lo, hi := s.vec(c), s.vec(c)
		c.VUNPCKLPS(y, x, lo)
		c.VUNPCKHPS(y, x, hi)
		return add(lo, hi)
	})
	v = pairs(v, func(x, y reg.VecVirtual) reg.VecVirtual {
		lo, hi := s.vec(c), s.vec(c)
		c.VUNPCKLPD(y, x, lo)
		c.VUNPCKHPD(y, x, hi)
		return add(lo, hi)
	})
	if !wide(s) {
		// Level 3 of two blocks: x's low block and y's, plus the high
		// ones.
		return pairs(v, func(x, y reg.VecVirtual) reg.VecVirtual {
			lo, hi := s.vec(c), s.vec(c)
			c.VPERM2F128(operand.U8(0x20), y, x, lo)
			c.VPERM2F128(operand.U8(0x31), y, x, hi)
			return add(lo, hi)
		})
	}
	// Levels 3 and 4: blocks 0 and 2 of x then of y, plus blocks 1 and 3;
	// both, whatever the count, to fold four blocks into one.
	for range 2 {
		v = pairs(v, func(x, y reg.VecVirtual) reg.VecVirtual {
			lo, hi := s.vec(c), s.vec(c)
			c.VSHUFF32X4(operand.U8(0x88), y, x, lo)
			c.VSHUFF32X4(operand.U8(0xdd), y, x, hi)
			return add(lo, hi)
		})
	}
	return v
}

// generateDotAVX2 emits SgemmDot2x10AVX2: the same tile with YMM vectors,
// one row's k loop after the other (2×10 accumulators do not fit AVX2's
// 16 registers; one row's 10 take each value of bt from memory in its
// FMA), then the epilogue and the store of both rows, 8 + 2 columns each.
// It has no masks: k must be a multiple of 8, and it writes all ten
// columns, which package kernels stages for a narrower product.
func generateDotAVX2(c *build.Context) {
	declareDot(c, avx2,
		"up by a fixed tree; then the epilogue (package doc) and the store of all",
		"ten columns (cols is not used). k ≥ 8 and a multiple of 8, lda ≥ k, ldbt ≥ k, len(a) ≥",
		"lda + k, len(bt) ≥ 9·ldbt + k, ldc ≥ 10, len(c) ≥ ldc + 10, len(bias) ≥",
		"10 with flag 2; none of this is checked. Nothing outside the first k",
		"values of each of those rows of a and bt, the first 10 of bias (with",
		"flag 2 only) and the 2×10 window of c is read or written.",
	)
	lda, ldbt, ldc := stride(c, "lda"), stride(c, "ldbt"), stride(c, "ldc")
	pa := c.Load(c.Param("a").Base(), c.GP64())
	k := c.GP64()
	q := make([]reg.GPVirtual, (dotCols+rowsPerPointer-1)/rowsPerPointer)
	for i := range q {
		q[i] = c.GP64()
	}
	sums := make([][]reg.VecVirtual, dotRows) // row i: columns 0–7, and 8–9 in lanes 0–1
	for i := range dotRows {
		// Row i: bt's row pointers from the start, a's row, k.
		for j := range q {
			setRowPointer(c, "bt", ldbt, q, j)
		}
		c.Load(c.Param("k"), k)
		acc := make([]reg.VecVirtual, dotCols)
		for j := range acc {
			acc[j] = c.YMM()
			zero(c, avx2, acc[j])
		}
		chunk := fmt.Sprintf("chunk%d", i)
		c.Label(chunk)
		av := c.YMM()
		c.VMOVUPS(operand.Mem{Base: pa}, av)
		for j := range acc {
			c.VFMADD231PS(rowAt(q, ldbt, j, 0), av, acc[j])
		}
		c.ADDQ(operand.U32(32), pa)
		for _, r := range q {
			c.ADDQ(operand.U32(32), r)
		}
		c.SUBQ(operand.U32(8), k)
		c.JNZ(operand.LabelRef(chunk))
		// pa is k values past row i: back to its start, then down a row.
		c.Load(c.Param("k"), k)
		c.SHLQ(operand.U8(2), k)
		c.SUBQ(k, pa)
		c.ADDQ(lda, pa)
		sums[i] = foldSums(c, avx2, acc)
	}
	pc := c.Load(c.Param("c").Base(), c.GP64())
	tile := gemmKernel{s: avx2, mr: dotRows, nv: 2}
	tile.finish(c, pc, ldc, sums, tileCols{two: true})
}
