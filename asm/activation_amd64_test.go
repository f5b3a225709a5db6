//go:build !purego

package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdnn/simdnn/fallback"
	"github.com/simdnn/simdnn/internal/harness"
)

// The activation family against package fallback, bit for bit: the selects
// (ReLUGrad everywhere, the pass-through lanes of LeakyReLU and
// LeakyReLUGrad) must give the selected input's exact bits, NaN payloads
// included, and every arithmetic result must be the fallback's float32,
// except that where it is NaN any NaN will do. The selects are also
// checked against their own oracles, not only against the fallback.

// actKernel is one kernel of the family, called through o, its slices in
// signature order (output first), and p, its scalar parameter if any.
type actKernel struct {
	name    string
	slices  int                                   // how many slice operands; Scale has one, in place
	params  []float32                             // the scalar parameters to try; nil: none
	levels  map[string]func([][]float32, float32) // keyed by level name
	ref     func([][]float32, float32)            // the fallback
	strict  func(in []float32, p float32) (want float32, ok bool)
	aliases []int // the inputs the output may be, besides its own slice
}

// slopes are the leaky ReLU slopes tried: the common ones, the limits, a
// negative one, one that scales up, and the special values.
var slopes = []float32{0.01, 0.1, 0, 1, -0.5, 2, 0x1p-140, float32(math.Inf(1)), float32(math.NaN())}

var actKernels = []actKernel{
	{
		name:   "ReLUGrad",
		slices: 3,
		levels: map[string]func([][]float32, float32){
			"avx2":   func(o [][]float32, _ float32) { ReLUGradAVX2(o[0], o[1], o[2]) },
			"avx512": func(o [][]float32, _ float32) { ReLUGradAVX512(o[0], o[1], o[2]) },
		},
		ref: func(o [][]float32, _ float32) { fallback.ReLUGrad(o[0], o[1], o[2]) },
		// +0 where x ≤ 0, dy's bits where x > 0 or NaN.
		strict: func(in []float32, _ float32) (float32, bool) {
			if in[1] <= 0 {
				return 0, true
			}
			return in[2], true
		},
		aliases: []int{1, 2},
	},
	{
		name:   "LeakyReLU",
		slices: 2,
		params: slopes,
		levels: map[string]func([][]float32, float32){
			"avx2":   func(o [][]float32, p float32) { LeakyReLUAVX2(o[0], o[1], p) },
			"avx512": func(o [][]float32, p float32) { LeakyReLUAVX512(o[0], o[1], p) },
		},
		ref: func(o [][]float32, p float32) { fallback.LeakyReLU(o[0], o[1], p) },
		// x's bits where x ≥ 0 (−0 included) or NaN.
		strict: func(in []float32, _ float32) (float32, bool) {
			return in[1], !(in[1] < 0)
		},
		aliases: []int{1},
	},
	{
		name:   "LeakyReLUGrad",
		slices: 3,
		params: slopes,
		levels: map[string]func([][]float32, float32){
			"avx2":   func(o [][]float32, p float32) { LeakyReLUGradAVX2(o[0], o[1], o[2], p) },
			"avx512": func(o [][]float32, p float32) { LeakyReLUGradAVX512(o[0], o[1], o[2], p) },
		},
		ref: func(o [][]float32, p float32) { fallback.LeakyReLUGrad(o[0], o[1], o[2], p) },
		// dy's bits where x > 0 or NaN.
		strict: func(in []float32, _ float32) (float32, bool) {
			return in[2], !(in[1] <= 0)
		},
		aliases: []int{1, 2},
	},
	{
		name:   "Scale",
		slices: 1,
		params: []float32{0.5, -3, 0, 1, 1e-30, 0x1p-140, 1e30, float32(math.Inf(1)), float32(math.NaN())},
		levels: map[string]func([][]float32, float32){
			"avx2":   func(o [][]float32, p float32) { ScaleAVX2(o[0], p) },
			"avx512": func(o [][]float32, p float32) { ScaleAVX512(o[0], p) },
		},
		ref: func(o [][]float32, p float32) { fallback.Scale(o[0], p) },
	},
	{
		name:   "TanhGrad",
		slices: 3,
		levels: map[string]func([][]float32, float32){
			"avx2":   func(o [][]float32, _ float32) { TanhGradAVX2(o[0], o[1], o[2]) },
			"avx512": func(o [][]float32, _ float32) { TanhGradAVX512(o[0], o[1], o[2]) },
		},
		ref:     func(o [][]float32, _ float32) { fallback.TanhGrad(o[0], o[1], o[2]) },
		aliases: []int{1, 2},
	},
	{
		name:   "SigmoidGrad",
		slices: 3,
		levels: map[string]func([][]float32, float32){
			"avx2":   func(o [][]float32, _ float32) { SigmoidGradAVX2(o[0], o[1], o[2]) },
			"avx512": func(o [][]float32, _ float32) { SigmoidGradAVX512(o[0], o[1], o[2]) },
		},
		ref:     func(o [][]float32, _ float32) { fallback.SigmoidGrad(o[0], o[1], o[2]) },
		aliases: []int{1, 2},
	},
}

