//go:build !purego

package asm

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/simdnn/simdnn/fallback"
	"github.com/simdnn/simdnn/internal/harness"
)

// Exp runs fallback's algorithm with its roundings, so it is held to the
// fallback bit for bit (any NaN where it gives NaN); its accuracy against
// float64 is package kernels' sweep's business. ExpFast, Tanh and Sigmoid
// use fused multiply-adds and give other bits; they are held to their
// documented bounds against float64 (TestFastTranscendental) and to the
// fallback's exact special values and saturation.

var transKernels = []actKernel{
	{
		name:   "Exp",
		slices: 2,
		levels: map[string]func([][]float32, float32){
			"avx2":   func(o [][]float32, _ float32) { ExpAVX2(o[0], o[1]) },
			"avx512": func(o [][]float32, _ float32) { ExpAVX512(o[0], o[1]) },
		},
		ref:     func(o [][]float32, _ float32) { fallback.Exp(o[0], o[1]) },
		aliases: []int{1},
	},
	{
		name:   "ExpFMAAdds",
		slices: 2,
		levels: map[string]func([][]float32, float32){
			"avx512": func(o [][]float32, _ float32) { ExpFMAAddsAVX512(o[0], o[1]) },
		},
		ref:     func(o [][]float32, _ float32) { fallback.Exp(o[0], o[1]) },
		aliases: []int{1},
	},
}

// TestTranscendental runs each kernel on every length with guard pages
// after and before, out of place and in place, and then on a million
// inputs spread over the ranges where the results are neither saturated
// nor trivial, and on every float32 exponent with random mantissas.
func TestTranscendental(t *testing.T) {
	for ki, k := range transKernels {
		t.Run(k.name, func(t *testing.T) {
			forEachLevel(t, func(t *testing.T, l level) {
				fn := k.levels[l.name]
				if fn == nil {
					t.Skipf("no %s kernel at this level", k.name)
				}
				r := rand.New(rand.NewPCG(uint64(ki), 7))
				for _, after := range []bool{true, false} {
					for _, n := range actLengths {
						actOnce(t, k, l.name, fn, r, n, after, 0)
					}
				}
				n := 1 << 20
				if testing.Short() {
					n = 1 << 16
				}
				x := make([]float32, n)
				for i := range x {
					switch i % 3 {
					case 0:
						x[i] = float32(r.NormFloat64() * 30)
					case 1:
						x[i] = float32(240*r.Float64() - 120)
					default:
						x[i] = math.Float32frombits(r.Uint32())
					}
				}
				in := append([]float32(nil), x...)
				out := make([]float32, n)
				fn([][]float32{out, x}, 0)
				checkAct(t, k, "wide", 0, out, [][]float32{make([]float32, n), in})
			})
		})
	}
}

// fastKernel is a kernel held to an error bound against float64 rather
// than to the fallback's bits.
type fastKernel struct {
	name   string
	levels map[string]func(dst, x []float32)
	ref    func(float32) float64
	ulp    float64 // the bound its doc comment states
	// exact are inputs whose results are documented exactly: special
	// values, and both sides of each saturation threshold.
	exact map[float32]float32
}

var (
	inf  = float32(math.Inf(1))
	bits = math.Float32frombits
)

var fastKernels = []fastKernel{
	{
		name:   "ExpFast",
		levels: map[string]func(dst, x []float32){"avx2": ExpFastAVX2, "avx512": ExpFastAVX512},
		ref:    harness.Exp,
		ulp:    2,
		exact:  map[float32]float32{0: 1, -inf: 0, inf: inf, -200: 0, 200: inf, -math.MaxFloat32: 0, math.MaxFloat32: inf},
	},
	{
		name:   "Tanh",
		levels: map[string]func(dst, x []float32){"avx2": TanhAVX2, "avx512": TanhAVX512},
		ref:    harness.Tanh,
		ulp:    3,
		exact: map[float32]float32{
			0: 0, -inf: -1, inf: 1, 1e30: 1, -1e30: -1, 10: 1, -10: -1,
			// The first ±1, and the float32 below it.
			bits(0x41102cb4): 1, -bits(0x41102cb4): -1,
			bits(0x41102cb3): bits(0x3f7fffff), -bits(0x41102cb3): -bits(0x3f7fffff),
		},
	},
	{
		name:   "Sigmoid",
		levels: map[string]func(dst, x []float32){"avx2": SigmoidAVX2, "avx512": SigmoidAVX512},
		ref:    harness.Sigmoid,
		ulp:    3,
		exact: map[float32]float32{
			0: 0.5, -inf: 0, inf: 1, 1e30: 1, -1e30: 0, 100: 1, -200: 0,
			// The first 1 and the float32 below it; the last 0 and
			// the float32 after it.
			bits(0x418aa123): 1, bits(0x418aa122): bits(0x3f7fffff),
			bits(0xc2cff1b5): 0, bits(0xc2cff1b4): 0x1p-149,
		},
	},
}

