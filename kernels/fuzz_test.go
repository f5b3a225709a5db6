package kernels

import (
	"encoding/binary"
	"math"
	"testing"

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
			dst := make([]float32, len(x))
			ReLU(dst, x)
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
			y := append([]float32(nil), y0...)
			Axpy(y, alpha, x)
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
