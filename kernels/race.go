//go:build race

package kernels

import (
	"runtime"
	"unsafe"
)

// The race detector instruments Go code, not assembly: a data race on a
// slice that only a SIMD kernel touches would go unseen. In race builds
// every public function therefore reports the memory its kernel reads
// and writes to the detector before dispatching (race_off.go is the
// no-op twin of the other builds). Matrices are reported row by row, so
// that two goroutines working on disjoint column blocks of one matrix do
// not look as if they shared the padding between rows.

func raceRead(s []float32) {
	if len(s) > 0 {
		runtime.RaceReadRange(unsafe.Pointer(&s[0]), 4*len(s))
	}
}

func raceWrite(s []float32) {
	if len(s) > 0 {
		runtime.RaceWriteRange(unsafe.Pointer(&s[0]), 4*len(s))
	}
}

func raceReadLabels(s []int32) {
	if len(s) > 0 {
		runtime.RaceReadRange(unsafe.Pointer(&s[0]), 4*len(s))
	}
}

// raceReadMatrix reports the reads of a rows×cols matrix with leading
// dimension ld.
func raceReadMatrix(s []float32, rows, cols, ld int) {
	for i := range rows {
		raceRead(s[i*ld : i*ld+cols])
	}
}

// raceWriteMatrix reports the writes of a rows×cols matrix with leading
// dimension ld.
func raceWriteMatrix(s []float32, rows, cols, ld int) {
	for i := range rows {
		raceWrite(s[i*ld : i*ld+cols])
	}
}

// raceGemm reports what Sgemm and SgemmBiasAct read and write: op(A) and
// op(B) unless alpha or k is 0, C unless beta is 0, the bias, and C's m×n
// window.
func raceGemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, bias []float32) {
	if alpha != 0 && k > 0 {
		ar, ac := m, k
		if transA {
			ar, ac = k, m
		}
		br, bc := k, n
		if transB {
			br, bc = n, k
		}
		raceReadMatrix(a, ar, ac, lda)
		raceReadMatrix(b, br, bc, ldb)
	}
	if beta != 0 {
		raceReadMatrix(c, m, n, ldc)
	}
	raceRead(bias)
	raceWriteMatrix(c, m, n, ldc)
}
