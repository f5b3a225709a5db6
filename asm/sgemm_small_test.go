//go:build !purego && (amd64 || arm64)

package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// The small-m kernels are tested here on their own contracts (one tile,
// A and the weights where they lie), against a float64 reference, with
// every epilogue, alpha ≠ 1, every column mask class (AVX-512), and k
// around the vector width, the unrolled loop and the masked (AVX-512) or
// scalar (AVX2, NEON) rest of k. The rows of a and b are padded with
// NaN, so that reading a value of the padding shows in the result; each
// operand lies flush against a guard page, after it or before it by
// turns; C's padding and the columns outside the tile's mask must keep
// their bits. smallNKernels and smallTKernels, in
// sgemm_small_ARCH_test.go, list every generated kernel.

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
			for _, k := range []int{1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33} {
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
