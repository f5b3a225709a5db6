package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdnn/simdnn/internal/harness"
)

// gemmAct is an activation the SgemmBiasAct tests apply, with the
// float64 function it stands for and its Lipschitz constant, by which it
// can magnify the error of its input.
type gemmAct struct {
	act       Activation
	ref       func(float64) float64
	lipschitz float64
}

// gemmActs are the activations of TestSgemmBiasAct.
var gemmActs = []gemmAct{
	{ActIdentity, func(x float64) float64 { return x }, 1},
	{ActReLU, func(x float64) float64 { return max(x, 0) }, 1},
	{ActLeakyReLU(0.01), func(x float64) float64 { return leaky(x, 0.01) }, 1},
	{ActLeakyReLU(-1.5), func(x float64) float64 { return leaky(x, -1.5) }, 1.5},
	{ActTanh, math.Tanh, 1},
	{ActSigmoid, func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }, 0.25},
}

// leaky is leaky ReLU in float64, with the slope rounded to float32 as
// the kernels take it.
func leaky(x, slope float64) float64 {
	if x < 0 {
		return float64(float32(slope)) * x
	}
	return x
}

// want returns the reference value of one element of SgemmBiasAct's
// result and its tolerance, from w and gauge, the reference and gauge of
// the same element of Sgemm's (harness.GemmRef.Want), and the element's
// bias, if withBias.
func (a gemmAct) want(w, gauge float64, bias float32, withBias bool) (float64, float64) {
	if withBias {
		// Two more roundings: the sum before the bias (which the gauge
		// leaves out when it is exact) and the one with it.
		wb := w + float64(bias)
		gauge += 0x1p-23 * (math.Abs(w) + math.Abs(wb))
		w = wb
	}
	// The activation's own error: a few ulp of its result, and a little
	// absolute slack for results near 0.
	y := a.ref(w)
	return y, gauge*a.lipschitz + 4*0x1p-24*math.Abs(y) + 0x1p-60
}

// unfused computes what SgemmBiasAct promises, with the public kernels one
// pass at a time: Sgemm, BiasAdd, then the activation row by row.
func unfused(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, bias []float32, act Activation) {
	Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	if len(bias) != 0 {
		BiasAdd(c, ldc, m, n, bias)
	}
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		switch act.kind {
		case actReLU:
			ReLU(row, row)
		case actLeakyReLU:
			LeakyReLU(row, row, act.slope)
		case actTanh:
			Tanh(row, row)
		case actSigmoid:
			Sigmoid(row, row)
		}
	}
}

// TestSgemmBiasAct runs SgemmBiasAct over a grid of shapes around the
// register tiles, every transpose pair, alpha and beta (beta = 0 over a C
// of NaN), padded leading dimensions, with and without a bias (one NaN in
// it where the shape allows), and every activation. Each result must be
// bit-identical to the unfused passes of the same implementation, which
// the documentation promises, and within the gauge of the float64
// reference; nothing outside C's window may change.
func TestSgemmBiasAct(t *testing.T) {
	dims := []int{1, 2, 3, 5, 7, 16, 17, 33, 65, 130}
	if testing.Short() {
		dims = []int{1, 3, 7, 17, 65}
	}
	forEachGemmImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(21, 22))
		var opA, opB, opC gemmOperand
		calls, cases := 0, 0
		for _, m := range dims {
			for _, n := range dims {
				for _, k := range []int{0, 1, 9, 300} {
					// cases, not calls, picks the transposes
					// and (with the activation) the alpha, beta
					// and leading dimensions: calls grows by 12
					// a case, which would pin them all.
					tr := cases % 4
					cases++
					transA, transB := tr&1 != 0, tr&2 != 0
					ar, ac, br, bc := gemmShapes(transA, transB, m, n, k)
					a := harness.GemmDense(rng, ar, ac)
					b := harness.GemmDense(rng, br, bc)
					c := harness.GemmDense(rng, m, n)
					bias := harness.GemmDense(rng, 1, n)
					if n > 2 {
						bias[n-2] = float32(math.NaN())
					}
					for ai, act := range gemmActs {
						// For each transpose pair and activation,
						// 29·(cases/4) runs through every combination.
						alpha, beta, ldi := gemmCombo((cases*7 + cases/4 + ai*13) % gemmCombos)
						srcC := c
						if beta == 0 {
							srcC = nil
						}
						for _, withBias := range []bool{false, true} {
							g := &gemmCall{
								transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta,
								a: opA.reset(a, ar, ac, harness.GemmLDs(ac)[ldi], calls%harness.Offsets),
								b: opB.reset(b, br, bc, harness.GemmLDs(bc)[(ldi+ai)%3], (calls+3)%harness.Offsets),
								c: opC.reset(srcC, m, n, harness.GemmLDs(n)[(ldi+cases)%3], (calls+5)%harness.Offsets),
							}
							checkBiasAct(t, g, g.reference(), bias, withBias, act)
							calls++
						}
					}
				}
			}
		}
		t.Logf("%d calls", calls)
	})
}

