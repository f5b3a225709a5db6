package main

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/simdnn/simdnn/kernels"
)

// sgemmShape is one Sgemm problem of the benchmark: C (m×n) =
// op(A)·op(B) with inner dimension k, written M×K×N as in the GEMM issue's
// table.
type sgemmShape struct {
	name           string
	m, k, n        int
	transA, transB bool
}

// sgemmShapes are the squares from 32 to 2048, and the products of an
// MNIST MLP (784 inputs, 256 hidden units, 10 classes) at batch 64 and 256
// as the GEMM issue writes them, with the weights stored [in × out]: the
// forward pass X·W, its dX = dY·Wᵀ (B transposed) and dW = Xᵀ·dY (A
// transposed), and the 128→10 output layer. The fwdT shapes are the
// forward pass with the weights stored [out × in] as nn (and PyTorch)
// store them: X·Wᵀ, at batch 32 and 128 too; dXN and dWT its backward
// products.
var sgemmShapes = []sgemmShape{
	{name: "sq32", m: 32, k: 32, n: 32},
	{name: "sq64", m: 64, k: 64, n: 64},
	{name: "sq128", m: 128, k: 128, n: 128},
	{name: "sq256", m: 256, k: 256, n: 256},
	{name: "sq512", m: 512, k: 512, n: 512},
	{name: "sq1024", m: 1024, k: 1024, n: 1024},
	{name: "sq2048", m: 2048, k: 2048, n: 2048},
	{name: "fwd64x784x256", m: 64, k: 784, n: 256},
	{name: "fwd256x784x256", m: 256, k: 784, n: 256},
	{name: "fwdT64x784x256", m: 64, k: 784, n: 256, transB: true},
	{name: "fwdT32x784x256", m: 32, k: 784, n: 256, transB: true},
	{name: "fwdT128x784x256", m: 128, k: 784, n: 256, transB: true},
	{name: "fwdT256x784x256", m: 256, k: 784, n: 256, transB: true},
	{name: "dX64x256x784", m: 64, k: 256, n: 784, transB: true},
	{name: "dX256x256x784", m: 256, k: 256, n: 784, transB: true},
	{name: "dW784x64x256", m: 784, k: 64, n: 256, transA: true},
	{name: "dW784x256x256", m: 784, k: 256, n: 256, transA: true},
	{name: "out64x128x10", m: 64, k: 128, n: 10},
	{name: "out256x128x10", m: 256, k: 128, n: 10},
	{name: "outT256x128x10", m: 256, k: 128, n: 10, transB: true},
	// The backward products as nn computes them with W [out × in]:
	// dX = dY·W (no transpose) and dW = dYᵀ·X (M = out, N = in).
	{name: "dXN64x256x784", m: 64, k: 256, n: 784},
	{name: "dWT256x64x784", m: 256, k: 64, n: 784, transA: true},
	// Inference at small batch: the first layer's forward pass with
	// the weights stored [in × out] (X·W) and [out × in] (X·Wᵀ).
	{name: "fwd1x784x256", m: 1, k: 784, n: 256},
	{name: "fwd4x784x256", m: 4, k: 784, n: 256},
	{name: "fwd8x784x256", m: 8, k: 784, n: 256},
	{name: "fwd16x784x256", m: 16, k: 784, n: 256},
	{name: "fwdT1x784x256", m: 1, k: 784, n: 256, transB: true},
	{name: "fwdT4x784x256", m: 4, k: 784, n: 256, transB: true},
	{name: "fwdT8x784x256", m: 8, k: 784, n: 256, transB: true},
	{name: "fwdT16x784x256", m: 16, k: 784, n: 256, transB: true},
}

// lds returns the leading dimensions of the shape's dense operands.
func (s sgemmShape) lds() (lda, ldb int) {
	lda, ldb = s.k, s.n
	if s.transA {
		lda = s.m
	}
	if s.transB {
		ldb = s.k
	}
	return lda, ldb
}

// sgemmImpl is one side of the comparison.
type sgemmImpl struct {
	name string
	gemm func(s sgemmShape, a, b, c []float32)
}

// sgemmImpls are the sides of the comparison: simdnn's public Sgemm,
// whichever implementation is active (SIMDNN_KERNELS lowers it), and
// gonum's blas32.Gemm (gonumSgemm), and a naive triple loop. simdnn and gonum spread large products
// over GOMAXPROCS goroutines, so compare single-threaded with -cpu 1. Built
// with -tags openblas (cgo, Debian's libopenblas-dev), OpenBLAS's
// cblas_sgemm on one thread joins them.
var sgemmImpls = []sgemmImpl{
	{"simdnn", func(s sgemmShape, a, b, c []float32) {
		lda, ldb := s.lds()
		kernels.Sgemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, b, ldb, 0, c, s.n)
	}},
	{"gonum", func(s sgemmShape, a, b, c []float32) {
		lda, ldb := s.lds()
		gonumSgemm(s.transA, s.transB, s.m, s.n, s.k, a, lda, b, ldb, c, s.n)
	}},
	{"naive", naiveGemm},
}

