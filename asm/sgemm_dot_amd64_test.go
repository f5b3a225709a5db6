//go:build !purego

package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/klauspost/cpuid/v2"
)

// dotLevels are the dot kernels: the AVX-512 one masks the last chunk of
// k and the columns past cols; the AVX2 one takes k in multiples of 8 and
// writes all ten columns.
var dotLevels = []struct {
	name   string
	ok     bool
	masked bool
	fn     func(a []float32, lda int, bt []float32, ldbt int, c []float32, k, ldc, cols int, flags uint, bias []float32, slope float32)
}{
	{"avx2", cpuid.CPU.Supports(AVX2...), false, SgemmDot2x10AVX2},
	{"avx512", cpuid.CPU.Supports(AVX512...), true, SgemmDot2x10AVX512},
}

// TestSgemmDot checks the dot kernels against a float64 reference over k
// around the vector width (the masked last chunk), every column count
// class and every epilogue. a's and bt's rows are padded with NaN (lda =
// k + 3, ldbt = k + 5), so that reading past a row's k values shows in the
// result, and each operand lies flush against a guard page, after it or
// before it by turns; C's padding and the columns past cols must keep
// their bits. The kernels sum in their own order, so the check is a bound:
// (k + 3)·2⁻²³ of the sum of the magnitudes, far below what a wrong value
// of a or b, or a sum in the wrong lane, would move the result by.
func TestSgemmDot(t *testing.T) {
	for _, l := range dotLevels {
		t.Run(l.name, func(t *testing.T) {
			if !l.ok {
				t.Skipf("CPU lacks %s", l.name)
			}
			testDot(t, l.fn, l.masked)
		})
	}
}

func testDot(t *testing.T, kernel func(a []float32, lda int, bt []float32, ldbt int, c []float32, k, ldc, cols int, flags uint, bias []float32, slope float32), masked bool) {
	r := rand.New(rand.NewPCG(9, 10))
	call := 0
	ks, colss := []int{1, 2, 15, 16, 17, 31, 64, 100, 128, 300}, []int{1, 7, 10}
	if !masked {
		ks, colss = []int{8, 16, 24, 64, 128, 296}, []int{10}
	}
	for _, k := range ks {
		for _, cols := range colss {
			for _, ep := range epilogues {
				name := fmt.Sprintf("k=%d cols=%d flags=%d", k, cols, ep.flags)
				lda, ldbt, ldc := k+3, k+5, cols+3
				a := nanGuarded(t, lda+k, call)
				bt := nanGuarded(t, 9*ldbt+k, call+1)
				c := gemmGuarded(t, ldc+cols, call%2 == 0)
				bias := gemmGuarded(t, 16, call%2 == 1)
				call++
				for i := range 2 {
					for p := range k {
						a[i*lda+p] = r.Float32()*2 - 1
					}
				}
				for j := range dotCols {
					for p := range k {
						bt[j*ldbt+p] = r.Float32()*2 - 1
					}
				}
				for x := range c {
					c[x] = r.Float32()*2 - 1
				}
				for x := range bias {
					bias[x] = r.Float32()*2 - 1
				}
				in := append([]float32(nil), c...)
				kernel(a, lda, bt, ldbt, c, k, ldc, cols, ep.flags, bias, ep.slope)
				for i := range 2 {
					for j := range ldc {
						x := i*ldc + j
						if x >= len(c) {
							break
						}
						if j >= cols {
							if math.Float32bits(c[x]) != math.Float32bits(in[x]) {
								t.Fatalf("%s: c[%d] (row %d, column %d, outside the tile) changed from %v to %v", name, x, i, j, in[x], c[x])
							}
							continue
						}
						want, mag := 0.0, 0.0
						for p := range k {
							v := float64(a[i*lda+p]) * float64(bt[j*ldbt+p])
							want += v
							mag += math.Abs(v)
						}
						if ep.flags&epAdd != 0 {
							want += float64(in[x])
							mag += math.Abs(float64(in[x]))
						}
						if ep.flags&epBias != 0 {
							want += float64(bias[j])
							mag += math.Abs(float64(bias[j]))
						}
						tol := float64(k+3) * 0x1p-23 * mag
						if ep.flags&epReLU != 0 {
							want = max(want, 0)
						}
						if ep.flags&epLeaky != 0 && want < 0 {
							want *= float64(ep.slope)
							tol *= math.Abs(float64(ep.slope))
						}
						if !(math.Abs(float64(c[x])-want) <= tol) {
							t.Fatalf("%s: c[%d][%d] = %v, want %v within %g", name, i, j, c[x], want, tol)
						}
					}
				}
			}
		}
	}
}

// dotCols is the number of rows of bt the dot kernels read.
const dotCols = 10
