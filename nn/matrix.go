package nn

import (
	"fmt"
	"math"
	"slices"
	"strconv"
)

// Matrix is a row-major float32 matrix with contiguous rows: element
// (i, j) is Data[i*Cols+j] and len(Data) = Rows·Cols. A batch of samples
// is a Matrix with one sample per row.
//
// A Matrix is a small value that refers to its Data: copying the value
// does not copy the elements.
type Matrix struct {
	Rows, Cols int
	Data       []float32
}

// NewMatrix returns a zero rows×cols matrix. It panics if a dimension is
// negative or rows·cols overflows int.
func NewMatrix(rows, cols int) Matrix {
	n, ok := elements(rows, cols)
	if !ok {
		panic(fmt.Sprintf("nn.NewMatrix: dimensions %d×%d are negative or their product overflows int", rows, cols))
	}
	return Matrix{Rows: rows, Cols: cols, Data: make([]float32, n)}
}

// MatrixOf returns a rows×cols matrix that refers to data (no copy), or an
// error if a dimension is negative or len(data) is not rows·cols (a
// product that overflows int is never a length).
func MatrixOf(rows, cols int, data []float32) (Matrix, error) {
	m := Matrix{Rows: rows, Cols: cols, Data: data}
	if !m.valid() {
		return Matrix{}, fmt.Errorf("nn.MatrixOf: len(data)=%d for a %d×%d matrix, want %s", len(data), rows, cols, m.wantLen())
	}
	return m, nil
}

// elements returns rows·cols, and false if a dimension is negative or
// the product overflows int.
func elements(rows, cols int) (int, bool) {
	if rows < 0 || cols < 0 || (cols != 0 && rows > math.MaxInt/cols) {
		return 0, false
	}
	return rows * cols, true
}

// At returns element (i, j).
func (m Matrix) At(i, j int) float32 { return m.Data[m.index(i, j)] }

// Set sets element (i, j) to v.
func (m Matrix) Set(i, j int, v float32) { m.Data[m.index(i, j)] = v }

func (m Matrix) index(i, j int) int {
	if uint(i) >= uint(m.Rows) || uint(j) >= uint(m.Cols) {
		panic(fmt.Sprintf("nn.Matrix: index (%d, %d) out of range for %s", i, j, m.shape()))
	}
	return i*m.Cols + j
}

// Row returns row i as a slice of Data (no copy).
func (m Matrix) Row(i int) []float32 {
	if uint(i) >= uint(m.Rows) {
		panic(fmt.Sprintf("nn.Matrix.Row: row %d out of range for %s", i, m.shape()))
	}
	return m.Data[i*m.Cols : (i+1)*m.Cols : (i+1)*m.Cols]
}

// Slice returns the view of rows [from, to) (no copy); a minibatch of a
// data set in order is m.Slice(i, i+batch).
func (m Matrix) Slice(from, to int) Matrix {
	if from < 0 || to < from || to > m.Rows {
		panic(fmt.Sprintf("nn.Matrix.Slice: rows [%d, %d) out of range for %s", from, to, m.shape()))
	}
	return Matrix{Rows: to - from, Cols: m.Cols, Data: m.Data[from*m.Cols : to*m.Cols : to*m.Cols]}
}

// Clone returns a copy of m that shares nothing with it.
func (m Matrix) Clone() Matrix {
	return Matrix{Rows: m.Rows, Cols: m.Cols, Data: slices.Clone(m.Data[:m.Rows*m.Cols])}
}

// String returns the shape, as "32×784".
func (m Matrix) String() string { return m.shape() }

func (m Matrix) shape() string { return fmt.Sprintf("%d×%d", m.Rows, m.Cols) }

// valid reports whether Data holds exactly Rows·Cols elements, a
// product that fits in an int.
func (m Matrix) valid() bool {
	n, ok := elements(m.Rows, m.Cols)
	return ok && len(m.Data) == n
}

// wantLen returns the length Data must have, for an error message: the
// number, or why there is none.
func (m Matrix) wantLen() string {
	if n, ok := elements(m.Rows, m.Cols); ok {
		return strconv.Itoa(n)
	}
	if m.Rows < 0 || m.Cols < 0 {
		return "non-negative dimensions"
	}
	return "a shape whose size fits in an int"
}

// buffer is a matrix whose storage grows to the largest number of rows
// asked of it and is reused for smaller ones, so that a layer allocates
// only when it sees a larger batch than before.
type buffer struct {
	data []float32
}

// get returns a rows×cols view of the buffer's storage, growing it when
// needed. The contents are whatever the storage held.
func (b *buffer) get(rows, cols int) Matrix {
	n := rows * cols
	if cap(b.data) < n {
		b.data = make([]float32, n)
	}
	return Matrix{Rows: rows, Cols: cols, Data: b.data[:n:n]}
}
