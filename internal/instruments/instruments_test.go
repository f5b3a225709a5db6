package instruments

import (
	"fmt"
	"testing"

	"github.com/simdnn/simdnn/internal/harness"
	"github.com/simdnn/simdnn/kernels"
)

// TestStreams checks each stream's sums, which are exact, at every length
// up to a few vectors past the widest unrolled loop.
func TestStreams(t *testing.T) {
	s := Active()
	t.Logf("implementation %s", kernels.Impl())
	for n := range 300 {
		x, y := make([]float32, n), make([]float32, n)
		for i := range n {
			x[i], y[i] = float32(i), float32(3*i+1)
		}
		dst := make([]float32, n)
		s.Add21(dst, x, y)
		w, v, m := append([]float32(nil), x...), append([]float32(nil), x...), append([]float32(nil), x...)
		s.Stream21(w, y)
		check := func(name string, got []float32, want func(i int) float32) {
			t.Helper()
			for i := range got {
				if got[i] != want(i) {
					t.Fatalf("%s, n=%d: [%d] = %v, want %v", name, n, i, got[i], want(i))
				}
			}
		}
		check("Add21", dst, func(i int) float32 { return float32(4*i + 1) })
		check("Stream21", w, func(i int) float32 { return float32(4*i + 1) })
		w = append(w[:0], x...)
		s.Stream32(w, v, y)
		check("Stream32 w", w, func(i int) float32 { return float32(4*i + 1) })
		check("Stream32 v", v, func(i int) float32 { return float32(4*i + 1) })
		w, v = append(w[:0], x...), append(v[:0], x...)
		s.Stream43(w, m, v, y)
		for name, got := range map[string][]float32{"w": w, "m": m, "v": v} {
			check("Stream43 "+name, got, func(i int) float32 { return float32(4*i + 1) })
		}
	}
}

// TestReadGuard runs Read on slices that end, or start, at a page that
// faults when touched, so that a read past either end fails the test.
func TestReadGuard(t *testing.T) {
	if !harness.GuardSupported {
		t.Skip("no guard pages on this system")
	}
	read := Active().Read
	for _, n := range []int{0, 1, 15, 16, 31, 32, 63, 64, 65, 127, 128, 129, 1000, 4096} {
		after, before := harness.GuardAfter(t, n), harness.GuardBefore(t, n)
		harness.NoFault(t, fmt.Sprintf("Read, n=%d, ending at a guard page", n), func() { read(after) })
		harness.NoFault(t, fmt.Sprintf("Read, n=%d, starting at a guard page", n), func() { read(before) })
	}
}

// TestPeaks runs the register-only instruments for zero and a few
// iterations: they touch no memory, so all there is to check is that
// they return.
func TestPeaks(t *testing.T) {
	s := Active()
	if s.FMAPeak == nil {
		t.Skipf("%s has no peak instruments", kernels.Impl())
	}
	for _, n := range []int{0, 1, 3} {
		s.FMAPeak(n)
		s.SqrtDivPeak(n)
	}
	if s.FMAFlops <= 0 || s.SqrtDivElems <= 0 {
		t.Fatalf("work per iteration: %v flops, %v elements", s.FMAFlops, s.SqrtDivElems)
	}
}