// actLengths are every length up to 4·16+3, which covers every tail and
// loop exit of both widths (W = 8 and 16: 0..4W+3), and a few longer ones.
var actLengths = func() []int {
	var ns []int
	for n := range 4*16 + 4 {
		ns = append(ns, n)
	}
	return append(ns, 100, 1000, 4099)
}()

// actSpecials add to specials the values the gradients from a saved
// output meet at their edges, and the largest denormal and FLT_MIN.
var actSpecials = append(append([]float32{}, specials...),
	0.5, -0.5, 1-0x1p-24, -(1 - 0x1p-24), 1+0x1p-23,
	math.Float32frombits(0x007fffff), math.Float32frombits(0x807fffff),
	0x1p-126, -0x1p-126, 1e30, -1e30,
)

// actFill sets s to values mostly in [−2, 2), with actSpecials mixed in.
func actFill(r *rand.Rand, s []float32) {
	for i := range s {
		switch r.IntN(4) {
		case 0:
			s[i] = actSpecials[r.IntN(len(actSpecials))]
		case 1:
			s[i] = math.Float32frombits(r.Uint32()) // any exponent, any NaN
		default:
			s[i] = float32(4*r.Float64() - 2)
		}
	}
}

// paramsOf returns k's parameters, or one dummy for a kernel without.
func paramsOf(k actKernel) []float32 {
	if k.params == nil {
		return []float32{0}
	}
	return k.params
}

// checkAct compares out, the kernel's output for the inputs ins (the
// values of every slice before the call), with the fallback's and with
// k.strict.
func checkAct(t *testing.T, k actKernel, what string, p float32, out []float32, ins [][]float32) {
	t.Helper()
	n := len(out)
	ref := make([][]float32, len(ins))
	for i := range ins {
		ref[i] = append([]float32(nil), ins[i]...)
	}
	k.ref(ref, p)
	in := make([]float32, len(ins))
	for i := range n {
		for j := range ins {
			in[j] = ins[j][i]
		}
		want := ref[0][i]
		ok := got(out[i]) == got(want) || out[i] != out[i] && want != want
		if s, strict := k.strictAt(in, p); strict && got(out[i]) != got(s) {
			ok, want = false, s
		}
		if !ok {
			t.Fatalf("%s %s p=%g n=%d: [%d] = %#x for inputs %s, want %#x",
				k.name, what, p, n, i, got(out[i]), hexes(in), got(want))
		}
	}
}

// strictAt returns the exact result k.strict requires for in, if any.
func (k actKernel) strictAt(in []float32, p float32) (float32, bool) {
	if k.strict == nil {
		return 0, false
	}
	return k.strict(in, p)
}

// hexes formats vs as their bit patterns.
func hexes(vs []float32) string {
	s := "["
	for i, v := range vs {
		if i > 0 {
			s += " "
		}
		s += fmt.Sprintf("%#x", got(v))
	}
	return s + "]"
}

