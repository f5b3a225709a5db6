package fallback

// The micro-kernel computes one 1×gemmNR strip of op(A)·op(B) from packed
// panels: a row of op(A) and gemmNR columns of op(B), both kc long.
//
// Its shape and its odd style are the result of measurement on amd64
// (Zen 5; SIMDNN_KERNELS=generic go test ./bench -run '^$' -bench 'Sgemm$'
// -cpu 1 measures it inside Sgemm) and of how the Go compiler (1.26)
// treats such a loop:
//
//   - Go has no auto-vectorisation and does not fuse x*y+z on amd64, so each
//     product costs a load of b, a MULSS and an ADDSS, and a core with two
//     multiply and two add pipes does at most two products per cycle.
//     amd64 has 15 usable XMM registers (X15 is the zero register): 12
//     accumulators, the a value and one temporary for b fit with no
//     spills, and each b value is loaded once, straight into the
//     temporary. On Zen 5, the kernel alone runs at about 92% of a loop
//     of the same multiplies and adds with no loads; the shapes measured
//     against it (2×4, 2×5, 5×2, 3×3, 2×6, 4×4, 1×8, with and without
//     unrolling) were 5–20% slower or spilled.
//   - The loop is written as a single basic block: no bounds checks (the
//     panels are fixed-size arrays indexed with a mask, which the compiler
//     proves in range) and the exit test at the bottom. The scheduler places
//     values with no use in their own block last, so in a loop whose body
//     and phis are in different blocks it moves every accumulator update to
//     the end of the body, after all the products, and runs out of
//     registers.
//   - The accumulators start from memory (in) rather than from zero
//     constants, which lets the register allocator keep each one in the
//     same register across iterations instead of rotating them with moves.
//   - Two k steps per iteration halve the loop overhead; the packing pads
//     an odd kc with a zero step.

// gemmNR is the width of the micro-kernel's strip: the columns of a packed
// panel of op(B).
const gemmNR = 12

// gemmKC is the largest k block. It must be a power of two: the kernel
// indexes its panels modulo gemmKC/2 so that the compiler can drop the
// bounds checks.
const gemmKC = 256

type (
	// gemmBPair is two consecutive k steps of a packed panel of op(B),
	// gemmNR values each.
	gemmBPair = [2][gemmNR]float32
	// gemmAPanel and gemmBPanel are the largest packed row of op(A) and
	// panel of op(B), the arrays the kernel indexes. The packing buffers
	// are slices of float32 and of pairs, which convert to pointers to
	// them.
	gemmAPanel = [gemmKC]float32
	gemmBPanel = [gemmKC / 2]gemmBPair
)

// gemmKernel sets out[j] = in[j] + Σ_p a[p]·b[p][j] over the first
// 2·pairs k steps of the packed row as and panel bs, pairs ≥ 1; in and
// out may be the same. Each slice must hold a full-size array (it is
// converted to one, which checks its length once and, unlike a pointer
// argument, needs no nil checks in the loop).
func gemmKernel(pairs int, as []float32, bs []gemmBPair, in, out *[gemmNR]float32) {
	a, b := (*gemmAPanel)(as), (*gemmBPanel)(bs)
	c0, c1, c2, c3, c4, c5 := in[0], in[1], in[2], in[3], in[4], in[5]
	c6, c7, c8, c9, c10, c11 := in[6], in[7], in[8], in[9], in[10], in[11]
	q := 0
	for {
		p := 2 * q & (gemmKC - 2) // even, so p|1 is p+1
		pb := &b[q&(gemmKC/2-1)]

		x := a[p]
		r := &pb[0]
		c0 += x * r[0]
		c1 += x * r[1]
		c2 += x * r[2]
		c3 += x * r[3]
		c4 += x * r[4]
		c5 += x * r[5]
		c6 += x * r[6]
		c7 += x * r[7]
		c8 += x * r[8]
		c9 += x * r[9]
		c10 += x * r[10]
		c11 += x * r[11]

		x = a[p|1]
		r = &pb[1]
		c0 += x * r[0]
		c1 += x * r[1]
		c2 += x * r[2]
		c3 += x * r[3]
		c4 += x * r[4]
		c5 += x * r[5]
		c6 += x * r[6]
		c7 += x * r[7]
		c8 += x * r[8]
		c9 += x * r[9]
		c10 += x * r[10]
		c11 += x * r[11]

		q++
		if q >= pairs {
			break
		}
	}
	out[0], out[1], out[2], out[3], out[4], out[5] = c0, c1, c2, c3, c4, c5
	out[6], out[7], out[8], out[9], out[10], out[11] = c6, c7, c8, c9, c10, c11
}
