package kernels

import "testing"

// goMicroKernel is a plain-Go micro-kernel of any shape with the contract
// of microKernel: it lets the tests run the blocked driver with shapes no
// assembly has (odd ones, so that every edge path is taken) on any
// machine, independently of the assembly micro-kernels.
func goMicroKernel(mr, nr int) microKernel {
	return microKernel{mr: mr, nr: nr, fn: func(a, b, c []float32, kc, ldb, ldc int, flags uint, bias []float32, slope float32) {
		goTile(mr, nr, a, 1, mr, b, ldb, 1, c, kc, ldc, flags, bias, slope)
	}}
}

// goShortKernel is goMicroKernel's short kernel (microKernel.short): the
// first mr rows of an mr×nr tile from panels of op(A) packed panel rows
// high.
func goShortKernel(mr, panel, nr int) *microKernel {
	return &microKernel{mr: mr, nr: nr, fn: func(a, b, c []float32, kc, ldb, ldc int, flags uint, bias []float32, slope float32) {
		goTile(mr, nr, a, 1, panel, b, ldb, 1, c, kc, ldc, flags, bias, slope)
	}}
}

// goRowKernel is goMicroKernel's row kernel, with the contract of
// rowKernel's fn: A's rows where they lie, lda apart.
func goRowKernel(mr, nr int) rowKernel {
	return rowKernel{mr: mr, nr: nr, fn: func(a []float32, lda int, b, c []float32, kc, ldc int, flags uint, bias []float32, slope float32) {
		goTile(mr, nr, a, lda, 1, b, nr, 1, c, kc, ldc, flags, bias, slope)
	}}
}

// goDotKernel is a plain-Go dot kernel with the contract of an unmasked
// dotKernel (the AVX2 one's: all nr columns written, k in steps of two
// here), which the driver stages for narrower products.
func goDotKernel(mr, nr int) dotKernel {
	return dotKernel{mr: mr, nr: nr, kStep: 2, fn: func(a []float32, lda int, bt []float32, ldbt int, c []float32, k, ldc, _ int, flags uint, bias []float32, slope float32) {
		if k%2 != 0 {
			panic("goDotKernel: odd k")
		}
		goTile(mr, nr, a, lda, 1, bt, 1, ldbt, c, k, ldc, flags, bias, slope)
	}}
}

// goTile computes an mr×nr tile as the micro-kernels' contract says, with
// a[i·ai + p·ap] the value of op(A) at row i, column p of the tile's panel
// and b[p·bp + j·bj] that of op(B) at row p, column j.
func goTile(mr, nr int, a []float32, ai, ap int, b []float32, bp, bj int, c []float32, kc, ldc int, flags uint, bias []float32, slope float32) {
	for i := range mr {
		for j := range nr {
			var s float32
			for p := range kc {
				s += a[i*ai+p*ap] * b[p*bp+j*bj]
			}
			goEpilogue(s, 1, c, i*ldc+j, flags, bias, j, slope)
		}
	}
}

// goEpilogue scales s, the product of the element of C at c[x] in column
// j of its tile, by alpha, applies the epilogue that flags selects (asm's
// package doc) and stores it, as the kernels do.
func goEpilogue(s, alpha float32, c []float32, x int, flags uint, bias []float32, j int, slope float32) {
	s *= alpha
	if flags&epilogueAdd != 0 {
		s += c[x]
	}
	if flags&epilogueBias != 0 {
		s += bias[j]
	}
	if s < 0 && flags&epilogueReLU != 0 {
		s = 0
	}
	if s < 0 && flags&epilogueLeaky != 0 {
		s *= slope
	}
	c[x] = s
}

