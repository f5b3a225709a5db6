package main

import (
	"fmt"
	"strings"

	"github.com/mmcloughlin/avo/attr"
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

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
	// pairs measured 20% slower on Zen 5; grouped, they run as Adam's
	// loop issues them (interleaved, eight vectors at a time on AVX-512,
	// two on AVX2). To measure again: alternate the two loops below, go
	// generate, and compare the "√ and ÷ per element" row that
	// go run ./bench -kernels '^Adam$' prints on the two builds.
	instrumentLoop(c, iters, func() {
		for range sqrtDivPairs {
			c.VSQRTPS(x, out)
		}
		for range sqrtDivPairs {
			c.VDIVPS(x, x, out)
		}
	})
}

// generatePeak emits FMAPeak<suffix>(n int), a measuring instrument and
// not a kernel: n iterations of MR·nv independent register-only FMAs, one
// per accumulator of the micro-kernel, and no memory access, so that a
// benchmark can measure the machine's FMA throughput at this vector width
// in the same run as the micro-kernel and report the kernel's fraction of
// it while the clock drifts. MR·nv ≥ 12 chains cover the FMA latency
// (4 cycles × 2 pipes on current cores).
func (g gemmKernel) generatePeak(c *build.Context) {
	n := g.mr * g.nv
	name := "FMAPeak" + g.s.suffix
	c.Function(name)
	c.Attributes(attr.NOSPLIT)
	c.SignatureExpr("func(n int)")
	c.Doc(
		fmt.Sprintf("%s is a measuring instrument, not a kernel: it runs n", name),
		fmt.Sprintf("iterations of %d independent VFMADD231PS on %d-lane registers (as many", n, g.s.lanes),
		fmt.Sprintf("as SgemmKernel%s has accumulators) and touches no memory: %d", g.s.suffix, 2*n*g.s.lanes),
		"float32 flops per iteration, at the machine's FMA peak for this vector",
		"width, to measure beside the micro-kernel in the same run. n ≥ 0.",
		g.s.requires,
	)
	iters := c.Load(c.Param("n"), c.GP64())
	x, y := g.s.vec(c), g.s.vec(c)
	zero(c, g.s, x)
	zero(c, g.s, y)
	acc := make([]reg.VecVirtual, n)
	for i := range acc {
		acc[i] = g.s.vec(c)
		zero(c, g.s, acc[i])
	}
	instrumentLoop(c, iters, func() {
		for _, v := range acc {
			c.VFMADD231PS(x, y, v)
		}
	})
}

// instrumentLoop emits the rest of a measuring instrument: body, iters
// times (none when iters is 0), then the return.
func instrumentLoop(c *build.Context, iters reg.Register, body func()) {
	c.TESTQ(iters, iters)
	c.JZ(operand.LabelRef("done"))
	c.Label("loop")
	body()
	c.DECQ(iters)
	c.JNZ(operand.LabelRef("loop"))
	c.Label("done")
	c.VZEROUPPER()
	c.RET()
}

// instrumentsFamily emits the measuring instruments: not kernels, but the
// baselines the benchmarks quote the kernels against in the same run.
func instrumentsFamily(c *build.Context) {
	generateAll(c, stream21, add21, stream32, stream43)
	for _, s := range isas {
		generateSqrtDivPeak(c, s)
	}
	for _, g := range gemmKernels {
		if g.panel == 0 { // the full kernels, one per level
			g.generatePeak(c)
		}
	}
	for _, s := range isas {
		generateRead(c, s)
	}
}

// readUnroll is how many vectors Read* adds per iteration, into as many
// accumulators: enough to keep two loads a cycle in flight past the
// addition's latency.
const readUnroll = 4

// generateRead emits Read<suffix>(x []float32), a measuring instrument:
// a streaming read, the bound of a pass that must read all of its
// operands once, such as a small batch's forward pass, which reads every
// weight.
func generateRead(c *build.Context, s isa) {
	name := "Read" + s.suffix
	step := readUnroll * s.lanes
	declare(c, name, "func(x []float32)",
		fmt.Sprintf("%s is a measuring instrument, not a kernel: it reads the first", name),
		fmt.Sprintf("len(x) − len(x) mod %d values of x, %d vectors at a time, adding them", step, readUnroll),
		fmt.Sprintf("into %d accumulators it then discards, and writes nothing: a streaming", readUnroll),
		"read, to measure beside the kernels that read as much in the same run.",
		s.requires,
	)
	p := c.Load(c.Param("x").Base(), c.GP64())
	iters := c.Load(c.Param("x").Len(), c.GP64())
	shift := 0
	for 1<<shift < step {
		shift++
	}
	c.SHRQ(operand.U8(shift), iters)
	acc := make([]reg.VecVirtual, readUnroll)
	for i := range acc {
		acc[i] = zeroed(c, s)
	}
	instrumentLoop(c, iters, func() {
		for i, v := range acc {
			c.VADDPS(operand.Mem{Base: p, Disp: 4 * i * s.lanes}, v, v)
		}
		c.ADDQ(operand.U32(4*step), p)
	})
}
