package main

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// openblasSgemm computes C = op(A)·op(B) with OpenBLAS's cblas_sgemm on one
// thread (alpha 1, beta 0, row-major, no argument checks), when the
// program is built with -tags openblas; nil otherwise (see openblas.go).
var openblasSgemm func(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int)

// gonumSgemm computes C = op(A)·op(B) (alpha 1, beta 0, row-major) with
// gonum's blas32.Gemm and its default implementation, gonum.Implementation
// (pure Go plus SSE assembly for its inner loops, unless built with -tags
// noasm): what a Go program that multiplies float32 matrices uses today.
// It spreads large products over GOMAXPROCS goroutines.
func gonumSgemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	tA, tB := blas.NoTrans, blas.NoTrans
	am := blas32.General{Rows: m, Cols: k, Stride: lda, Data: a}
	bm := blas32.General{Rows: k, Cols: n, Stride: ldb, Data: b}
	if transA {
		tA, am.Rows, am.Cols = blas.Trans, k, m
	}
	if transB {
		tB, bm.Rows, bm.Cols = blas.Trans, n, k
	}
	blas32.Gemm(tA, tB, 1, am, bm, 0, blas32.General{Rows: m, Cols: n, Stride: ldc, Data: c})
}