// gemmTestImpls are the implementations the GEMM tests run: those under
// test, and the blocked driver around a plain-Go 3×5 micro-kernel, so
// that the driver is tested on every GOARCH: the grid's sizes (3, 5, 15,
// 16, ...) give it full tiles and edge tiles of every kind. The driver
// runs twice, with this machine's block sizes and with tiny ones (kc = 7,
// mc = 6, nc = 10), which split the grid's products into several blocks
// along every dimension, so that each block's offsets into A, B and C
// are checked too; the second also has a 3×2 edge kernel for the panels
// of one or two columns. Both have short kernels of two rows for the
// last panels of one or two rows. The tiny blocks are left out with -short, which the
// emulated runs use: the driver is the same Go code on every GOARCH, and
// its checks take a third of the package's time under qemu.
//
// A third runs the SIMD levels' choice of paths (gemmPaths) around Go
// kernels: the row kernel, and the transposed algorithm around a 3×7 row
// kernel with 3×4 and 3×2 edge kernels, a 2×3 dot kernel, and the
// small-m path around Go kernels (goSmallKernels), so that those paths
// too are tested on every GOARCH. On amd64 with AVX-512, the packed
// algorithm also runs with the block sizes of the other vendor's CPUs
// (blocksTestImpls), but under the race detector.
func gemmTestImpls() []*impl {
	blocked := generic
	blocked.name = "blocked-go-3x5"
	mk3 := goMicroKernel(3, 5)
	mk3.short = goShortKernel(2, 3, 5)
	blocked.sgemm = parallelSgemm(one(newBlockedGemm(mk3, packers{}).sgemm, 3, 5))
	paths := generic
	paths.name = "paths-go"
	wide, mid, narrow := goRowKernel(3, 7), goRowKernel(3, 4), goRowKernel(3, 2)
	mid.edge = &narrow
	wide.edge = &mid
	paths.sgemm = parallelSgemm(newGemmPaths(goMicroKernel(3, 5), goRowKernel(3, 5), packers{}).
		withSwapped(wide, packers{}, fallbackPasses).withDot(goDotKernel(2, 3), packers{}).
		withSmall(goSmallKernels(false)).pick)
	// The other CPUs' block sizes run the same Go driver with other loop
	// bounds, which adds nothing the race detector can see (testImpls).
	var otherBlocks []*impl
	if !raceBuild {
		otherBlocks = blocksTestImpls()
	}
	if testing.Short() {
		return append(append(testImpls(), &blocked, &paths), otherBlocks...)
	}
	tiny := generic
	tiny.name = "blocked-go-3x5-tiny-blocks"
	mk, edge := goMicroKernel(3, 5), goMicroKernel(3, 2)
	mk.short, edge.short = goShortKernel(2, 3, 5), goShortKernel(2, 3, 2)
	mk.edge = &edge
	g := newBlockedGemm(mk, packers{})
	g.bs = gemmBlocks{kc: 7, mc: 6, nc: 10}
	tiny.sgemm = parallelSgemm(one(g.sgemm, 3, 5))
	return append(append(testImpls(), &blocked, &paths, &tiny), otherBlocks...)
}

// forEachGemmImpl is forEachImpl over gemmTestImpls.
func forEachGemmImpl(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	forEachImplIn(t, gemmTestImpls(), f)
}

// TestBlocksForCaches checks the block sizes the rule gives for the CPUs
// blocksForCaches' comment lists.
func TestBlocksForCaches(t *testing.T) {
	const kib, mib = 1 << 10, 1 << 20
	for _, tc := range []struct {
		cpu        string
		l1, l2, l3 int
		avx512     gemmBlocks
		avx2       gemmBlocks
	}{
		{"Zen 4", 32 * kib, 1 * mib, 32 * mib, gemmBlocks{256, 510, 8192}, gemmBlocks{256, 510, 8192}},
		{"Zen 5", 48 * kib, 1 * mib, 32 * mib, gemmBlocks{256, 510, 8192}, gemmBlocks{384, 336, 8192}},
		{"Ice Lake-SP", 48 * kib, 1280 * kib, 48 * mib, gemmBlocks{256, 636, 8192}, gemmBlocks{384, 426, 8192}},
		{"Sapphire Rapids", 48 * kib, 2 * mib, 105 * mib, gemmBlocks{256, 1020, 8192}, gemmBlocks{384, 678, 8192}},
		{"Granite Rapids", 48 * kib, 2 * mib, 504 * mib, gemmBlocks{256, 1020, 8192}, gemmBlocks{384, 678, 8192}},
		// Small caches hit the floors: kc's, and mc and nc of one tile.
		{"tiny", 4 * kib, 8 * kib, 64 * kib, gemmBlocks{256, 6, 64}, gemmBlocks{256, 6, 32}},
	} {
		if got := blocksForCaches(6, 64, tc.l1, tc.l2, tc.l3); got != tc.avx512 {
			t.Errorf("%s, 6×64: %+v, want %+v", tc.cpu, got, tc.avx512)
		}
		if got := blocksForCaches(6, 16, tc.l1, tc.l2, tc.l3); got != tc.avx2 {
			t.Errorf("%s, 6×16: %+v, want %+v", tc.cpu, got, tc.avx2)
		}
	}
}
