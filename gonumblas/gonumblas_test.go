package gonumblas

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/gonum"
	"gonum.org/v1/gonum/blas/testblas"
	"gonum.org/v1/gonum/mat"

	"github.com/simdnn/simdnn/kernels"
	"github.com/simdnn/simdnn/nn"
)

// dgemmShim runs float64 Dgemm tests through the float32 Sgemm: gonum's
// Dgemm test data are small integers and halves, exact in float32.
type dgemmShim struct{ Implementation }

func (s dgemmShim) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	f := func(x []float64) []float32 {
		y := make([]float32, len(x))
		for i, v := range x {
			y[i] = float32(v)
		}
		return y
	}
	c32 := f(c)
	s.Sgemm(tA, tB, m, n, k, float32(alpha), f(a), lda, f(b), ldb, float32(beta), c32, ldc)
	for i, v := range c32 {
		c[i] = float64(v)
	}
}

// gonum's own Dgemm test cases.
func TestGonumDgemmCases(t *testing.T) {
	testblas.TestDgemm(t, dgemmShim{})
}

// Sgemm against the float64 reference and against gonum's Sgemm over
// shapes around the kernels' tiles, every transpose (ConjTrans too),
// alpha and beta values and padded leading dimensions.
func TestSgemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	trans := []blas.Transpose{blas.NoTrans, blas.Trans, blas.ConjTrans}
	for _, sz := range [][3]int{{1, 1, 1}, {3, 5, 7}, {6, 16, 9}, {17, 65, 33}, {64, 10, 128}, {200, 130, 70}} {
		m, n, k := sz[0], sz[1], sz[2]
		for _, tA := range trans {
			for _, tB := range trans {
				for _, ab := range [][2]float32{{1, 0}, {-0.5, 1}, {2, -1.5}, {0, 0.5}} {
					alpha, beta := ab[0], ab[1]
					ar, ac, br, bc := m, k, k, n
					if tA != blas.NoTrans {
						ar, ac = k, m
					}
					if tB != blas.NoTrans {
						br, bc = n, k
					}
					lda, ldb, ldc := ac+3, bc+1, n+2
					a, b, c := random(rng, ar*lda), random(rng, br*ldb), random(rng, m*ldc)
					got := append([]float32(nil), c...)
					Implementation{}.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, got, ldc)
					theirs := append([]float32(nil), c...)
					gonum.Implementation{}.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, theirs, ldc)
					name := fmt.Sprintf("%dx%dx%d tA=%c tB=%c alpha=%v beta=%v", m, n, k, tA, tB, alpha, beta)
					for i := range m {
						for j := range ldc {
							idx := i*ldc + j
							if j >= n {
								if got[idx] != c[idx] {
									t.Fatalf("%s: C[%d,%d] outside the matrix changed", name, i, j)
								}
								continue
							}
							want := float64(beta) * float64(c[idx])
							var mag float64
							for p := range k {
								var av, bv float64
								if tA == blas.NoTrans {
									av = float64(a[i*lda+p])
								} else {
									av = float64(a[p*lda+i])
								}
								if tB == blas.NoTrans {
									bv = float64(b[p*ldb+j])
								} else {
									bv = float64(b[j*ldb+p])
								}
								want += float64(alpha) * av * bv
								mag += math.Abs(float64(alpha) * av * bv)
							}
							tol := (float64(k) + 2) * 0x1p-23 * (mag + math.Abs(float64(beta)*float64(c[idx])))
							if d := math.Abs(float64(got[idx]) - want); d > tol {
								t.Fatalf("%s: C[%d,%d] = %v, float64 reference %v", name, i, j, got[idx], want)
							}
							if d := math.Abs(float64(got[idx]) - float64(theirs[idx])); d > 2*tol {
								t.Fatalf("%s: C[%d,%d] = %v, gonum's %v", name, i, j, got[idx], theirs[idx])
							}
						}
					}
				}
			}
		}
	}
}

