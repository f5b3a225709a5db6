package kernels

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/simdnn/simdnn/fallback"
	"github.com/simdnn/simdnn/internal/harness"
)

// sameOptimBits reports whether the SIMD optimizer kernels promise the
// fallback's bits (NaN payloads aside) here: on arm64, where the NEON
// kernels fuse what Go fuses in the fallback, and on amd64 unless the
// fallback was compiled to fuse products into sums (GOAMD64=v3 and up),
// which the unfused amd64 kernels do not. The probe: with x = 1+2⁻¹²,
// v = x·x − 1 is 2⁻¹¹ rounded first and 2⁻¹¹+2⁻²⁴ fused.
func sameOptimBits() bool {
	if runtime.GOARCH != "amd64" {
		return true
	}
	x := float32(1 + 0x1p-12)
	w, v, g := []float32{0}, []float32{x}, []float32{-1}
	fallback.SGDMomentum(w, v, g, 0, x)
	return v[0] == 0x1p-11
}

// TestOptimBits holds every SIMD implementation to the fallback's bits on
// every form of SGD and Adam, at every length from 0 to 300 and two
// longer ones, on realistic state with specials mixed in: NaN where the
// fallback has NaN, the same bits everywhere else.
func TestOptimBits(t *testing.T) {
	if !sameOptimBits() {
		t.Skip("the fallback is compiled with fused multiply-adds, the amd64 kernels without")
	}
	lengths := []int{1000, 4099}
	for n := range 301 {
		lengths = append(lengths, n)
	}
	var ks []harness.Elementwise
	for _, o := range sgdForms(0.01) {
		ks = append(ks, sgdCase(o, sgdGen))
	}
	for _, o := range adamForms(0.01, 5) {
		ks = append(ks, adamCase(o, adamGen))
	}
	forEachImpl(t, func(t *testing.T) {
		if active == &generic {
			t.Skip("the fallback itself")
		}
		r := rand.New(rand.NewPCG(61, 62))
		for _, k := range ks {
			for _, n := range lengths {
				vals := make([][]float32, len(k.Operands))
				for j := range vals {
					vals[j] = make([]float32, n)
					for i := range vals[j] {
						vals[j][i] = k.Gen(r, j)
					}
				}
				run := func() [][]float32 {
					ops := make([][]float32, len(vals))
					for j, v := range vals {
						ops[j] = append([]float32(nil), v...)
					}
					k.Call(ops)
					return ops
				}
				var want [][]float32
				onFallback(func() { want = run() })
				got := run()
				for j := range k.Outputs {
					for i, v := range got[j] {
						if w := want[j][i]; !harness.SameBits(v, w) && !(isNaN(v) && isNaN(w)) {
							t.Fatalf("%s n=%d: %s[%d] = %s, the fallback's %s", k.Name, n, k.Operands[j], i, harness.F(v), harness.F(w))
						}
					}
				}
			}
		}
	})
}
