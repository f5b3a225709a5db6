package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdnn/simdnn/internal/harness"
)

// FuzzSgemm holds Sgemm and SgemmBiasAct, on every implementation, to the
// error gauge of NUMERICS.md against the float64 reference, and to the
// fallback NaN for NaN, on fuzzed shapes, transposes, leading dimensions,
// offsets, alpha, beta, activations and values (specials included), with
// every operand between canaries: nothing outside C's window may change.

// gemmFuzzMax bounds m, n and k: one input then stays fast under qemu,
// and every dimension still reaches past two of the largest tile (64).
const gemmFuzzMax = 70

// gemmTiles are the register tiles (mr×nr) of the implementations' GEMMs,
// around which the seeds lie: AVX2's 6×16 (micro-kernel and row kernel),
// AVX-512's 6×64 micro-kernel and 16×16 row kernel, NEON's 8×12, the
// generic 1×12 stripe and the tests' blocked 3×5 (gemmTestImpls).
var gemmTiles = [][2]int{{6, 16}, {6, 64}, {16, 16}, {8, 12}, {1, 12}, {3, 5}}

// The bits of FuzzSgemm's mode argument.
const (
	gemmFuzzTransA = 1 << 0
	gemmFuzzTransB = 1 << 1
	gemmFuzzAct    = 3 << 2 // 0: Sgemm; SgemmBiasAct with 1: identity, 2: ReLU, 3: leaky ReLU
	gemmFuzzBias   = 1 << 4 // SgemmBiasAct with a bias
	gemmFuzzNaNC   = 1 << 5 // C's window all NaN (beta = 0 must not let it through)
	gemmFuzzNaNAB  = 1 << 6 // A and B all NaN (alpha = 0 and k = 0 must not read them)
)

// gemmFuzz is one decoded input of FuzzSgemm.
type gemmFuzz struct {
	transA, transB bool
	m, n, k        int
	fused, bias    bool // SgemmBiasAct rather than Sgemm, and with a bias
	act            gemmAct
	nanC, nanAB    bool
	lda, ldb, ldc  int
	trial          int // the operands' offsets: harness.TrialOffset(trial, op)
	alpha, beta    float32
	seed           uint64
}

// decodeGemmFuzz decodes FuzzSgemm's arguments. layout holds the padding
// of lda, ldb and ldc (3 bits each), the offsets' trial (3 bits) and the
// seed of the values the data does not patch.
func decodeGemmFuzz(m, n, k, mode uint8, layout uint32, alpha, beta, slope float32) gemmFuzz {
	fz := gemmFuzz{
		transA: mode&gemmFuzzTransA != 0, transB: mode&gemmFuzzTransB != 0,
		m: int(m) % (gemmFuzzMax + 1), n: int(n) % (gemmFuzzMax + 1), k: int(k) % (gemmFuzzMax + 1),
		fused: mode&gemmFuzzAct != 0,
		nanC:  mode&gemmFuzzNaNC != 0, nanAB: mode&gemmFuzzNaNAB != 0,
		trial: int(layout>>9) % harness.Offsets,
		alpha: tameScalar(alpha, -16, 16), beta: tameScalar(beta, -16, 16),
		seed: uint64(layout >> 12),
	}
	fz.bias = fz.fused && mode&gemmFuzzBias != 0
	switch (mode & gemmFuzzAct) >> 2 {
	case 1:
		fz.act = gemmActs[0]
	case 2:
		fz.act = gemmActs[1]
	case 3:
		s := tameScalar(slope, -10, 4)
		fz.act = gemmAct{ActLeakyReLU(s), func(x float64) float64 { return leaky(x, float64(s)) }, max(1, math.Abs(float64(s)))}
	}
	_, ac, _, bc := gemmShapes(fz.transA, fz.transB, fz.m, fz.n, fz.k)
	fz.lda = max(1, ac) + int(layout&7)
	fz.ldb = max(1, bc) + int(layout>>3&7)
	fz.ldc = max(1, fz.n) + int(layout>>6&7)
	return fz
}

// tameExp brings a finite v ≠ 0 to a magnitude in [2^lo, 2^hi), keeping
// its sign and significand; ±0, ±Inf and NaN stay as they are. FuzzSgemm
// tames every value so that no product or sum can overflow, and no
// product underflow, whatever the fuzzer draws: the error gauge is a
// bound relative to the products' magnitudes, which holds only then
// (NUMERICS.md), and outside it summation order can turn a finite result
// into ±Inf, or a NaN into a number, on one implementation and not
// another.
func tameExp(v float32, lo, hi int) float32 {
	if v == 0 || v != v || math.IsInf(float64(v), 0) {
		return v
	}
	frac, exp := math.Frexp(float64(v)) // |frac| in [1/2, 1)
	return float32(math.Ldexp(frac, clamp(exp, lo+1, hi)))
}

