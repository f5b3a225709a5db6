package main

import (
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// mse is Σ (pred − target)² in float64 and, with grad, dpred = g·(pred −
// target) with g = scale, as fallback.MSE: the differences formed in float64, their
// squares summed with FMAs (the fallback rounds each square first: the
// sums differ in the last bits of a float64, far below the float32 loss's
// rounding).
func mse(grad bool) func(c *build.Context, s isa) {
	return func(c *build.Context, s isa) {
		name, sig, slices := "MSESum", "func(pred, target []float32) float64", []string{"pred", "target"}
		doc := []string{"returns Σ (pred[i] − target[i])² over i < len(pred), each",
			"difference and square in float64; target must be as long as pred",
			"(unchecked)."}
		if grad {
			name, sig, slices = "MSEGrad", "func(dpred, pred, target []float32, scale float32) float64", []string{"dpred", "pred", "target"}
			doc = []string{"returns Σ (pred[i] − target[i])² over i < len(pred), each",
				"difference and square in float64, and sets dpred[i] = scale·(pred[i] −",
				"target[i]) in float32, rounding twice. dpred and target must be as",
				"long as pred (unchecked); dpred may be pred or target, otherwise",
				"overlap neither."}
		}
		declare(c, name+s.suffix, sig, append(append([]string{name + s.suffix + " " + doc[0]}, doc[1:]...), s.requires)...)
		n := c.GP64()
		c.Load(c.Param("pred").Len(), n)
		var ptrs []reg.Register
		for _, p := range slices {
			ptrs = append(ptrs, c.Load(c.Param(p).Base(), c.GP64()))
		}
		var g reg.VecVirtual
		if grad {
			g = broadcastParam(c, s, "scale")
		}
		lo, hi := zeroed(c, s), zeroed(c, s)
		span(c, s, n, ptrs, func(io vecIO, at []operand.Mem) {
			p, t := io.load(at[len(at)-2]), io.load(at[len(at)-1])
			if grad {
				d := s.vec(c)
				c.VSUBPS(t, p, d)
				c.VMULPS(d, g, d)
				io.store(d, at[0])
			}
			if _, ok := io.(scalarIO); ok {
				c.VCVTSS2SD(p.AsX(), p.AsX(), p.AsX())
				c.VCVTSS2SD(t.AsX(), t.AsX(), t.AsX())
				c.VSUBSD(t.AsX(), p.AsX(), p.AsX())
				c.VFMADD231SD(p.AsX(), p.AsX(), lo.AsX())
				return
			}
			diff2(c, s, p, t, lo, hi)
		}, sumPD(c, s, lo, hi))
		// VMOVSD, not the legacy MOVSD of avo's Store, which could cost
		// an AVX–SSE transition before VZEROUPPER.
		ret, err := c.ReturnIndex(0).Resolve()
		if err != nil {
			panic(err)
		}
		c.VMOVSD(lo.AsX(), ret.Addr)
		c.VZEROUPPER()
		c.RET()
	}
}

// diff2 adds the squares of a − b, formed in float64 lane by lane, into
// lo (the low half of the lanes) and hi.
func diff2(c *build.Context, s isa, a, b, lo, hi reg.VecVirtual) {
	for i, acc := range []reg.VecVirtual{lo, hi} {
		x, y := toPD(c, s, a, i == 1), toPD(c, s, b, i == 1)
		c.VSUBPD(y, x, x)
		c.VFMADD231PD(x, x, acc)
	}
}

func mseFamily(c *build.Context) {
	for _, g := range []func(*build.Context, isa){mse(false), mse(true)} {
		for _, s := range isas {
			g(c, s)
		}
	}
}