// checkBiasAct runs g through SgemmBiasAct with act and, when withBias,
// bias, and fails the test unless every element is within act's tolerance
// of ref (the float64 product) and bit-identical to Sgemm, then BiasAdd,
// then the activation on the same implementation (unfused).
func checkBiasAct(t *testing.T, g *gemmCall, ref func(i, j int) (float64, float64), bias []float32, withBias bool, act gemmAct) {
	t.Helper()
	bs := bias
	if !withBias {
		bs = nil
	}
	what := fmt.Sprintf("%v bias=%v act=%v", g, withBias, act.act)
	wantP := harness.Place(g.c.s, 0)
	want := wantP.S
	unfused(g.transA, g.transB, g.m, g.n, g.k, g.alpha, g.a.s, g.a.ld, g.b.s, g.b.ld, g.beta, want, g.c.ld, bs, act.act)
	if at, bad := wantP.BadCanary(); bad {
		t.Fatalf("%s: the unfused passes wrote outside C, at index %d", what, at)
	}
	SgemmBiasAct(g.transA, g.transB, g.m, g.n, g.k, g.alpha, g.a.s, g.a.ld, g.b.s, g.b.ld, g.beta, g.c.s, g.c.ld, bs, act.act)
	err := g.checkWith(func(i, j int) (float64, float64) {
		w, gauge := ref(i, j)
		return act.want(w, gauge, bias[j], withBias)
	})
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	for x, v := range g.c.s {
		if math.Float32bits(v) != math.Float32bits(want[x]) && !(v != v && want[x] != want[x]) {
			t.Fatalf("%s: c[%d] = %g, but Sgemm, BiasAdd and the activation give %g", what, x, v, want[x])
		}
	}
}

// TestSgemmBiasActGuard runs SgemmBiasAct with the bias and C flush
// against guard pages, over shapes whose edge tiles go through the
// driver's staging tile and padded bias, with op(B) = B and Bᵀ (at
// 64×70×300 the SIMD levels' transposed algorithm, at 9×10×128 and
// 5×7×96 their dot kernels).
func TestSgemmBiasActGuard(t *testing.T) {
	if !harness.GuardSupported {
		t.Skip("no guard pages on this system")
	}
	forEachGemmImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(23, 24))
		for _, sh := range [][3]int{{1, 1, 1}, {7, 13, 5}, {13, 65, 17}, {64, 70, 300}, {9, 10, 128}, {5, 7, 96}} {
			m, n, k := sh[0], sh[1], sh[2]
			a := harness.GemmDense(rng, m, k)
			for _, transB := range []bool{false, true} {
				b, ldb := harness.GemmDense(rng, k, n), n
				if transB {
					ldb = k
				}
				for _, after := range []bool{true, false} {
					guard := harness.GuardBefore
					if after {
						guard = harness.GuardAfter
					}
					what := fmt.Sprintf("%d×%d×%d transB=%v after=%v", m, n, k, transB, after)
					bias, c := guard(t, n), guard(t, m*n)
					copy(bias, harness.GemmDense(rng, 1, n))
					want := make([]float32, m*n)
					unfused(false, transB, m, n, k, 1, a, k, b, ldb, 0, want, n, bias, ActLeakyReLU(0.1))
					harness.NoFault(t, what, func() {
						SgemmBiasAct(false, transB, m, n, k, 1, a, k, b, ldb, 0, c, n, bias, ActLeakyReLU(0.1))
					})
					for x := range c {
						if c[x] != want[x] {
							t.Fatalf("%s: c[%d] = %g, want %g", what, x, c[x], want[x])
						}
					}
				}
			}
		}
	})
}

func TestActivationString(t *testing.T) {
	for _, tc := range []struct {
		act  Activation
		want string
	}{
		{ActIdentity, "Identity"}, {Activation{}, "Identity"}, {ActReLU, "ReLU"},
		{ActLeakyReLU(0.01), "LeakyReLU(0.01)"}, {ActTanh, "Tanh"}, {ActSigmoid, "Sigmoid"},
	} {
		if got := tc.act.String(); got != tc.want {
			t.Errorf("%#v.String() = %q, want %q", tc.act, got, tc.want)
		}
	}
}
