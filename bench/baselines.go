package main

// openblasSgemm computes C = op(A)·op(B) with OpenBLAS's cblas_sgemm on one
// thread (alpha 1, beta 0, row-major, no argument checks), when the
// program is built with -tags openblas; nil otherwise (see openblas.go).
var openblasSgemm func(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int)