// tameScalar is tameExp(v, lo, hi) for alpha, beta and the slope, with a
// NaN made 1 and ±Inf made ±1: the contract says nothing of non-finite
// scalars.
func tameScalar(v float32, lo, hi int) float32 {
	switch {
	case v != v:
		return 1
	case math.IsInf(float64(v), 0):
		return float32(math.Copysign(1, float64(v)))
	}
	return tameExp(v, lo, hi)
}

// gemmFuzzValue is FuzzSgemm's tame function for fuzzOperands: A, B, C
// and the bias between 2⁻⁴⁰ and 2³² in magnitude, so that with alpha and
// beta within 2^±16 every product lies in [2⁻⁹⁶, 2⁸⁰], and k ≤ 70 of
// them, beta·C and the bias, even times a slope below 16, stay below 2⁹².
// (A leaky slope down to 2⁻¹⁰ can take a tiny sum into the denormals;
// the activation's tolerance has 2⁻⁶⁰ of absolute slack for that.)
func gemmFuzzValue(_ int, v float32) float32 { return tameExp(v, -40, 32) }

func (fz gemmFuzz) String() string {
	call := "Sgemm"
	if fz.fused {
		call = fmt.Sprintf("SgemmBiasAct(bias=%v act=%v)", fz.bias, fz.act.act)
	}
	return fmt.Sprintf("%s transA=%v transB=%v m=%d n=%d k=%d alpha=%s beta=%s lda=%d ldb=%d ldc=%d trial=%d nanC=%v nanAB=%v",
		call, fz.transA, fz.transB, fz.m, fz.n, fz.k, harness.F(fz.alpha), harness.F(fz.beta), fz.lda, fz.ldb, fz.ldc, fz.trial, fz.nanC, fz.nanAB)
}

// call runs the input on the active implementation with A, B and C laid
// out from the dense a, b and c (nil: NaN), checks C's window against the
// reference within the gauge (and the activation's tolerance), and A, B,
// C's padding, the bias and every canary for changes, and returns C's
// window, row-major m×n.
func (fz gemmFuzz) call(t *testing.T, a, b, c, bias []float32) []float32 {
	t.Helper()
	ar, ac, br, bc := gemmShapes(fz.transA, fz.transB, fz.m, fz.n, fz.k)
	g := &gemmCall{
		transA: fz.transA, transB: fz.transB, m: fz.m, n: fz.n, k: fz.k, alpha: fz.alpha, beta: fz.beta,
		a: newGemmOperand(a, ar, ac, fz.lda, harness.TrialOffset(fz.trial, 0)),
		b: newGemmOperand(b, br, bc, fz.ldb, harness.TrialOffset(fz.trial, 1)),
		c: newGemmOperand(c, fz.m, fz.n, fz.ldc, harness.TrialOffset(fz.trial, 2)),
	}
	bp := harness.Place(bias, harness.TrialOffset(fz.trial, 3))
	ref := g.reference()
	want := ref
	if fz.fused {
		SgemmBiasAct(g.transA, g.transB, g.m, g.n, g.k, g.alpha, g.a.s, g.a.ld, g.b.s, g.b.ld, g.beta, g.c.s, g.c.ld, bp.S, fz.act.act)
		want = func(i, j int) (float64, float64) {
			w, gauge := ref(i, j)
			var bj float32
			if fz.bias {
				bj = bias[j]
			}
			return fz.act.want(w, gauge, bj, fz.bias)
		}
	} else {
		g.run()
	}
	what := fmt.Sprintf("%v on %s", fz, Impl())
	if err := g.checkWith(want); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	for j, v := range bp.S {
		if math.Float32bits(v) != math.Float32bits(bias[j]) {
			t.Fatalf("%s: bias[%d] changed from %s to %s", what, j, harness.F(bias[j]), harness.F(v))
		}
	}
	if at, bad := bp.BadCanary(); bad {
		t.Fatalf("%s: wrote outside the bias, at index %d", what, at)
	}
	out := make([]float32, fz.m*fz.n)
	for i := range fz.m * min(fz.n, 1) { // C is empty if n = 0, whatever m is
		copy(out[i*fz.n:(i+1)*fz.n], g.c.s[i*fz.ldc:])
	}
	return out
}

