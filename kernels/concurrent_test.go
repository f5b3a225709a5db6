package kernels

import (
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/simdnn/simdnn/internal/harness"
)

// Many goroutines calling kernels at once, each on its own data, get the
// same bits as the same calls made one after the other: the packing pools,
// the GEMM workers and the dispatch table are shared safely. CI runs this
// under -race too.
func TestConcurrentCalls(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		const goroutines = 6
		want := make([][]float32, goroutines)
		for g := range want {
			var err error
			if want[g], err = concurrentWork(uint64(g)); err != nil {
				t.Fatalf("goroutine %d alone: %v", g, err)
			}
		}
		got := make([][]float32, goroutines)
		errs := make([]error, goroutines)
		var wg sync.WaitGroup
		for g := range got {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[g], errs[g] = concurrentWork(uint64(g))
			}()
		}
		wg.Wait()
		for g := range got {
			if errs[g] != nil {
				t.Fatalf("goroutine %d: %v", g, errs[g])
			}
			for i := range got[g] {
				if !harness.SameBits(got[g][i], want[g][i]) {
					t.Fatalf("goroutine %d: result %d is %v concurrently, %v alone", g, i, got[g][i], want[g][i])
				}
			}
		}
	})
}

// concurrentWork runs a fixed mix of kernels on data drawn from seed and
// returns every output: a product large enough to be split over the GEMM
// workers, a fused dense layer, softmax, the transcendentals and an Adam
// step; and an error if a kernel wrote past an output (each is placed
// between canaries).
func concurrentWork(seed uint64) ([]float32, error) {
	var outs harness.Outputs
	rng := rand.New(rand.NewPCG(seed, 7))
	vec := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = 2*rng.Float32() - 1
		}
		return v
	}
	const m, n, k = 160, 192, 160 // 9.8 MFLOP: split where threads allow
	a, b, bias := vec(m*k), vec(k*n), vec(n)
	c := outs.Make("c", m*n)
	Sgemm(false, true, m, n, k, 1, a, k, b, k, 0, c, n)
	d := outs.Place("d", vec(m*n))
	SgemmBiasAct(true, false, m, n, k, 0.5, a, m, b, n, 1, d, n, bias, ActLeakyReLU(0.1))
	s := outs.Make("s", m*n)
	Softmax(s, d, m, n)
	e := outs.Make("e", 3*1024)
	x := vec(1024)
	Exp(e[:1024], x)
	Tanh(e[1024:2048], x)
	Sigmoid(e[2048:], x)
	zeros := make([]float32, 4096)
	w, mo, v, g := outs.Place("w", vec(4096)), outs.Place("m", zeros), outs.Place("v", zeros), vec(4096)
	for step := 1; step <= 3; step++ {
		Adam(w, mo, v, nil, g, AdamOptions{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: step})
	}
	out := append(c, d...)
	out = append(out, s...)
	out = append(out, e...)
	return append(out, w...), outs.Err()
}