func random(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = 2*rng.Float32() - 1
	}
	return s
}

// Invalid arguments panic with gonum's own message, and empty products do
// what gonum's do.
func TestPanicsAsGonum(t *testing.T) {
	s := make([]float32, 100)
	cases := []struct {
		tA, tB           blas.Transpose
		m, n, k          int
		lenA, lenB, lenC int
		lda, ldb, ldc    int
	}{
		{'x', blas.NoTrans, 2, 2, 2, 4, 4, 4, 2, 2, 2},
		{blas.NoTrans, blas.NoTrans, -1, 2, 2, 4, 4, 4, 2, 2, 2},
		{blas.NoTrans, blas.NoTrans, 2, -1, 2, 4, 4, 4, 2, 2, 2},
		{blas.NoTrans, blas.NoTrans, 2, 2, -1, 4, 4, 4, 2, 2, 2},
		{blas.NoTrans, blas.NoTrans, 2, 2, 3, 6, 6, 4, 2, 2, 2}, // lda < k
		{blas.Trans, blas.NoTrans, 3, 2, 2, 6, 4, 6, 2, 2, 2},   // lda < m
		{blas.NoTrans, blas.Trans, 2, 3, 2, 4, 6, 6, 2, 1, 3},   // ldb < k
		{blas.NoTrans, blas.NoTrans, 2, 2, 2, 4, 4, 4, 2, 2, 1}, // ldc < n
		{blas.NoTrans, blas.NoTrans, 2, 2, 2, 3, 4, 4, 2, 2, 2}, // short A
		{blas.NoTrans, blas.NoTrans, 2, 2, 2, 4, 3, 4, 2, 2, 2}, // short B
		{blas.NoTrans, blas.NoTrans, 2, 2, 2, 4, 4, 3, 2, 2, 2}, // short C
		{blas.NoTrans, blas.NoTrans, 0, 2, 2, 0, 0, 0, 2, 2, 2}, // m = 0: nothing
		{blas.NoTrans, blas.NoTrans, 2, 2, 0, 0, 0, 4, 1, 2, 2}, // k = 0: C = beta·C
		{blas.Trans, blas.Trans, 2, 2, 2, 4, 4, 100, 2, 2, 50},  // valid, padded C
	}
	for i, c := range cases {
		run := func(im blas.Float32) (p any, out []float32) {
			out = append([]float32(nil), s[:c.lenC]...)
			for j := range out {
				out[j] = float32(j)
			}
			defer func() { p = recover() }()
			im.Sgemm(c.tA, c.tB, c.m, c.n, c.k, 1, s[:c.lenA], c.lda, s[:c.lenB], c.ldb, 0.5, out, c.ldc)
			return nil, out
		}
		gotP, got := run(Implementation{})
		wantP, want := run(gonum.Implementation{})
		if fmt.Sprint(gotP) != fmt.Sprint(wantP) {
			t.Errorf("case %d: panic %v, gonum's %v", i, gotP, wantP)
		}
		if wantP == nil && fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("case %d: C = %v, gonum's %v", i, got, want)
		}
	}
	for _, f := range []func(blas.Float32){
		func(im blas.Float32) { im.Saxpy(3, 1, s[:2], 1, s[:3], 1) },
		func(im blas.Float32) { im.Saxpy(-1, 1, s, 1, s, 1) },
		func(im blas.Float32) { im.Sscal(3, 2, s[:2], 1) },
		func(im blas.Float32) { im.Sscal(2, 2, s, 0) },
	} {
		catch := func(im blas.Float32) (p any) {
			defer func() { p = recover() }()
			f(im)
			return nil
		}
		if got, want := catch(Implementation{}), catch(gonum.Implementation{}); fmt.Sprint(got) != fmt.Sprint(want) || want == nil {
			t.Errorf("panic %v, gonum's %v", got, want)
		}
	}
}

