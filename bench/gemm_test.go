package main

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

	"github.com/simdnn/simdnn/kernels"
)

// sgemmShape is one Sgemm problem of the benchmark: C (m×n) = op(A)·op(B)
// with op(B) = Bᵀ when transB, as a dense layer's forward pass Y = X·Wᵀ
// is, X being [batch × in] and W [out × in].
type sgemmShape struct {
	name    string
	m, n, k int
	transB  bool
}

// sgemmShapes are the square sizes around the cache levels and the shapes
// of an MNIST MLP's forward pass (784 inputs, 256 hidden, 10 classes) at
// batch 64 and 256.
var sgemmShapes = []sgemmShape{
	{"sq64", 64, 64, 64, false},
	{"sq256", 256, 256, 256, false},
	{"sq512", 512, 512, 512, false},
	{"sq1024", 1024, 1024, 1024, false},
	{"mlp64x256x784", 64, 256, 784, true},
	{"mlp256x256x784", 256, 256, 784, true},
	{"mlp256x10x128", 256, 10, 128, true},
}

// sgemmImpls are the two sides of the comparison: simdnn's public Sgemm,
// whichever implementation is active, and gonum's blas32.Gemm with its
// default implementation, gonum.Implementation (pure Go plus SSE assembly
// for its inner loops, unless built with -tags noasm). gonum spreads large
// products over GOMAXPROCS goroutines, so compare single-threaded with
// -cpu 1.
var sgemmImpls = []struct {
	name string
	gemm func(transB bool, m, n, k int, a, b, c []float32)
}{
	{"simdnn", func(transB bool, m, n, k int, a, b, c []float32) {
		ldb := n
		if transB {
			ldb = k
		}
		kernels.Sgemm(false, transB, m, n, k, 1, a, k, b, ldb, 0, c, n)
	}},
	{"gonum", func(transB bool, m, n, k int, a, b, c []float32) {
		tB, bm := blas.NoTrans, blas32.General{Rows: k, Cols: n, Stride: n, Data: b}
		if transB {
			tB, bm = blas.Trans, blas32.General{Rows: n, Cols: k, Stride: k, Data: b}
		}
		blas32.Gemm(blas.NoTrans, tB, 1, blas32.General{Rows: m, Cols: k, Stride: k, Data: a}, bm,
			0, blas32.General{Rows: m, Cols: n, Stride: n, Data: c})
	}},
}

// BenchmarkSgemm measures C = A·op(B) (alpha 1, beta 0) per shape and
// implementation, named shape=…/impl=… so that benchstat can put the two
// implementations side by side; the two run one after the other for each
// shape, so that a change in the load of a shared machine biases neither.
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
			for _, im := range sgemmImpls {
				b.Run("impl="+im.name, func(b *testing.B) {
					im.gemm(s.transB, s.m, s.n, s.k, a, bm, c) // warm the caches and buffer pools
					for b.Loop() {
						im.gemm(s.transB, s.m, s.n, s.k, a, bm, c)
					}
					flops := 2 * float64(s.m) * float64(s.n) * float64(s.k)
					b.ReportMetric(flops*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "GFLOP/s")
				})
			}
		})
	}
}

// sgemmRand returns n values uniform in [−1, 1).
func sgemmRand(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = 2*rng.Float32() - 1
	}
	return s
}
