package main

import (
	"fmt"
	"strings"

	"github.com/mmcloughlin/avo/attr"
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
)

// The optimizer kernels reproduce the fallback's operations one for one,
// each rounded on its own: no fused multiply-add, where fusing would change
// the result. They are bound by memory (Adam in cache by the divider, see
// SqrtDivPeak), so fusing would gain nothing, and
// unfused they give the fallback's results bit for bit (except for which
// NaN comes out where NaNs meet, and the fallback's own fusing if it is
// compiled for GOAMD64=v3 or later).

// sgdMomentum is one step of PyTorch's SGD with momentum.
var sgdMomentum = kernel{
	name: "SGDMomentum",
	doc: []string{
		"applies one step of SGD with momentum for every i < len(w):",
		"v[i] = momentum·v[i] + g[i], then w[i] = w[i] − lr·v[i], every",
		"multiplication, addition and subtraction rounded on its own (no fused",
		"multiply-add), in the order of fallback.SGDMomentum, whose results it",
		"gives bit for bit but for NaN payloads. v and g must be as long as w",
		"(unchecked) and none may overlap another.",
	},
	sig:    "func(w, v, g []float32, lr, momentum float32)",
	slices: []string{"w", "v", "g"},
	length: "w",
	setup: func(c *build.Context, s isa) body {
		lr, mu := broadcastParam(c, s, "lr"), broadcastParam(c, s, "momentum")
		return func(io vecIO, at []operand.Mem) {
			w, v, g := at[0], at[1], at[2]
			vn := s.vec(c)
			c.VMULPS(io.src(v), mu, vn)
			c.VADDPS(io.src(g), vn, vn)
			io.store(vn, v)
			step := s.vec(c)
			c.VMULPS(vn, lr, step)
			wn := io.load(w)
			c.VSUBPS(step, wn, wn)
			io.store(wn, w)
		}
	},
}

// adam is one step of PyTorch's Adam with its per-call scalars computed by
// the caller (fallback.AdamScalars and 1−β in float32).
var adam = kernel{
	name: "Adam",
	doc: []string{
		"applies one step of Adam for every i < len(w):",
		"",
		"	m[i] = beta1·m[i] + oneMinusBeta1·g[i]",
		"	v[i] = beta2·v[i] + (oneMinusBeta2·g[i])·g[i]",
		"	w[i] = w[i] − (stepSize·m[i]) / (√v[i]·invSqrtBC2 + eps)",
		"",
		"with the new m and v, every operation rounded on its own (no fused",
		"multiply-add; VSQRTPS and VDIVPS are correctly rounded), in the order",
		"of fallback.Adam, whose results it gives bit for bit but for NaN",
		"payloads when the caller passes oneMinusBeta1 = 1−beta1 and",
		"oneMinusBeta2 = 1−beta2 rounded to float32 and stepSize and invSqrtBC2",
		"from fallback.AdamScalars. m, v and g must be as long as w (unchecked)",
		"and none may overlap another.",
	},
	sig:    "func(w, m, v, g []float32, beta1, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, invSqrtBC2, eps float32)",
	slices: []string{"w", "m", "v", "g"},
	length: "w",
	// Each vector needs a VSQRTPS and a VDIVPS, which share the divider,
	// Adam's bound in cache (SqrtDivPeak). Alternated one vector after
	// another, as a plain unrolled loop issues them, the pair measured
	// 20% slower on the development machine than grouped: with the
	// vectors' instructions interleaved, the square roots of eight (AVX2:
	// two, all its 16 registers allow) come together, then their
	// divisions. Adam measured 6% (AVX-512) and 10% (AVX2) faster at 64K
	// elements than unrolled by four, alternated with the previous build.
	interleave: func(s isa) int {
		if wide(s) {
			return 8
		}
		return 2
	},
	setup: func(c *build.Context, s isa) body {
		b1, omb1 := broadcastParam(c, s, "beta1"), broadcastParam(c, s, "oneMinusBeta1")
		b2, omb2 := broadcastParam(c, s, "beta2"), broadcastParam(c, s, "oneMinusBeta2")
		size, bc2 := broadcastParam(c, s, "stepSize"), broadcastParam(c, s, "invSqrtBC2")
		eps := broadcastParam(c, s, "eps")
		return func(io vecIO, at []operand.Mem) {
			w, m, v, g := at[0], at[1], at[2], at[3]
			gv := io.load(g)

			mn, t := s.vec(c), s.vec(c)
			c.VMULPS(io.src(m), b1, mn)
			c.VMULPS(gv, omb1, t)
			c.VADDPS(t, mn, mn)
			io.store(mn, m)

			vn, u := s.vec(c), s.vec(c)
			c.VMULPS(gv, omb2, u)
			c.VMULPS(gv, u, u)
			c.VMULPS(io.src(v), b2, vn)
			c.VADDPS(u, vn, vn)
			io.store(vn, v)

			den := s.vec(c)
			c.VSQRTPS(vn, den)
			c.VMULPS(bc2, den, den)
			c.VADDPS(eps, den, den)
			num := s.vec(c)
			c.VMULPS(mn, size, num)
			c.VDIVPS(den, num, num)
			wn := io.load(w)
			c.VSUBPS(num, wn, wn)
			io.store(wn, w)
		}
	},
}

