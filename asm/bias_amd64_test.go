//go:build !purego

package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/klauspost/cpuid/v2"

	"github.com/simdnn/simdnn/fallback"
	"github.com/simdnn/simdnn/internal/harness"
)

// addLevels are the generated Add kernels and whether this CPU runs them.
var addLevels = []struct {
	name string
	ok   bool
	add  func(y, x []float32)
}{
	{"avx2", cpuid.CPU.Supports(AVX2...), AddAVX2},
	{"avx512", cpuid.CPU.Supports(AVX512...), AddAVX512},
}

// streamLengths are 0 through 4W+3 for both vector widths W = 8 and 16
// (every exit of the unrolled loop, the single-vector loop and the tail),
// and a few longer ones.
var streamLengths = func() []int {
	var ns []int
	for n := range 4*16 + 4 {
		ns = append(ns, n)
	}
	return append(ns, 100, 1000, 4099)
}()

// same reports whether a and b are the same float32: the same bits, or
// both NaN. Which NaN comes out where NaNs meet depends on the order of
// the operands, which nothing promises.
func same(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || (a != a && b != b)
}

func TestAdd(t *testing.T) {
	for _, l := range addLevels {
		t.Run(l.name, func(t *testing.T) {
			if !l.ok {
				t.Skipf("CPU lacks %s", l.name)
			}
			r := rand.New(rand.NewPCG(5, 6))
			for _, after := range []bool{true, false} {
				for _, n := range streamLengths {
					y, x := guarded(t, n, after), guarded(t, n, after)
					fill(r, x)
					fill(r, y)
					y0 := append([]float32(nil), y...)
					harness.NoFault(t, l.name, func() { l.add(y, x) })
					// A float32 sum in Go is the exactly rounded one.
					for i := range n {
						if w := y0[i] + x[i]; !same(y[i], w) {
							t.Fatalf("n=%d after=%v: y[%d] = %#x for %#x + %#x, want %#x",
								n, after, i, got(y[i]), got(y0[i]), got(x[i]), got(w))
						}
					}
					// BiasAdd of one row is the same operation.
					fb := append([]float32(nil), y0...)
					fallback.BiasAdd(fb, n, 1, n, x)
					for i := range n {
						if !same(y[i], fb[i]) {
							t.Fatalf("n=%d: y[%d] = %#x, fallback.BiasAdd gives %#x", n, i, got(y[i]), got(fb[i]))
						}
					}
					copy(y, y0)
					harness.NoFault(t, l.name, func() { l.add(y, y) })
					for i := range n {
						if w := y0[i] + y0[i]; !same(y[i], w) {
							t.Fatalf("in place n=%d: y[%d] = %#x, want %#x", n, i, got(y[i]), got(w))
						}
					}
				}
			}
		})
	}
}

// TestAddColumnSums checks that adding rows into a cleared vector with
// Add, as package kernels' BiasGrad does, gives fallback.BiasGrad's sums
// bit for bit: both sum each column in row order.
func TestAddColumnSums(t *testing.T) {
	for _, l := range addLevels {
		t.Run(l.name, func(t *testing.T) {
			if !l.ok {
				t.Skipf("CPU lacks %s", l.name)
			}
			r := rand.New(rand.NewPCG(7, 8))
			for _, n := range streamLengths {
				for _, m := range []int{0, 1, 2, 7, 64} {
					ld := n + 3
					dy := make([]float32, m*ld)
					fill(r, dy)
					db := guarded(t, n, n%2 == 0)
					fill(r, db)
					clear(db)
					harness.NoFault(t, l.name, func() {
						for i := range m {
							l.add(db, dy[i*ld:i*ld+n])
						}
					})
					want := make([]float32, n)
					fallback.BiasGrad(want, dy, ld, m, n)
					for j := range n {
						if !same(db[j], want[j]) {
							t.Fatalf("m=%d n=%d: db[%d] = %#x, fallback.BiasGrad gives %#x", m, n, j, got(db[j]), got(want[j]))
						}
					}
				}
			}
		})
	}
}

// biasLevels are the generated column-block bias kernels and whether this
// CPU runs them.
var biasLevels = []struct {
	name string
	ok   bool
	add  func(c []float32, ldc, m, n int, bias []float32)
	grad func(db, dy []float32, ldy, m, n int)
}{
	{"avx2", cpuid.CPU.Supports(AVX2...), BiasAddAVX2, BiasGradAVX2},
	{"avx512", cpuid.CPU.Supports(AVX512...), BiasAddAVX512, BiasGradAVX512},
}

// TestBiasMatrix checks BiasAdd and BiasGrad against the fallback, bit for
// bit (NaN with any NaN), on matrices of exactly (m−1)·ld + n elements
// flush against a guard page after or before them, with the padding past
// n in each row holding a canary that must stay and must not be read.
func TestBiasMatrix(t *testing.T) {
	canary := math.Float32frombits(0x7fa5a5a5) // a NaN: read, it would show
	for _, l := range biasLevels {
		t.Run(l.name, func(t *testing.T) {
			if !l.ok {
				t.Skipf("CPU lacks %s", l.name)
			}
			r := rand.New(rand.NewPCG(13, 14))
			for _, n := range streamLengths {
				for _, m := range []int{0, 1, 2, 3, 17} {
					for _, ld := range []int{max(1, n), n + 1, n + 7} {
						for _, after := range []bool{true, false} {
							what := fmt.Sprintf("m=%d n=%d ld=%d after=%v", m, n, ld, after)
							size := 0
							if m > 0 {
								size = (m-1)*ld + n
							}
							c, bias := guarded(t, size, after), guarded(t, n, after)
							fill(r, c)
							fill(r, bias)
							for i := range c {
								if i%ld >= n {
									c[i] = canary
								}
							}
							c0 := append([]float32(nil), c...)

							want := append([]float32(nil), c0...)
							fallback.BiasAdd(want, ld, m, n, bias)
							harness.NoFault(t, l.name, func() { l.add(c, ld, m, n, bias) })
							for i := range c {
								if !same(c[i], want[i]) || (i%ld >= n && got(c[i]) != got(canary)) {
									t.Fatalf("BiasAdd %s: c[%d] = %#x, want %#x", what, i, got(c[i]), got(want[i]))
								}
							}

							db := guarded(t, n, after)
							fill(r, db)
							wantDB := make([]float32, n)
							fallback.BiasGrad(wantDB, c0, ld, m, n)
							copy(c, c0) // dy, against the guard page
							harness.NoFault(t, l.name, func() { l.grad(db, c, ld, m, n) })
							for j := range n {
								if !same(db[j], wantDB[j]) {
									t.Fatalf("BiasGrad %s: db[%d] = %#x, want %#x", what, j, got(db[j]), got(wantDB[j]))
								}
							}
						}
					}
				}
			}
		})
	}
}