// benchSgemms returns sgemmImpls, with OpenBLAS when the build has it
// (a function, not an init, so that it does not depend on the order in
// which the files' init functions run).
func benchSgemms() []sgemmImpl {
	if openblasSgemm == nil {
		return sgemmImpls
	}
	return append(slices.Clip(sgemmImpls), sgemmImpl{"openblas", func(s sgemmShape, a, b, c []float32) {
		lda, ldb := s.lds()
		openblasSgemm(s.transA, s.transB, s.m, s.n, s.k, a, lda, b, ldb, c, s.n)
	}})
}

// naiveGemm is the textbook triple loop (i, p, j: the inner loop runs
// along rows of B and C), the speed of a Go program that writes its own
// matrix product. BenchmarkSgemm runs it only up to 2·256³ FLOPs: beyond,
// one call takes seconds.
func naiveGemm(s sgemmShape, a, b, c []float32) {
	lda, ldb := s.lds()
	clear(c[:s.m*s.n])
	for i := range s.m {
		ci := c[i*s.n : (i+1)*s.n]
		for p := range s.k {
			var av float32
			if s.transA {
				av = a[p*lda+i]
			} else {
				av = a[i*lda+p]
			}
			if s.transB {
				for j := range ci {
					ci[j] += av * b[j*ldb+p]
				}
				continue
			}
			bp := b[p*ldb : p*ldb+s.n]
			for j := range ci {
				ci[j] += av * bp[j]
			}
		}
	}
}

// BenchmarkSgemm measures C = op(A)·op(B) (alpha 1, beta 0) per shape and
// implementation, named shape=…/impl=… so that benchstat can put the two
// side by side; they run one after the other for each shape, so that a
// change in the load of a shared machine biases neither. Each reports
// GFLOP/s and, on amd64 and arm64, its fraction of the FMA peak of the active
// implementation's vector width (peak-frac), the peak measured in the same
// process (see fmaPeak); the ratios hold while the clock drifts.
//
//	go test ./bench -run '^$' -bench Sgemm -cpu 1 -count 6 > x.txt
//	benchstat -col /impl x.txt
func BenchmarkSgemm(b *testing.B) {
	for _, s := range sgemmShapes {
		b.Run("shape="+s.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			a := sgemmRand(rng, s.m*s.k)
			bm := sgemmRand(rng, s.k*s.n)
			c := make([]float32, s.m*s.n)
			for _, im := range benchSgemms() {
				if im.name == "naive" && 2*s.m*s.n*s.k > 2*256*256*256 {
					continue
				}
				b.Run("impl="+im.name, func(b *testing.B) {
					im.gemm(s, a, bm, c) // warm the caches and buffer pools
					for b.Loop() {
						im.gemm(s, a, bm, c)
					}
					flops := 2 * float64(s.m) * float64(s.n) * float64(s.k)
					gflops := flops * float64(b.N) / float64(b.Elapsed().Nanoseconds())
					b.ReportMetric(gflops, "GFLOP/s")
					if peak := peakGFLOPS(); peak > 0 {
						b.ReportMetric(gflops/peak, "peak-frac")
					}
				})
			}
		})
	}
}

// BenchmarkSgemmThreads measures simdnn's 1024³ Sgemm on one goroutine
// and on every goroutine GOMAXPROCS allows, for the scaling ratio:
//
//	go test ./bench -run '^$' -bench SgemmThreads -cpu 2 -count 6
func BenchmarkSgemmThreads(b *testing.B) {
	s := sgemmShape{m: 1024, k: 1024, n: 1024}
	rng := rand.New(rand.NewPCG(3, 4))
	a, bm, c := sgemmRand(rng, s.m*s.k), sgemmRand(rng, s.k*s.n), make([]float32, s.m*s.n)
	defer kernels.SetThreads(kernels.SetThreads(0))
	for _, threads := range []int{1, 0} {
		name := "threads=1"
		if threads == 0 {
			name = "threads=GOMAXPROCS"
		}
		b.Run(name, func(b *testing.B) {
			kernels.SetThreads(threads)
			sgemmImpls[0].gemm(s, a, bm, c)
			for b.Loop() {
				sgemmImpls[0].gemm(s, a, bm, c)
			}
			b.ReportMetric(2*1024*1024*1024*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "GFLOP/s")
		})
	}
}

// peakGFLOPS returns the FMA peak of one core at the active
// implementation's vector width, measured once per process, or 0 where
// there is no instrument for it (generic, other GOARCHes).
var peakGFLOPS = sync.OnceValue(fmaPeak)

// sgemmRand returns n values uniform in [−1, 1).
func sgemmRand(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = 2*rng.Float32() - 1
	}
	return s
}

// The naive baseline computes the same product as kernels.Sgemm (within
// rounding), for every transpose: a baseline that computed something else
// would make every ratio meaningless.
func TestNaiveGemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
		s := sgemmShape{m: 7, k: 9, n: 11, transA: tr[0], transB: tr[1]}
		a, bm := sgemmRand(rng, s.m*s.k), sgemmRand(rng, s.k*s.n)
		got, want := make([]float32, s.m*s.n), make([]float32, s.m*s.n)
		naiveGemm(s, a, bm, got)
		sgemmImpls[0].gemm(s, a, bm, want)
		for i := range got {
			if d := got[i] - want[i]; d > 1e-5 || d < -1e-5 {
				t.Fatalf("transA=%v transB=%v: C[%d] = %v, kernels.Sgemm %v", s.transA, s.transB, i, got[i], want[i])
			}
		}
	}
}