// After blas32.Use, gonum's blas32.Gemm runs simdnn's Sgemm: its result is
// bit-identical to kernels.Sgemm's.
func TestUse(t *testing.T) {
	defer blas32.Use(blas32.Implementation())
	blas32.Use(Implementation{})
	if _, ok := blas32.Implementation().(Implementation); !ok {
		t.Fatalf("blas32.Implementation() is %T", blas32.Implementation())
	}
	rng := rand.New(rand.NewPCG(3, 4))
	const m, n, k = 70, 90, 110
	a, b := random(rng, m*k), random(rng, k*n)
	c := make([]float32, m*n)
	blas32.Gemm(blas.NoTrans, blas.NoTrans, 1,
		blas32.General{Rows: m, Cols: k, Stride: k, Data: a},
		blas32.General{Rows: k, Cols: n, Stride: n, Data: b},
		0, blas32.General{Rows: m, Cols: n, Stride: n, Data: c})
	want := make([]float32, m*n)
	kernels.Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, want, n)
	for i := range c {
		if math.Float32bits(c[i]) != math.Float32bits(want[i]) {
			t.Fatalf("C[%d] = %v, kernels.Sgemm gives %v", i, c[i], want[i])
		}
	}
}

// Saxpy and Sscal on unit strides against float64, other strides through
// gonum's code.
func TestLevel1(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{1, 7, 16, 100, 1000} {
		x, y := random(rng, n), random(rng, n)
		got := append([]float32(nil), y...)
		Implementation{}.Saxpy(n, 0.75, x, 1, got, 1)
		for i := range n {
			// A fused multiply-add (SIMD) or a rounded product, then
			// the sum (pure Go), as kernels.Axpy documents.
			fused := float32(0.75*float64(x[i]) + float64(y[i]))
			p := 0.75 * x[i]
			split := p + y[i]
			if got[i] != fused && got[i] != split {
				t.Fatalf("Saxpy n=%d: y[%d] = %v, want %v or %v", n, i, got[i], fused, split)
			}
		}
		Implementation{}.Sscal(n, -3, got, 1)
		sc := append([]float32(nil), got...)
		gonum.Implementation{}.Sscal(n, 1, sc, 1)
		for i := range n {
			if got[i] != sc[i] {
				t.Fatal("Sscal by 1 changed a value")
			}
		}
	}
	strided := []float32{1, 9, 2, 9, 3}
	Implementation{}.Sscal(3, 2, strided, 2)
	if fmt.Sprint(strided) != "[2 9 4 9 6]" {
		t.Errorf("strided Sscal: %v", strided)
	}
}

// Conversions to and from gonum's mat.Dense keep every value.
func TestConversions(t *testing.T) {
	m, _ := nn.MatrixOf(2, 3, []float32{1, -2.5, 3e-40, float32(math.Inf(1)), 0, 1.0 / 3})
	d := ToDense(m)
	if r, c := d.Dims(); r != 2 || c != 3 || d.At(0, 1) != -2.5 || d.At(1, 2) != float64(float32(1.0/3)) {
		t.Fatalf("ToDense: %v", mat.Formatted(d))
	}
	back := FromMatrix(d)
	for i := range m.Data {
		if math.Float32bits(back.Data[i]) != math.Float32bits(m.Data[i]) {
			t.Fatalf("round trip: %v, want %v", back.Data, m.Data)
		}
	}
	// A view with a stride, and a mat.Matrix that is not a Dense.
	view := mat.NewDense(3, 4, []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}).Slice(1, 3, 1, 3)
	if got := FromMatrix(view); fmt.Sprint(got.Data) != "[5 6 9 10]" {
		t.Errorf("FromMatrix(view) = %v", got.Data)
	}
	if got := FromMatrix(view.T()); fmt.Sprint(got.Data) != "[5 9 6 10]" {
		t.Errorf("FromMatrix(view.T()) = %v", got.Data)
	}
	if ToDense(nn.NewMatrix(0, 3)) != nil {
		t.Error("ToDense of an empty matrix is not nil")
	}
}
