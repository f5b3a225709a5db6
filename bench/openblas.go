//go:build openblas && cgo

package main

/*
#cgo LDFLAGS: -lopenblas
#include <cblas.h>
*/
import "C"

import "unsafe"

// With -tags openblas (cgo; Debian: apt-get install libopenblas-dev) the
// benchmarks and the table set OpenBLAS's cblas_sgemm, on one thread,
// beside simdnn's Sgemm. The simdnn library itself never uses cgo.
func init() {
	C.openblas_set_num_threads(1)
	openblasSgemm = func(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
		tr := func(t bool) C.enum_CBLAS_TRANSPOSE {
			if t {
				return C.CblasTrans
			}
			return C.CblasNoTrans
		}
		C.cblas_sgemm(C.CblasRowMajor, tr(transA), tr(transB), C.blasint(m), C.blasint(n), C.blasint(k),
			1, (*C.float)(unsafe.Pointer(&a[0])), C.blasint(lda),
			(*C.float)(unsafe.Pointer(&b[0])), C.blasint(ldb),
			0, (*C.float)(unsafe.Pointer(&c[0])), C.blasint(ldc))
	}
}
