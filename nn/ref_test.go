package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The float64 references of the tests: obviously correct loops, independent
// of the kernels.

// refDense returns x·wᵀ + b in float64 for x rows×in and w out×in.
func refDense(x, w, b []float32, rows, in, out int) []float64 {
	y := make([]float64, rows*out)
	for i := range rows {
		for j := range out {
			s := float64(b[j])
			for k := range in {
				s += float64(x[i*in+k]) * float64(w[j*in+k])
			}
			y[i*out+j] = s
		}
	}
	return y
}

// randMatrix returns a rows×cols matrix of uniform values in [−1, 1).
func randMatrix(rng *rand.Rand, rows, cols int) Matrix {
	m := NewMatrix(rows, cols)
	for i := range m.Data {
		m.Data[i] = float32(2*rng.Float64() - 1)
	}
	return m
}

// assertClose fails unless got is within tol·(1 + |want|) of want,
// element by element.
func assertClose(t *testing.T, what string, got []float32, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: len %d, want %d", what, len(got), len(want))
	}
	for i := range got {
		if d := math.Abs(float64(got[i]) - want[i]); !(d <= tol*(1+math.Abs(want[i]))) {
			t.Fatalf("%s[%d] = %v, want %v (diff %.3g)", what, i, got[i], want[i], d)
		}
	}
}

func newRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0)) }
