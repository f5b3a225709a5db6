package gonumblas

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/gonum"
)

// BenchmarkGemm measures gonum's own blas32.Gemm calls on square
// matrices, with gonum's implementation installed and then with this
// package's, one after the other per size (GFLOP/s):
//
//	go test ./gonumblas -run '^$' -bench Gemm -cpu 1 -count 6 > g.txt
//	benchstat -col /blas g.txt
func BenchmarkGemm(b *testing.B) {
	defer blas32.Use(blas32.Implementation())
	for _, n := range []int{64, 256, 1024} {
		rng := rand.New(rand.NewPCG(7, 8))
		mat := func() blas32.General {
			return blas32.General{Rows: n, Cols: n, Stride: n, Data: random(rng, n*n)}
		}
		x, y, z := mat(), mat(), mat()
		for _, im := range []struct {
			name string
			impl blas.Float32
		}{{"gonum", gonum.Implementation{}}, {"simdnn", Implementation{}}} {
			b.Run(fmt.Sprintf("n=%d/blas=%s", n, im.name), func(b *testing.B) {
				blas32.Use(im.impl)
				for b.Loop() {
					blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, x, y, 0, z)
				}
				b.ReportMetric(2*float64(n*n*n)*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "GFLOP/s")
			})
		}
	}
}
