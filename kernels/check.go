package kernels

import (
	"fmt"
	"math"
	"math/bits"
)

// fail panics with a message that names the public function.
func fail(fn, format string, args ...any) {
	panic(fmt.Sprintf("kernels."+fn+": "+format, args...))
}

// checkDim panics if the dimension d, called name, is negative. Checks take
// plain ints rather than ...any so that a call allocates nothing unless it
// fails.
func checkDim(fn, name string, d int) {
	if d < 0 {
		fail(fn, "negative dimension %s=%d", name, d)
	}
}

// matLen returns the length a rows×cols matrix with leading dimension ld
// needs, (rows−1)·ld + cols, or false if that overflows int. An empty
// matrix needs nothing.
func matLen(rows, cols, ld int) (int, bool) {
	if rows == 0 || cols == 0 {
		return 0, true
	}
	hi, lo := bits.Mul64(uint64(rows-1), uint64(ld))
	if hi != 0 || lo > math.MaxInt-uint64(cols) {
		return 0, false
	}
	return int(lo) + cols, true
}

// checkMatrix panics unless s holds a rows×cols row-major matrix with
// leading dimension ld ≥ max(1, cols). The names are those of the public
// function's parameters, so the message reads as the call did.
func checkMatrix(fn, name string, s []float32, rows, cols, ld int, rowsName, colsName, ldName string) {
	if ld < max(1, cols) {
		fail(fn, "%s=%d < max(1, %s=%d)", ldName, ld, colsName, cols)
	}
	need, ok := matLen(rows, cols, ld)
	if !ok {
		fail(fn, "%s=%d %s=%d %s=%d overflows int", rowsName, rows, colsName, cols, ldName, ld)
	}
	if len(s) < need {
		fail(fn, "len(%s)=%d < %d needed for %s=%d %s=%d %s=%d", name, len(s), need, rowsName, rows, colsName, cols, ldName, ld)
	}
}

// product returns m·n, panicking if it overflows int.
func product(fn string, m, n int) int {
	hi, lo := bits.Mul64(uint64(m), uint64(n))
	if hi != 0 || lo > math.MaxInt {
		fail(fn, "m=%d n=%d: m*n overflows int", m, n)
	}
	return int(lo)
}

// checkRows panics unless a slice, called name, of length l holds exactly m
// rows of n, contiguous; it returns m·n.
func checkRows(fn string, m, n int, name string, l int) int {
	checkDim(fn, "m", m)
	checkDim(fn, "n", n)
	mn := product(fn, m, n)
	if l != mn {
		fail(fn, "len(%s)=%d != m*n=%d (m=%d n=%d)", name, l, mn, m, n)
	}
	return mn
}

// checkLen panics unless a slice, called name, of length l has the length
// want of the slice called wantName.
func checkLen(fn, name string, l int, wantName string, want int) {
	if l != want {
		fail(fn, "len(%s)=%d != len(%s)=%d", name, l, wantName, want)
	}
}

// checkVec panics unless a slice, called name, of length l holds n values.
func checkVec(fn, name string, l, n int) {
	if l != n {
		fail(fn, "len(%s)=%d != n=%d", name, l, n)
	}
}
