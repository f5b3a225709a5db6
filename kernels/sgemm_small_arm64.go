//go:build !purego

package kernels

import "github.com/simdnn/simdnn/asm"

// neonSmall are NEON's small-m kernels (sgemm_small.go;
// gen/sgemm_small_neon.go has their tiles). They write whole tiles, as
// AVX2's do: C's last partial vector or group of columns goes through the
// driver's staging tile.
//
// smallTakes' conditions for them are argued, not measured (emulation
// says nothing of speed). NEON's alternative is the packed path alone:
// no row, dot or transposed kernels, and Go loops packing op(A) and op(B)
// at about a value per ns (asm/NEON.md). So:
//
//   - every n (minN 1), and m > n too: a product of at most 16 rows
//     reads op(B) in place, where the packed path copies op(A), and op(B)
//     too with Bᵀ, and runs tiles of 8 rows by 12 columns, 12 cycles a k
//     step on two FMLA pipes however few of them are C's. With n < 4 the
//     driver copies op(B)'s n columns into k×4 values, a third of the
//     packed path's 12-column panel. The slowest small-m tile, 1×4, has
//     one chain of FMLAs, 4 cycles a k step (the FMLA latency) for 4
//     columns; 8×4 takes 4 cycles too, for 8 rows.
//   - with op(B) = Bᵀ, k ≥ 16 (minKT): each element of C costs k/4
//     FMLAs and a quarter of a row's fold of three FADDPs, plus, for k's
//     rest, up to three one-lane steps. At k = 16 that is 4 FMLAs an
//     element, as many as AVX-512's k/16 FMAs at its dotMinK = 64, and
//     the fold and the rest a sixth of the work or less; at k = 4 they
//     weigh as much as the FMLAs, and the packed path's 8×12 tile, which
//     has no fold, uses the pipes better; its packing costs about
//     k·(m + n) ns, little at such k.
//   - m = 16 with Bᵀ too: no transposed algorithm competes.
var neonSmall = smallKernels{lanes: 4, tNR: 4, minN: 1, minKT: 16,
	n: [][]smallNKernel{
		{{64, asm.SgemmSmallN1x64NEON}, {32, asm.SgemmSmallN1x32NEON}, {16, asm.SgemmSmallN1x16NEON}, {8, asm.SgemmSmallN1x8NEON}, {4, asm.SgemmSmallN1x4NEON}},
		{{32, asm.SgemmSmallN2x32NEON}, {16, asm.SgemmSmallN2x16NEON}, {8, asm.SgemmSmallN2x8NEON}, {4, asm.SgemmSmallN2x4NEON}},
		{{32, asm.SgemmSmallN3x32NEON}, {16, asm.SgemmSmallN3x16NEON}, {8, asm.SgemmSmallN3x8NEON}, {4, asm.SgemmSmallN3x4NEON}},
		{{16, asm.SgemmSmallN4x16NEON}, {8, asm.SgemmSmallN4x8NEON}, {4, asm.SgemmSmallN4x4NEON}},
		{{16, asm.SgemmSmallN5x16NEON}, {8, asm.SgemmSmallN5x8NEON}, {4, asm.SgemmSmallN5x4NEON}},
		{{16, asm.SgemmSmallN6x16NEON}, {8, asm.SgemmSmallN6x8NEON}, {4, asm.SgemmSmallN6x4NEON}},
		{{12, asm.SgemmSmallN7x12NEON}, {8, asm.SgemmSmallN7x8NEON}, {4, asm.SgemmSmallN7x4NEON}},
		{{8, asm.SgemmSmallN8x8NEON}, {4, asm.SgemmSmallN8x4NEON}},
	},
	tWide: []smallTKernel{{16, asm.SgemmSmallT1x16NEON}, {8, asm.SgemmSmallT2x8NEON}, {8, asm.SgemmSmallT3x8NEON}},
	t:     []smallTKernel{{4, asm.SgemmSmallT1x4NEON}, {4, asm.SgemmSmallT2x4NEON}, {4, asm.SgemmSmallT3x4NEON}, {4, asm.SgemmSmallT4x4NEON}},
}
