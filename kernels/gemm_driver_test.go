package kernels

import "testing"

// goMicroKernel is a plain-Go micro-kernel of any shape with the contract
// of microKernel: it lets the tests run the blocked driver with shapes no
// assembly has (odd ones, so that every edge path is taken) on any
// machine, independently of the assembly micro-kernels.
func goMicroKernel(mr, nr int) microKernel {
	return microKernel{mr: mr, nr: nr, fn: func(a, b, c []float32, kc, ldb, ldc int, flags uint, bias []float32, slope float32) {
		for i := range mr {
			for j := range nr {
				var s float32
				for p := range kc {
					s += a[p*mr+i] * b[p*ldb+j]
				}
				if flags&epilogueAdd != 0 {
					s += c[i*ldc+j]
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
				c[i*ldc+j] = s
			}
		}
	}}
}

// gemmTestImpls are the implementations the GEMM tests run: those under
// test, and the blocked driver around a plain-Go 3×5 micro-kernel, so
// that the driver is tested on every GOARCH: the grid's sizes (3, 5, 15,
// 16, ...) give it full tiles and edge tiles of every kind. The driver
// runs twice, with this machine's block sizes and with tiny ones (kc = 7,
// mc = 6, nc = 10), which split the grid's products into several blocks
// along every dimension, so that each block's offsets into A, B and C
// are checked too; the second also has a 3×2 edge kernel for the panels
// of one or two columns. The tiny blocks are left out with -short, which the
// emulated runs use: the driver is the same Go code on every GOARCH, and
// its checks take a third of the package's time under qemu.
func gemmTestImpls() []*impl {
	blocked := generic
	blocked.name = "blocked-go-3x5"
	blocked.sgemm = parallelSgemm(one(newBlockedGemm(goMicroKernel(3, 5), packers{}).sgemm, 3, 5))
	if testing.Short() {
		return append(testImpls(), &blocked)
	}
	tiny := generic
	tiny.name = "blocked-go-3x5-tiny-blocks"
	mk, edge := goMicroKernel(3, 5), goMicroKernel(3, 2)
	mk.edge = &edge
	g := newBlockedGemm(mk, packers{})
	g.bs = gemmBlocks{kc: 7, mc: 6, nc: 10}
	tiny.sgemm = parallelSgemm(one(g.sgemm, 3, 5))
	return append(testImpls(), &blocked, &tiny)
}

// forEachGemmImpl is forEachImpl over gemmTestImpls.
func forEachGemmImpl(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	forEachImplIn(t, gemmTestImpls(), f)
}
