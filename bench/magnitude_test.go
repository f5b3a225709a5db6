package main

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdnn/simdnn/kernels"
)

// BenchmarkInputMagnitude measures Exp, Tanh and Sigmoid at 4K elements on
// inputs of three magnitudes, in elements/ns: BenchmarkKernels' [−4, 4);
// tiny values, 2⁻¹⁰⁰ ≤ |x| < 2⁻⁶³, whose squares would be denormal; and
// denormals. A kernel that lets a denormal arise where its inputs are
// normal takes the CPU's slow path for it, which costs many times a
// normal operation: the tiny row then runs far slower than the first. On
// denormal inputs, Exp and Tanh take that path as well. Compare the rows
// of one implementation:
//
//	go test ./bench -run '^$' -bench InputMagnitude -cpu 1
func BenchmarkInputMagnitude(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 4096
	inputs := []struct {
		name string
		x    func() float32
	}{
		{"[-4,4)", func() float32 { return 8*rng.Float32() - 4 }},
		{"tiny", func() float32 {
			return signed(rng, float32(math.Ldexp(1+rng.Float64(), -64-rng.IntN(37))))
		}},
		{"denormal", func() float32 {
			return signed(rng, math.Float32frombits(1+rng.Uint32N(1<<23-1)))
		}},
	}
	fns := []struct {
		name string
		f    func(dst, x []float32)
	}{{"Exp", kernels.Exp}, {"Tanh", kernels.Tanh}, {"Sigmoid", kernels.Sigmoid}}
	for _, in := range inputs {
		x, y := make([]float32, n), make([]float32, n)
		for i := range x {
			x[i] = in.x()
		}
		for _, fn := range fns {
			c := kernelCase{name: fn.name, unit: "elem/ns", work: n, f: func() { fn.f(y, x) }}
			b.Run("kernel="+fn.name+"/inputs="+in.name, c.run)
		}
	}
}

// signed returns v with a random sign.
func signed(rng *rand.Rand, v float32) float32 {
	if rng.IntN(2) == 0 {
		return -v
	}
	return v
}