// The AVX-512 kernel that divides by reciprocal (gen/vmath.go, quotient)
// is held to the same bounds and exact values as Tanh.
func init() {
	for _, k := range fastKernels {
		if recip, ok := recipKernels[k.name]; ok {
			k.name += "Recip"
			k.levels = map[string]func(dst, x []float32){"avx512": recip}
			fastKernels = append(fastKernels, k)
		}
	}
}

var recipKernels = map[string]func(dst, x []float32){"Tanh": TanhRecipAVX512}

// TestFastTranscendental checks ExpFast, Tanh and Sigmoid against the
// float64 reference: within their bounds on every length with guard pages
// after and before, out of place and in place, exactly on the special
// values and saturation thresholds (tanh(−0) = −0 and NaN too), and on a
// sample of every float32 bit pattern (every 4099th with -short, every
// 17th otherwise), whose largest error it logs. Package kernels sweeps
// every input.
func TestFastTranscendental(t *testing.T) {
	for ki, k := range fastKernels {
		t.Run(k.name, func(t *testing.T) {
			forEachLevel(t, func(t *testing.T, l level) {
				fn := k.levels[l.name]
				if fn == nil {
					t.Skipf("no %s kernel at this level", k.name)
				}
				fastKernelCheck(t, k, fn, l.name, rand.New(rand.NewPCG(5, uint64(ki))))
			})
		})
	}
}

func fastKernelCheck(t *testing.T, k fastKernel, fn func(dst, x []float32), lname string, r *rand.Rand) {
	check := func(what string, got, x []float32) {
		t.Helper()
		for i, v := range x {
			if want := k.ref(v); !harness.Within(got[i], want, k.ulp, 0) {
				t.Fatalf("%s n=%d: %s(%s) = %s, want %.9g within %g ULP (%.3f away)",
					what, len(x), k.name, harness.F(v), harness.F(got[i]), want, k.ulp, harness.ULP(got[i], want))
			}
		}
	}
	for _, after := range []bool{true, false} {
		for _, n := range actLengths {
			dst, x := guarded(t, n, after), guarded(t, n, after)
			actFill(r, x)
			in := append([]float32(nil), x...)
			harness.NoFault(t, lname, func() { fn(dst, x) })
			check("guarded", dst, in)
			harness.NoFault(t, lname, func() { fn(x, x) })
			check("in place", x, in)
		}
	}

	for x, want := range k.exact {
		got := []float32{0}
		fn(got, []float32{x})
		if !harness.SameBits(got[0], want) {
			t.Errorf("%s(%s) = %s, want %s", k.name, harness.F(x), harness.F(got[0]), harness.F(want))
		}
	}
	nan := float32(math.NaN())
	got := []float32{0, 0, 0}
	fn(got, []float32{nan, -nan, float32(math.Copysign(0, -1))})
	if got[0] == got[0] || got[1] == got[1] {
		t.Errorf("%s(NaN) = %g, %g, want NaN", k.name, got[0], got[1])
	}
	if strings.HasPrefix(k.name, "Tanh") && !harness.SameBits(got[2], float32(math.Copysign(0, -1))) {
		t.Errorf("Tanh(−0) = %s, want −0", harness.F(got[2]))
	}

	stride := uint64(17)
	if testing.Short() {
		stride = 4099
	}
	const chunk = 1 << 16
	x, y := make([]float32, 0, chunk), make([]float32, chunk)
	worst, worstX := 0.0, float32(0)
	for b := uint64(0); b < 1<<32; b += stride {
		x = append(x, math.Float32frombits(uint32(b)))
		if len(x) < chunk && b+stride < 1<<32 {
			continue
		}
		fn(y[:len(x)], x)
		check("sample", y[:len(x)], x)
		for i, v := range x {
			if u := harness.ULP(y[i], k.ref(v)); u > worst && !math.IsInf(u, 0) {
				worst, worstX = u, v
			}
		}
		x = x[:0]
	}
	t.Logf("largest error %.3f ULP, at x = %s", worst, harness.F(worstX))
}

