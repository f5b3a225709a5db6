package kernels

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdnn/simdnn/fallback"
	"github.com/simdnn/simdnn/internal/harness"
)

// The fuzz targets feed arbitrary bit patterns, lengths and offsets to the
// kernels that have assembly, on every implementation this CPU runs, and
// hold each to the same float64 reference and tolerance as the sweeps.
// The seeds are the lengths around every vector width, so `go test` runs
// them as plain tests everywhere, qemu included.

// fuzzFloats decodes data as little-endian float32 bit patterns, starting
// off (mod 8) elements into a fresh array, so that alignment varies too.
func fuzzFloats(data []byte, off uint8) []float32 {
	n := len(data) / 4
	buf := make([]float32, int(off%8)+n)
	x := buf[off%8:]
	for i := range x {
		x[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
	}
	return x
}

// fuzzSeeds adds, for each length around the vector widths, a seed of
// that many floats mixing the special values with ordinary ones.
func fuzzSeeds(f *testing.F, add func(data []byte, off uint8)) {
	sp := harness.Specials()
	for _, n := range []int{0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 67, 100} {
		data := make([]byte, 4*n)
		for i := range n {
			v := float32(i%5) - 2.5
			if i%3 == 0 {
				v = sp[i%len(sp)]
			}
			binary.LittleEndian.PutUint32(data[4*i:], math.Float32bits(v))
		}
		add(data, uint8(n))
	}
}

func FuzzReLU(f *testing.F) {
	fuzzSeeds(f, func(data []byte, off uint8) { f.Add(data, off) })
	f.Fuzz(func(t *testing.T, data []byte, off uint8) {
		x := fuzzFloats(data, off)
		forEachImpl(t, func(t *testing.T) {
			var outs harness.Outputs
			dst := outs.Make("dst", len(x))
			ReLU(dst, x)
			outs.Check(&harness.Errs{T: t}, fmt.Sprintf("ReLU n=%d", len(x)))
			for i, v := range x {
				if want := float32(harness.ReLU(v)); !harness.SameBits(dst[i], want) {
					t.Fatalf("n=%d: ReLU(%s) = %s, want %s", len(x), harness.F(v), harness.F(dst[i]), harness.F(want))
				}
			}
		})
	})
}

func FuzzAxpy(f *testing.F) {
	fuzzSeeds(f, func(data []byte, off uint8) { f.Add(data, off, float32(0.7)) })
	f.Fuzz(func(t *testing.T, data []byte, off uint8, alpha float32) {
		// The first half of the floats is x, the second y.
		xy := fuzzFloats(data, off)
		n := len(xy) / 2
		x, y0 := xy[:n], xy[n:2*n]
		forEachImpl(t, func(t *testing.T) {
			var outs harness.Outputs
			y := outs.Place("y", y0)
			Axpy(y, alpha, x)
			outs.Check(&harness.Errs{T: t}, fmt.Sprintf("Axpy n=%d", n))
			for i := range n {
				// Axpy's contract, as in TestAxpy: fused, α·x + y
				// correctly rounded (the float64 reference adds at most
				// 2⁻²⁹ ULP); unfused, exactly the float32 product
				// rounded and then the float32 sum, whose product may
				// overflow where the sum would not.
				want := float64(alpha)*float64(x[i]) + float64(y0[i])
				unfused := float32(float32(alpha*x[i]) + y0[i])
				if !harness.Within(y[i], want, 0.5+0x1p-20, 0) && !harness.SameBits(y[i], unfused) {
					t.Fatalf("n=%d: Axpy: %s + %s·%s = %s, want %g correctly rounded, or the unfused %s",
						n, harness.F(y0[i]), harness.F(alpha), harness.F(x[i]), harness.F(y[i]), want, harness.F(unfused))
				}
			}
		})
	})
}

// FuzzTranscendental holds Exp, Tanh and Sigmoid on every implementation
// to their documented accuracy against the float64 reference, and to the
// fallback's results: bit for bit (any NaN where it gives NaN) where their
// doc comments promise the fallback's bits, and otherwise NaN exactly where
// the fallback is NaN and saturated (at an end of the range) exactly where
// it is, since both saturate where the correctly rounded function does.
func FuzzTranscendental(f *testing.F) {
	fuzzSeeds(f, func(data []byte, off uint8) { f.Add(data, off) })
	f.Fuzz(func(t *testing.T, data []byte, off uint8) {
		x := fuzzFloats(data, off)
		for _, tf := range transFuncs {
			want := make([]float32, len(x))
			tf.entry(&generic)(want, x)
			forEachImpl(t, func(t *testing.T) {
				var outs harness.Outputs
				got := outs.Make("dst", len(x))
				tf.f(got, x)
				outs.Check(&harness.Errs{T: t}, fmt.Sprintf("%s n=%d", tf.Name, len(x)))
				same, bound := tf.sameBitsAsFallback(), tf.bound()
				for i, v := range x {
					g, w := got[i], want[i]
					switch {
					case isNaN(g) || isNaN(w):
						if isNaN(g) != isNaN(w) {
							t.Fatalf("n=%d: %s(%s) = %s, the fallback gives %s", len(x), tf.Name, harness.F(v), harness.F(g), harness.F(w))
						}
						continue
					case same && !harness.SameBits(g, w),
						!same && (tf.Saturates(g) || tf.Saturates(w)) && !harness.SameBits(g, w):
						t.Fatalf("n=%d: %s(%s) = %s, the fallback gives %s", len(x), tf.Name, harness.F(v), harness.F(g), harness.F(w))
					}
					if ref := tf.Ref(v); harness.ULP(g, ref) > bound {
						t.Fatalf("n=%d: %s(%s) = %s, want %.9g within %g ULP", len(x), tf.Name, harness.F(v), harness.F(g), ref, bound)
					}
				}
			})
		}
	})
}

// FuzzSoftmax runs the row-wise kernels and the losses on every
// implementation, on the fuzzed floats as 1 to 6 rows, and checks each
// with its sweep's reference and tolerance (softmax_test.go,
// loss_test.go), and that it is NaN exactly where the fallback is.
func FuzzSoftmax(f *testing.F) {
	fuzzSeeds(f, func(data []byte, off uint8) { f.Add(data, off, off/3) })
	f.Fuzz(func(t *testing.T, data []byte, off, rows uint8) {
		x := fuzzFloats(data, off)
		m := int(rows%6) + 1
		n := len(x) / m
		if n == 0 {
			return
		}
		x = x[:m*n]
		s := harness.Shape{M: m, N: n, LD: n}
		// SoftmaxGrad's tolerance holds for what it is given in
		// training: y a softmax output, dy Inf, NaN, or finite and far
		// enough from overflow that dy − ⟨y, dy⟩ cannot overflow. So
		// does MSE's, whose pred − target must not overflow.
		y := make([]float32, m*n)
		fallback.Softmax(y, x, m, n)
		dy := tame(append(x[1:len(x):len(x)], x[0])) // x rotated by one
		half := len(x) / 2
		pred, target := tame(append([]float32(nil), x[:half]...)), tame(append([]float32(nil), x[half:2*half]...))
		labels := make([]int32, m)
		for i := range labels {
			labels[i] = int32(i * 7 % n)
		}
		out := func() []float32 { return make([]float32, m*n) }
		lab := harness.FromInt32(labels)
		vs := harness.Shape{M: 1, N: half, LD: half}
		trial := int(off) % harness.Offsets
		fuzzMatrix(t, softmax, s, [][]float32{out(), x}, trial, false)
		fuzzMatrix(t, logSoftmax, s, [][]float32{out(), x}, trial, false)
		fuzzMatrix(t, softmaxGrad, s, [][]float32{out(), y, dy}, trial, false)
		fuzzMatrix(t, sce, s, [][]float32{out(), x, lab}, trial, false)
		fuzzMatrix(t, sceNoGrad, s, [][]float32{x, lab}, trial, false)
		fuzzMatrix(t, mse, vs, [][]float32{make([]float32, half), pred, target}, trial, false)
		fuzzMatrix(t, mseNoGrad, vs, [][]float32{pred, target}, trial, false)
	})
}

// tame scales the finite values of v above 1e30 in magnitude down by
// 1e10, in place, keeping Inf and NaN, and returns v.
func tame(v []float32) []float32 {
	for i, e := range v {
		if math.Abs(float64(e)) > 1e30 && !math.IsInf(float64(e), 0) {
			v[i] = e * 1e-10
		}
	}
	return v
}

// fuzzMatrix runs k on in, placed between canaries at the offsets of
// trial, on the fallback and then on every implementation, checks each
// with k's reference and tolerance, its inputs unchanged and its
// canaries intact (harness.Matrix.Once), and fails where an output or the
// result differs from the fallback's: in its bits if bits, as NUMERICS.md
// promises for the exact kernels (any NaN matching any NaN), else in
// being NaN or not.
func fuzzMatrix[R any](t *testing.T, k harness.Matrix[R], s harness.Shape, in [][]float32, trial int, bits bool) {
	t.Helper()
	var want [][]float32
	var wantRes float32
	onFallback(func() {
		want, wantRes = k.Once(&harness.Errs{T: t}, fmt.Sprintf("%s %v on the fallback", k.Name, s), s, in, trial)
	})
	forEachImpl(t, func(t *testing.T) {
		what := fmt.Sprintf("%s %v on %s", k.Name, s, Impl())
		got, res := k.Once(&harness.Errs{T: t}, what, s, in, trial)
		if bits && !harness.SameBits(res, wantRes) || isNaN(res) != isNaN(wantRes) {
			t.Errorf("%s: returns %s, the fallback %s", what, harness.F(res), harness.F(wantRes))
		}
		for o := range k.Outputs {
			for i, v := range got[o] {
				if w := want[o][i]; bits && !harness.SameBits(v, w) || isNaN(v) != isNaN(w) {
					t.Fatalf("%s: %s[%d] = %s, the fallback's %s", what, k.Operands[o], i, harness.F(v), harness.F(want[o][i]))
				}
			}
		}
	})
}

// onFallback runs f with the pure-Go implementation active.
func onFallback(f func()) {
	old := active
	active = &generic
	defer func() { active = old }()
	f()
}

// fuzzOperands returns operands of the lengths lens, each element drawn
// by gen(r, op) from a PCG source seeded with seed, then patched by
// data: every 6 bytes of it are an index (little-endian uint16, modulo
// the operands' total length, counting through them in order) and the
// float32 bit pattern to store there, passed through tame(op, v). A short
// input so reaches any element of operands thousands of elements long,
// with any value, which the fuzzer's mutations of the 6 bytes explore.
func fuzzOperands(data []byte, seed uint64, gen func(r *rand.Rand, op int) float32, tame func(op int, v float32) float32, lens ...int) [][]float32 {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	ops := make([][]float32, len(lens))
	total := 0
	for op, n := range lens {
		ops[op] = make([]float32, n)
		for i := range ops[op] {
			ops[op][i] = gen(r, op)
		}
		total += n
	}
	if total == 0 {
		return ops
	}
	for ; len(data) >= 6; data = data[6:] {
		at := int(binary.LittleEndian.Uint16(data)) % total
		v := math.Float32frombits(binary.LittleEndian.Uint32(data[2:]))
		for op := range ops {
			if at < len(ops[op]) {
				ops[op][at] = tame(op, v)
				break
			}
			at -= len(ops[op])
		}
	}
	return ops
}

// fuzzPatch returns the patch data of fuzzOperands that stores each
// vals[i] at index at[i].
func fuzzPatch(at []int, vals []float32) []byte {
	data := make([]byte, 0, 6*len(at))
	for i, a := range at {
		data = binary.LittleEndian.AppendUint16(data, uint16(a))
		data = binary.LittleEndian.AppendUint32(data, math.Float32bits(vals[i]))
	}
	return data
}