// stream21, stream32 and stream43 are measuring instruments, not
// kernels: streaming baselines that read and write as many arrays per
// element, in place, as Axpy (2 in, 1 out), SGDMomentum (3 in, 2 out) and
// Adam (4 in, 3 out), in the same generated loop, with one addition per
// output, so that a benchmark can quote each kernel as a fraction of the
// memory traffic the machine sustains for it.
var (
	stream21 = streamInstrument("Stream21", []string{"y", "x"}, 1)
	stream32 = streamInstrument("Stream32", []string{"w", "v", "g"}, 2)
	stream43 = streamInstrument("Stream43", []string{"w", "m", "v", "g"}, 3)
)

// streamInstrument returns the instrument that adds the last of slices to
// each of the first outs, in place.
func streamInstrument(name string, slices []string, outs int) kernel {
	return kernel{
		name: name,
		doc: []string{
			"is a measuring instrument, not a kernel: it adds the last slice to",
			"each of the others in place, reading as many arrays and writing as",
			"many as the kernels it is the baseline of, to measure beside them",
			"in the same run.",
			"Every slice must be as long as the first (unchecked).",
		},
		sig:    "func(" + strings.Join(slices, ", ") + " []float32)",
		slices: slices,
		length: slices[0],
		setup: func(c *build.Context, s isa) body {
			return func(io vecIO, at []operand.Mem) {
				g := io.load(at[outs])
				for _, m := range at[:outs] {
					v := io.load(m)
					c.VADDPS(g, v, v)
					io.store(v, m)
				}
			}
		},
	}
}

// add21 is the measuring instrument of the kernels that read two arrays
// and write a third (the derivatives, MSE's gradient): dst = x + y, three
// arrays in all, where stream21 (Axpy's) updates one of its two in place.
var add21 = kernel{
	name: "Add21",
	doc: []string{
		"is a measuring instrument, not a kernel: it sets dst = x + y, reading",
		"two arrays and writing a third, as the derivatives do, to measure",
		"beside them in the same run. x and y must be as long as dst",
		"(unchecked).",
	},
	sig:    "func(dst, x, y []float32)",
	slices: []string{"dst", "x", "y"},
	length: "dst",
	setup: func(c *build.Context, s isa) body {
		return func(io vecIO, at []operand.Mem) {
			v := io.load(at[1])
			c.VADDPS(io.src(at[2]), v, v)
			io.store(v, at[0])
		}
	},
}

func optimFamily(c *build.Context) {
	generateAll(c, sgdMomentum, adam, stream21, add21, stream32, stream43)
	for _, s := range isas {
		generateSqrtDivPeak(c, s)
	}
}

// sqrtDivPairs is how many VSQRTPS–VDIVPS pairs the instrument issues
// per iteration: none depends on another, so as many are in flight as the
// divider takes, as in Adam's loop.
const sqrtDivPairs = 4

// generateSqrtDivPeak emits SqrtDivPeak<suffix>(n int), a measuring
// instrument and not a kernel: the throughput of the divide-and-square-root
// unit for Adam's mix, one VSQRTPS and one VDIVPS per vector of elements,
// on registers only. Adam needs both per element, correctly rounded as
// PyTorch computes them, and nothing else it does is as slow, so this is
// the speed Adam cannot exceed on the machine, to measure beside it in the
// same run. The operand is 1.5, a normal value: a zero, an infinity or a
// NaN might take a shortcut that real data does not.
func generateSqrtDivPeak(c *build.Context, s isa) {
	name := "SqrtDivPeak" + s.suffix
	c.Function(name)
	c.Attributes(attr.NOSPLIT)
	c.SignatureExpr("func(n int)")
	c.Doc(
		fmt.Sprintf("%s is a measuring instrument, not a kernel: it runs n", name),
		fmt.Sprintf("iterations of %d independent pairs of a VSQRTPS and a VDIVPS on %d-lane", sqrtDivPairs, s.lanes),
		"registers and touches no memory: the divider's throughput for Adam's",
		fmt.Sprintf("one square root and one division per element (%d elements per", sqrtDivPairs*s.lanes),
		"iteration), the bound of Adam's speed, to measure beside it in the",
		"same run. n ≥ 0.",
		s.requires,
	)
	iters := c.Load(c.Param("n"), c.GP64())
	x := broadcastConst(c, s, 1.5)
	// The results are never read, so they share one register; renaming
	// makes the writes independent.
	out := s.vec(c)
	// The square roots, then the divisions: alternated one by one, the
	// pairs ran 20% slower on the development machine (Zen 5), grouped
	// they run as Adam's loop issues them (interleaved, four or more
	// vectors at a time).
	instrumentLoop(c, iters, func() {
		for range sqrtDivPairs {
			c.VSQRTPS(x, out)
		}
		for range sqrtDivPairs {
			c.VDIVPS(x, x, out)
		}
	})
}