// TestTanhSigmoidLevelsAgree holds the AVX-512 Tanh and Sigmoid to the
// AVX2 kernels' bits on a sample of every float32 bit pattern (every
// 65537th with -short, every 257th otherwise), as gen/tanh.go
// promises: the same steps, VSCALEFPS for the exponent bits, one
// correctly rounded VDIVPS in both. So a model's activations do not
// depend on which of the two levels the CPU runs.
func TestTanhSigmoidLevelsAgree(t *testing.T) {
	if !levels[0].ok || !levels[1].ok {
		t.Skip("CPU lacks avx2 or avx512")
	}
	stride := uint64(257)
	if testing.Short() {
		stride = 65537
	}
	var x []float32
	for b := uint64(0); b < 1<<32; b += stride {
		x = append(x, math.Float32frombits(uint32(b)))
	}
	for _, k := range fastKernels {
		if k.name != "Tanh" && k.name != "Sigmoid" {
			continue
		}
		y2, y512 := make([]float32, len(x)), make([]float32, len(x))
		k.levels["avx2"](y2, x)
		k.levels["avx512"](y512, x)
		for i, v := range x {
			if !harness.SameBits(y2[i], y512[i]) && !(y2[i] != y2[i] && y512[i] != y512[i]) {
				t.Fatalf("%s(%s): avx512 %s, avx2 %s", k.name, harness.F(v), harness.F(y512[i]), harness.F(y2[i]))
			}
		}
	}
}

// TestRecipQuotients compares the AVX-512 kernel that divides by
// reciprocal with the one that divides by VDIVPS on a sample of every float32
// bit pattern (every 65537th with -short, every 61st otherwise): the
// reciprocal and its correction leave an error below 2⁻²⁸ before the last
// rounding, so a quotient can only round the other way, by one ULP, where
// the exact one lies that close to a rounding boundary. The results must
// therefore be equal or one ULP apart, and equal for all but a small
// fraction (it logs the fraction; gen/tanh.go states it).
func TestRecipQuotients(t *testing.T) {
	if !levels[1].ok {
		t.Skip("CPU lacks avx512")
	}
	stride := uint64(61)
	if testing.Short() {
		stride = 65537
	}
	var x []float32
	for b := uint64(0); b < 1<<32; b += stride {
		x = append(x, math.Float32frombits(uint32(b)))
	}
	for _, k := range []struct {
		name       string
		div, recip func(dst, x []float32)
	}{{"Tanh", TanhAVX512, TanhRecipAVX512}} {
		yd, yr := make([]float32, len(x)), make([]float32, len(x))
		k.div(yd, x)
		k.recip(yr, x)
		differ := 0
		for i, v := range x {
			if yd[i] != yd[i] && yr[i] != yr[i] || harness.SameBits(yd[i], yr[i]) {
				continue
			}
			differ++
			if up, down := math.Nextafter32(yd[i], float32(math.Inf(1))), math.Nextafter32(yd[i], float32(math.Inf(-1))); yr[i] != up && yr[i] != down {
				t.Fatalf("%s(%s): reciprocal %s, VDIVPS %s: more than one ULP apart", k.name, harness.F(v), harness.F(yr[i]), harness.F(yd[i]))
			}
		}
		if differ*1000 > len(x) {
			t.Errorf("%s: %d of %d results differ, more than one in 1000", k.name, differ, len(x))
		}
		t.Logf("%s: %d of %d results differ by one ULP (one in %.0f)", k.name, differ, len(x), float64(len(x))/float64(max(differ, 1)))
	}
}
