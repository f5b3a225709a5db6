package gonumblas

import (
	"gonum.org/v1/gonum/mat"

	"github.com/simdnn/simdnn/nn"
)

// ToDense returns a copy of m as a gonum *mat.Dense (float64). Every
// float32 is exactly a float64, so nothing is lost; the copy costs one
// pass over m and 8 bytes per element. It returns nil for an empty m,
// which mat.Dense cannot represent.
func ToDense(m nn.Matrix) *mat.Dense {
	if m.Rows == 0 || m.Cols == 0 {
		return nil
	}
	d := make([]float64, m.Rows*m.Cols)
	for i, v := range m.Data[:len(d)] {
		d[i] = float64(v)
	}
	return mat.NewDense(m.Rows, m.Cols, d)
}

// FromMatrix returns a copy of a as an nn.Matrix, each element rounded to
// the nearest float32 (values beyond float32's range become ±Inf, tiny
// ones round to zero or a denormal). The copy costs one pass over a and
// 4 bytes per element.
func FromMatrix(a mat.Matrix) nn.Matrix {
	r, c := a.Dims()
	m := nn.NewMatrix(r, c)
	if d, ok := a.(*mat.Dense); ok {
		raw := d.RawMatrix()
		for i := range r {
			row := raw.Data[i*raw.Stride : i*raw.Stride+c]
			for j, v := range row {
				m.Data[i*c+j] = float32(v)
			}
		}
		return m
	}
	for i := range r {
		for j := range c {
			m.Data[i*c+j] = float32(a.At(i, j))
		}
	}
	return m
}
