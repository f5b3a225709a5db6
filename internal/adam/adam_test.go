package adam

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestPowsInt holds powsInt to math.Pow, as its doc comment promises: the
// same bits wherever x**n is a normal float64, and 1 − x**n the same
// where it is not, for Adam's usual βs, β near 0 and 1, random β in
// [0, 1), and steps from 1 to ten million.
func TestPowsInt(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	betas := []float64{0, 0.5, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 0.9999, 1 - 0x1p-24, 1, 0x1p-40}
	for range 200 {
		betas = append(betas, r.Float64(), float64(float32(1-r.Float64()*1e-3)))
	}
	steps := []int{}
	for n := 1; n <= 4096; n++ {
		steps = append(steps, n)
	}
	for range 2000 {
		steps = append(steps, 1+r.IntN(10_000_000))
	}
	check := func(b float64, n int, got float64) {
		want := math.Pow(b, float64(n))
		switch {
		case math.Abs(want) >= 0x1p-1022:
			if math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("powsInt: %v**%d = %v, math.Pow %v", b, n, got, want)
			}
		case 1-got != 1-want:
			t.Fatalf("powsInt: %v**%d = %v, math.Pow %v: 1 − them differ", b, n, got, want)
		}
	}
	for i, b := range betas {
		c := betas[(i+1)%len(betas)]
		for _, n := range steps {
			bn, cn := powsInt(b, c, n)
			check(b, n, bn)
			check(c, n, cn)
		}
	}
}
