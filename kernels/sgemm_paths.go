package kernels

// gemmPaths is a SIMD level's Sgemm: the packed algorithm and, where set,
// the row kernel for the products it serves better, the transposed
// algorithm for op(B) = Bᵀ with few rows, the dot kernel for a few
// columns and the small-m kernels for a few rows. The methods are bound once here:
// a method value made per call would allocate.
type gemmPaths struct {
	packed, rows, swapped, dot gemmFunc
	small                      gemmFunc // sgemm_small.go
	smallMinN, smallMinKT      int
	packedMR, packedNR         int
	rowsMR, rowsNR             int
	swappedMR, swappedNR       int // the tile of C, which is the row kernel's transposed
	dotMR, dotNR, dotKStep     int
	blocks                     gemmBlocks // the packed algorithm's
}

// setGemm makes p im's Sgemm, split over goroutines (parallelSgemm), and
// records the packed algorithm's block sizes for Tuning.
func (im *impl) setGemm(p *gemmPaths) {
	im.sgemm, im.blocks = parallelSgemm(p.pick), p.blocks
}

// newGemmPaths is the packed algorithm around mk and the row kernel rk.
func newGemmPaths(mk microKernel, rk rowKernel, pk packers) *gemmPaths {
	p := newPackedPaths(mk, pk)
	p.rows, p.rowsMR, p.rowsNR = newRowsGemm(rk, pk).sgemm, rk.mr, rk.nr
	return p
}

// newPackedPaths is the packed algorithm around mk alone, for a level
// without a row kernel; the with methods add the other paths.
func newPackedPaths(mk microKernel, pk packers) *gemmPaths {
	g := newBlockedGemm(mk, pk)
	return &gemmPaths{packed: g.sgemm, packedMR: mk.mr, packedNR: mk.nr, blocks: g.bs}
}

// withSwapped adds the transposed algorithm (swappedGemm) around the row
// kernel rk, its epilogue applied by passes.
func (p *gemmPaths) withSwapped(rk rowKernel, pk packers, passes epiloguePasses) *gemmPaths {
	p.swapped = newSwappedGemm(rk, pk, passes).sgemm
	p.swappedMR, p.swappedNR = rk.nr, rk.mr
	return p
}

// withDot adds the dot kernel's path (dotGemm) for products of at most
// dk.nr columns.
func (p *gemmPaths) withDot(dk dotKernel, pk packers) *gemmPaths {
	p.dot = newDotGemm(dk, pk).sgemm
	p.dotMR, p.dotNR, p.dotKStep = dk.mr, dk.nr, dk.kStep
	return p
}

// rowsMaxFlops bounds the products the row kernel takes whatever their
// width: up to it, packing op(A) costs more than it saves (measured on a
// Zen 5 at the squares 32 to 128: go test ./bench -bench 'Sgemm/shape=sq').
const rowsMaxFlops = 2 * 64 * 64 * 64

// pick chooses the path for a whole product, before it is split into
// stripes, so that every stripe of it takes the same path and the result
// does not depend on the split.
func (p *gemmPaths) pick(transA, transB bool, m, n, k int) (gemmFunc, int, int) {
	if !transA && p.small != nil && p.smallTakes(transB, m, n, k) {
		return p.small, smallMaxM, smallSplitNR
	}
	if !transA && p.dot != nil && n <= p.dotNR && k >= dotMinK && k%p.dotKStep == 0 {
		return p.dot, p.dotMR, p.dotNR
	}
	if !transA && p.rows != nil && (n <= p.rowsNR || 2*float64(m)*float64(n)*float64(k) <= rowsMaxFlops) {
		return p.rows, p.rowsMR, p.rowsNR
	}
	if !transA && transB && p.swapped != nil && swapPays(m, n) {
		return p.swapped, p.swappedMR, p.swappedNR
	}
	return p.packed, p.packedMR, p.packedNR
}
