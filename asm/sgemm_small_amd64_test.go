//go:build !purego

package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/klauspost/cpuid/v2"
)

// The small-m kernels are tested here on their own contracts (one tile,
// A and the weights where they lie), against a float64 reference, with
// every epilogue, alpha ≠ 1, every column mask class, and k around the
// vector width, the loop of two vectors and the masked (AVX-512) or
// scalar (AVX2) rest of k. The rows of a and b are padded with NaN, so
// that reading a value of the padding shows in the result; each operand
// lies flush against a guard page, after it or before it by turns; C's
// padding and the columns outside the tile's mask must keep their bits.

var (
	avx2ok   = cpuid.CPU.Supports(AVX2...)
	avx512ok = cpuid.CPU.Supports(AVX512...)
)

type smallNCase struct {
	name          string
	ok            bool
	mr, nr, lanes int
	fn            func(a []float32, lda int, b []float32, ldb int, c []float32, k, ldc, cols int, alpha float32, flags uint, bias []float32, slope float32)
}

type smallTCase struct {
	name          string
	ok            bool
	mr, nr, lanes int
	fn            func(a []float32, lda int, bt []float32, ldbt int, c []float32, k, ldc int, lanes uint, alpha float32, flags uint, bias []float32, slope float32)
}

// smallNKernels and smallTKernels are every generated small-m kernel.
var smallNKernels = []smallNCase{
	{"SgemmSmallN1x64AVX2", avx2ok, 1, 64, 8, SgemmSmallN1x64AVX2},
	{"SgemmSmallN1x8AVX2", avx2ok, 1, 8, 8, SgemmSmallN1x8AVX2},
	{"SgemmSmallN1x16AVX2", avx2ok, 1, 16, 8, SgemmSmallN1x16AVX2},
	{"SgemmSmallN1x32AVX2", avx2ok, 1, 32, 8, SgemmSmallN1x32AVX2},
	{"SgemmSmallN2x32AVX2", avx2ok, 2, 32, 8, SgemmSmallN2x32AVX2},
	{"SgemmSmallN2x8AVX2", avx2ok, 2, 8, 8, SgemmSmallN2x8AVX2},
	{"SgemmSmallN2x16AVX2", avx2ok, 2, 16, 8, SgemmSmallN2x16AVX2},
	{"SgemmSmallN3x32AVX2", avx2ok, 3, 32, 8, SgemmSmallN3x32AVX2},
	{"SgemmSmallN3x8AVX2", avx2ok, 3, 8, 8, SgemmSmallN3x8AVX2},
	{"SgemmSmallN3x16AVX2", avx2ok, 3, 16, 8, SgemmSmallN3x16AVX2},
	{"SgemmSmallN4x16AVX2", avx2ok, 4, 16, 8, SgemmSmallN4x16AVX2},
	{"SgemmSmallN4x8AVX2", avx2ok, 4, 8, 8, SgemmSmallN4x8AVX2},
	{"SgemmSmallN5x16AVX2", avx2ok, 5, 16, 8, SgemmSmallN5x16AVX2},
	{"SgemmSmallN5x8AVX2", avx2ok, 5, 8, 8, SgemmSmallN5x8AVX2},
	{"SgemmSmallN6x16AVX2", avx2ok, 6, 16, 8, SgemmSmallN6x16AVX2},
	{"SgemmSmallN6x8AVX2", avx2ok, 6, 8, 8, SgemmSmallN6x8AVX2},
	{"SgemmSmallN1x256AVX512", avx512ok, 1, 256, 16, SgemmSmallN1x256AVX512},
	{"SgemmSmallN1x16AVX512", avx512ok, 1, 16, 16, SgemmSmallN1x16AVX512},
	{"SgemmSmallN1x32AVX512", avx512ok, 1, 32, 16, SgemmSmallN1x32AVX512},
	{"SgemmSmallN1x64AVX512", avx512ok, 1, 64, 16, SgemmSmallN1x64AVX512},
	{"SgemmSmallN1x128AVX512", avx512ok, 1, 128, 16, SgemmSmallN1x128AVX512},
	{"SgemmSmallN2x128AVX512", avx512ok, 2, 128, 16, SgemmSmallN2x128AVX512},
	{"SgemmSmallN2x16AVX512", avx512ok, 2, 16, 16, SgemmSmallN2x16AVX512},
	{"SgemmSmallN2x32AVX512", avx512ok, 2, 32, 16, SgemmSmallN2x32AVX512},
	{"SgemmSmallN2x64AVX512", avx512ok, 2, 64, 16, SgemmSmallN2x64AVX512},
	{"SgemmSmallN3x128AVX512", avx512ok, 3, 128, 16, SgemmSmallN3x128AVX512},
	{"SgemmSmallN3x16AVX512", avx512ok, 3, 16, 16, SgemmSmallN3x16AVX512},
	{"SgemmSmallN3x32AVX512", avx512ok, 3, 32, 16, SgemmSmallN3x32AVX512},
	{"SgemmSmallN3x64AVX512", avx512ok, 3, 64, 16, SgemmSmallN3x64AVX512},
	{"SgemmSmallN4x64AVX512", avx512ok, 4, 64, 16, SgemmSmallN4x64AVX512},
	{"SgemmSmallN4x16AVX512", avx512ok, 4, 16, 16, SgemmSmallN4x16AVX512},
	{"SgemmSmallN4x32AVX512", avx512ok, 4, 32, 16, SgemmSmallN4x32AVX512},
	{"SgemmSmallN5x64AVX512", avx512ok, 5, 64, 16, SgemmSmallN5x64AVX512},
	{"SgemmSmallN5x16AVX512", avx512ok, 5, 16, 16, SgemmSmallN5x16AVX512},
	{"SgemmSmallN5x32AVX512", avx512ok, 5, 32, 16, SgemmSmallN5x32AVX512},
	{"SgemmSmallN6x64AVX512", avx512ok, 6, 64, 16, SgemmSmallN6x64AVX512},
	{"SgemmSmallN6x16AVX512", avx512ok, 6, 16, 16, SgemmSmallN6x16AVX512},
	{"SgemmSmallN6x32AVX512", avx512ok, 6, 32, 16, SgemmSmallN6x32AVX512},
	{"SgemmSmallN7x32AVX512", avx512ok, 7, 32, 16, SgemmSmallN7x32AVX512},
	{"SgemmSmallN7x16AVX512", avx512ok, 7, 16, 16, SgemmSmallN7x16AVX512},
	{"SgemmSmallN8x32AVX512", avx512ok, 8, 32, 16, SgemmSmallN8x32AVX512},
	{"SgemmSmallN8x16AVX512", avx512ok, 8, 16, 16, SgemmSmallN8x16AVX512},
}