func FuzzSgemm(f *testing.F) {
	addGemmSeeds(f)
	f.Fuzz(func(t *testing.T, m, n, k, mode uint8, layout uint32, alpha, beta, slope float32, data []byte) {
		fz := decodeGemmFuzz(m, n, k, mode, layout, alpha, beta, slope)
		ar, ac, br, bc := gemmShapes(fz.transA, fz.transB, fz.m, fz.n, fz.k)
		nb := 0
		if fz.bias {
			nb = fz.n
		}
		unit := func(r *rand.Rand, _ int) float32 { return harness.Uniform(r, -1, 1) }
		ops := fuzzOperands(data, fz.seed, unit, gemmFuzzValue, ar*ac, br*bc, fz.m*fz.n, nb)
		a, b, c, bias := ops[0], ops[1], ops[2], ops[3]
		if fz.nanAB {
			a, b = nil, nil
		}
		if fz.nanC {
			c = nil
		}
		var want []float32
		onFallback(func() { want = fz.call(t, a, b, c, bias) })
		forEachGemmImpl(t, func(t *testing.T) {
			got := fz.call(t, a, b, c, bias)
			for x, v := range got {
				if isNaN(v) != isNaN(want[x]) {
					t.Fatalf("%v on %s: C[%d,%d] = %s, the fallback's %s", fz, Impl(), x/fz.n, x%fz.n, harness.F(v), harness.F(want[x]))
				}
			}
		})
	})
}

// addGemmSeeds adds FuzzSgemm's seeds: m and n at every tile's mr and nr
// and one either side, with k, the transposes, the call, alpha, beta, the
// padding and the offsets rotating, a third of them with NaN, ±Inf and −0
// patched into A, B, C and the bias; then the empty product, k = 0, and
// beta = 0 over a C of NaN, alpha = 0 over A and B of NaN.
func addGemmSeeds(f *testing.F) {
	add := func(m, n, k int, mode uint8, layout uint32, alpha, beta, slope float32, data []byte) {
		f.Add(uint8(m), uint8(n), uint8(k), mode, layout, alpha, beta, slope, data)
	}
	ks := []int{1, 2, 7, 17, 33, 64, 65, 70}
	alphas := []float32{1, -1, 0.7, 0, -0.3}
	betas := []float32{0, 1, -1, 1.3}
	slopes := []float32{0.01, 0.1, -1.5}
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	negZero := float32(math.Copysign(0, -1))
	i := 0
	for _, tile := range gemmTiles {
		for _, dm := range []int{-1, 0, 1} {
			for _, dn := range []int{-1, 0, 1} {
				mode := uint8(i%4) | uint8(i/4%4)<<2
				if i%3 == 1 {
					mode |= gemmFuzzBias
				}
				layout := uint32(i%5) | uint32(i%3)<<3 | uint32(i%7)<<6 | uint32(i%8)<<9 | uint32(i)<<12
				var data []byte
				if i%3 == 0 {
					// Indices past the operands wrap around, so these
					// land somewhere in A, B, C and the bias whatever
					// their sizes.
					data = fuzzPatch([]int{0, 5, 77, 301, 1000, 2049, 4100},
						[]float32{nan, inf, -inf, negZero, inf, nan, negZero})
				}
				add(tile[0]+dm, tile[1]+dn, ks[i%len(ks)], mode, layout,
					alphas[i%len(alphas)], betas[i/2%len(betas)], slopes[i%len(slopes)], data)
				i++
			}
		}
	}
	add(0, 0, 0, 0, 0, 1, 1, 0, nil)
	add(7, 13, 0, 3<<2|gemmFuzzBias|gemmFuzzNaNAB, 1<<9, 0.7, 1.3, 0.1, nil)         // k = 0
	add(17, 33, 9, gemmFuzzTransB|gemmFuzzNaNC, 2<<9|7<<6, 0.7, 0, 0.1, nil)         // beta = 0 over NaN
	add(6, 16, 5, gemmFuzzTransA|gemmFuzzNaNAB, 3<<9|1, 0, -1, 0.1, nil)             // alpha = 0 over NaN
	add(13, 65, 3, 2<<2|gemmFuzzBias|gemmFuzzNaNAB|gemmFuzzNaNC, 4<<9, 0, 0, 0, nil) // both: act(bias)
}