// TestActivation runs every kernel of the family on every length, with
// each slice flush against a guard page after it and then before it, out
// of place and in place, against the fallback.
func TestActivation(t *testing.T) {
	for ki, k := range actKernels {
		t.Run(k.name, func(t *testing.T) {
			forEachLevel(t, func(t *testing.T, l level) {
				fn := k.levels[l.name]
				for pi, p := range paramsOf(k) {
					t.Run(fmt.Sprint("p=", p), func(t *testing.T) {
						r := rand.New(rand.NewPCG(uint64(ki), uint64(pi)))
						for _, after := range []bool{true, false} {
							for _, n := range actLengths {
								actOnce(t, k, l.name, fn, r, n, after, p)
							}
						}
					})
				}
			})
		})
	}
}

// actOnce runs k once out of place (for kernels with an output of its
// own) and once for each input the output may alias, on guarded slices
// of length n.
func actOnce(t *testing.T, k actKernel, lname string, fn func([][]float32, float32), r *rand.Rand, n int, after bool, p float32) {
	t.Helper()
	o := make([][]float32, k.slices)
	for i := range o {
		o[i] = guarded(t, n, after)
		actFill(r, o[i])
	}
	ins := make([][]float32, k.slices)
	for i := range o {
		ins[i] = append([]float32(nil), o[i]...)
	}
	what := fmt.Sprintf("guard after=%v", after)
	harness.NoFault(t, lname, func() { fn(o, p) })
	checkAct(t, k, what, p, o[0], ins)

	for _, a := range k.aliases {
		for i := range o {
			copy(o[i], ins[i])
		}
		call := append([][]float32(nil), o...)
		call[0] = o[a]
		alias := append([][]float32(nil), ins...)
		alias[0] = ins[a]
		harness.NoFault(t, lname, func() { fn(call, p) })
		checkAct(t, k, fmt.Sprintf("%s in place on operand %d", what, a), p, o[a], alias)
	}
}

// TestActivationPairs runs every kernel on every pair (x or y, dy) of
// special values, and every special value for the unary ones, in one
// call each, against the fallback.
func TestActivationPairs(t *testing.T) {
	for _, k := range actKernels {
		t.Run(k.name, func(t *testing.T) {
			forEachLevel(t, func(t *testing.T, l level) {
				for _, p := range paramsOf(k) {
					ins := make([][]float32, k.slices)
					switch k.slices {
					case 1:
						ins[0] = append([]float32(nil), actSpecials...)
					case 2:
						ins[1] = append([]float32(nil), actSpecials...)
						ins[0] = make([]float32, len(ins[1]))
					case 3:
						for _, a := range actSpecials {
							for _, b := range actSpecials {
								ins[1], ins[2] = append(ins[1], a), append(ins[2], b)
							}
						}
						ins[0] = make([]float32, len(ins[1]))
					}
					o := make([][]float32, len(ins))
					for i := range ins {
						o[i] = append([]float32(nil), ins[i]...)
					}
					k.levels[l.name](o, p)
					checkAct(t, k, "specials", p, o[0], ins)
				}
			})
		})
	}
}

// TestGradUnfused checks that TanhGrad and SigmoidGrad round after every
// operation, as the fallback does, rather than fusing 1 − y·y: for
// y = 1 − 2⁻²⁴, y·y = 1 − 2⁻²³ + 2⁻⁴⁸ rounds to 1 − 2⁻²³, so the unfused
// 1 − y·y is 2⁻²³ where a fused one would give 2⁻²³ − 2⁻⁴⁸.
func TestGradUnfused(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l level) {
		y := float32(1 - 0x1p-24)
		for _, n := range []int{1, 8, 16, 100} {
			ys, dys, dx := make([]float32, n), make([]float32, n), make([]float32, n)
			for i := range n {
				ys[i], dys[i] = y, 1
			}
			k := actKernels[4]
			k.levels[l.name]([][]float32{dx, ys, dys}, 0)
			for i, v := range dx {
				if v != 0x1p-23 {
					t.Fatalf("TanhGrad n=%d: dx[%d] = %g, want the unfused 2⁻²³", n, i, v)
				}
			}
		}
	})
}