var smallTKernels = []smallTCase{
	{"SgemmSmallT1x8AVX2", avx2ok, 1, 8, 8, SgemmSmallT1x8AVX2},
	{"SgemmSmallT1x4AVX2", avx2ok, 1, 4, 8, SgemmSmallT1x4AVX2},
	{"SgemmSmallT2x4AVX2", avx2ok, 2, 4, 8, SgemmSmallT2x4AVX2},
	{"SgemmSmallT3x4AVX2", avx2ok, 3, 4, 8, SgemmSmallT3x4AVX2},
	{"SgemmSmallT1x16AVX512", avx512ok, 1, 16, 16, SgemmSmallT1x16AVX512},
	{"SgemmSmallT2x8AVX512", avx512ok, 2, 8, 16, SgemmSmallT2x8AVX512},
	{"SgemmSmallT3x8AVX512", avx512ok, 3, 8, 16, SgemmSmallT3x8AVX512},
	{"SgemmSmallT1x4AVX512", avx512ok, 1, 4, 16, SgemmSmallT1x4AVX512},
	{"SgemmSmallT2x4AVX512", avx512ok, 2, 4, 16, SgemmSmallT2x4AVX512},
	{"SgemmSmallT3x4AVX512", avx512ok, 3, 4, 16, SgemmSmallT3x4AVX512},
	{"SgemmSmallT4x4AVX512", avx512ok, 4, 4, 16, SgemmSmallT4x4AVX512},
}

// smallCheck compares the tile of c (mr rows, ldc apart) with the
// reference for the columns in (a function of the column), and the rest
// of c with in, its contents before the call: sum(i, j) returns Σ a·b in
// float64 and Σ |a·b|.
func smallCheck(t *testing.T, name string, c, in []float32, mr, ldc int, cols func(j int) bool, sum func(i, j int) (float64, float64), k int, alpha float32, flags uint, bias []float32, slope float32) {
	t.Helper()
	for x := range c {
		i, j := x/ldc, x%ldc
		if i >= mr || !cols(j) {
			if math.Float32bits(c[x]) != math.Float32bits(in[x]) {
				t.Fatalf("%s: c[%d] (row %d, column %d, outside the tile) changed from %v to %v", name, x, i, j, in[x], c[x])
			}
			continue
		}
		s, mag := sum(i, j)
		want := float64(alpha) * s
		tol := float64(k+3) * 0x1p-23 * mag * math.Abs(float64(alpha))
		if flags&epAdd != 0 {
			want += float64(in[x])
			tol += 0x1p-23 * math.Abs(want)
		}
		if flags&epBias != 0 {
			want += float64(bias[j])
			tol += 0x1p-23 * math.Abs(want)
		}
		if flags&epReLU != 0 {
			want = max(want, 0)
		}
		if flags&epLeaky != 0 && want < 0 {
			want *= float64(slope)
			tol *= math.Abs(float64(slope))
		}
		if !(math.Abs(float64(c[x])-want) <= tol) {
			t.Fatalf("%s: c[%d][%d] = %v, want %v within %g", name, i, j, c[x], want, tol)
		}
	}
}

