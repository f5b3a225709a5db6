//go:build !purego

package asm

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdnn/simdnn/internal/harness"
)

// TestSgemmKernelNEON checks the NEON micro-kernel on its own contract,
// every combination of the epilogue's flags, including those package
// kernels never passes (a tile of C is not read without flag 1, the bias
// not without flag 2), and kc = 0. The values are small integers, so every
// product and sum is exact and the reference is the kernel's own order
// of operations in float32, which must match bit for bit; a NaN in C
// must come through the add and both activations. C lies inside a larger
// buffer whose other values must stay as they were. b is packed (ldb = NR)
// or laid out with rows ldb = NR + 5 apart, the padding NaN so that
// reading it would show, flush against a guard page.
func TestSgemmKernelNEON(t *testing.T) {
	// The epilogue's flags, as the kernel's doc comment defines them.
	const neonAdd, neonBias, neonReLU, neonLeaky = 1, 2, 4, 8
	const mr, nr, ldc, canary = 8, 12, 15, float32(-12345)
	r := rand.New(rand.NewPCG(1, 2))
	small := func() float32 { return float32(r.IntN(9) - 4) }
	for _, kc := range []int{0, 1, 2, 3, 17} {
		for flags := uint(0); flags < 32; flags++ {
			ldb := nr + 5*int(flags>>4)
			flags := flags & 15
			if flags&12 == 12 {
				continue // ReLU and leaky ReLU are never set together
			}
			a, bias := make([]float32, mr*kc), make([]float32, nr)
			b := harness.GuardAfter(t, max(kc-1, 0)*ldb+nr)
			for i := range b {
				b[i] = float32(math.NaN())
			}
			for p := range kc {
				for j := range nr {
					b[p*ldb+j] = small()
				}
			}
			for _, s := range [][]float32{a, bias} {
				for i := range s {
					s[i] = small()
				}
			}
			buf := make([]float32, (mr+1)*ldc)
			c := buf[1 : 1+(mr-1)*ldc+nr]
			for i := range buf {
				buf[i] = canary
			}
			for i := range mr {
				for j := range nr {
					c[i*ldc+j] = small()
				}
			}
			c[2*ldc+5] = float32(math.NaN())
			in := append([]float32(nil), buf...)
			slope := float32(0.5)
			if flags&neonBias == 0 {
				bias = nil // must not be read
			}
			SgemmKernelNEON(a, b, c, kc, ldb, ldc, flags, bias, slope)
			for i := range mr {
				for j := range nr {
					var acc float32
					for p := range kc {
						acc += a[p*mr+i] * b[p*ldb+j]
					}
					if flags&neonAdd != 0 {
						acc += in[1+i*ldc+j]
					}
					if flags&neonBias != 0 {
						acc += bias[j]
					}
					if flags&neonReLU != 0 && acc < 0 {
						acc = 0
					}
					if flags&neonLeaky != 0 && acc < 0 {
						acc *= slope
					}
					got := c[i*ldc+j]
					if math.Float32bits(got) != math.Float32bits(acc) && !(got != got && acc != acc) {
						t.Fatalf("kc=%d ldb=%d flags=%d: c[%d][%d] = %g, want %g", kc, ldb, flags, i, j, got, acc)
					}
				}
			}
			for x := range buf {
				if i, j := (x-1)/ldc, (x-1)%ldc; x == 0 || j >= nr || i >= mr {
					if buf[x] != in[x] {
						t.Fatalf("kc=%d ldb=%d flags=%d: buf[%d] changed to %g", kc, ldb, flags, x, buf[x])
					}
				}
			}
		}
	}
}

// TestFMAPeakNEON only runs the instrument: it computes nothing to check.
func TestFMAPeakNEON(t *testing.T) {
	for _, n := range []int{0, 1, 3} {
		FMAPeakNEON(n)
	}
}