// smallRand fills the rows×cols window (leading dimension ld) of s with
// values uniform in [−1, 1).
func smallRand(r *rand.Rand, s []float32, rows, cols, ld int) {
	for i := range rows {
		for j := range cols {
			s[i*ld+j] = r.Float32()*2 - 1
		}
	}
}

func TestSgemmSmallN(t *testing.T) {
	for _, kc := range smallNKernels {
		t.Run(kc.name, func(t *testing.T) {
			if !kc.ok {
				t.Skip("CPU lacks the level")
			}
			r := rand.New(rand.NewPCG(uint64(kc.mr), uint64(kc.nr)))
			call := 0
			colss := []int{kc.nr}
			if kc.lanes == 16 {
				colss = append(colss, kc.nr-kc.lanes+1, kc.nr-kc.lanes/2)
			}
			for _, k := range []int{1, 2, 3, 5, 16, 17, 33} {
				for _, cols := range colss {
					for ei, ep := range epilogues {
						alpha := []float32{1, -0.75}[ei%2]
						name := fmt.Sprintf("k=%d cols=%d flags=%d alpha=%v", k, cols, ep.flags, alpha)
						lda, ldb, ldc := k+3, cols+5, cols+3
						a := nanGuarded(t, (kc.mr-1)*lda+k, call)
						b := nanGuarded(t, (k-1)*ldb+cols, call+1)
						c := gemmGuarded(t, (kc.mr-1)*ldc+cols, call%2 == 0)
						bias := gemmGuarded(t, cols, call%2 == 1)
						call++
						smallRand(r, a, kc.mr, k, lda)
						smallRand(r, b, k, cols, ldb)
						smallRand(r, c, 1, len(c), len(c))
						smallRand(r, bias, 1, cols, cols)
						in := append([]float32(nil), c...)
						kc.fn(a, lda, b, ldb, c, k, ldc, cols, alpha, ep.flags, bias, ep.slope)
						smallCheck(t, name, c, in, kc.mr, ldc, func(j int) bool { return j < cols }, func(i, j int) (float64, float64) {
							var s, mag float64
							for p := range k {
								v := float64(a[i*lda+p]) * float64(b[p*ldb+j])
								s += v
								mag += math.Abs(v)
							}
							return s, mag
						}, k, alpha, ep.flags, bias, ep.slope)
					}
				}
			}
		})
	}
}

func TestSgemmSmallT(t *testing.T) {
	for _, kc := range smallTKernels {
		t.Run(kc.name, func(t *testing.T) {
			if !kc.ok {
				t.Skip("CPU lacks the level")
			}
			r := rand.New(rand.NewPCG(uint64(kc.mr), uint64(kc.nr)+100))
			call := 0
			full := uint(1)<<kc.nr - 1
			maskss := []uint{full}
			if kc.lanes == 16 {
				// The low column alone, the high one alone (a group
				// shifted back to end at column n), and every other.
				maskss = append(maskss, 1, 1<<(kc.nr-1), full&0x5555)
			}
			for _, k := range []int{1, 2, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 48, 63, 64, 65, 100} {
				for _, lanes := range maskss {
					for ei, ep := range epilogues {
						alpha := []float32{1, -0.75}[ei%2]
						name := fmt.Sprintf("k=%d lanes=%#x flags=%d alpha=%v", k, lanes, ep.flags, alpha)
						lda, ldbt, ldc := k+3, k+5, kc.nr+3
						a := nanGuarded(t, (kc.mr-1)*lda+k, call)
						bt := nanGuarded(t, (kc.nr-1)*ldbt+k, call+1)
						c := gemmGuarded(t, (kc.mr-1)*ldc+kc.nr, call%2 == 0)
						bias := gemmGuarded(t, kc.nr, call%2 == 1)
						call++
						smallRand(r, a, kc.mr, k, lda)
						smallRand(r, bt, kc.nr, k, ldbt)
						smallRand(r, c, 1, len(c), len(c))
						smallRand(r, bias, 1, kc.nr, kc.nr)
						in := append([]float32(nil), c...)
						kc.fn(a, lda, bt, ldbt, c, k, ldc, lanes, alpha, ep.flags, bias, ep.slope)
						smallCheck(t, name, c, in, kc.mr, ldc, func(j int) bool { return j < kc.nr && lanes&(1<<j) != 0 }, func(i, j int) (float64, float64) {
							var s, mag float64
							for p := range k {
								v := float64(a[i*lda+p]) * float64(bt[j*ldbt+p])
								s += v
								mag += math.Abs(v)
							}
							return s, mag
						}, k, alpha, ep.flags, bias, ep.slope)
					}
				}
			}
		})
	}
}
