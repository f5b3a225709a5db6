// Package asm holds simdnn's generated assembly, amd64 (AVX2+FMA and
// AVX-512) and arm64 (NEON), and its Go declarations: unchecked building
// blocks for package kernels, which checks every argument and the CPU and
// is what programs call.
//
// Do not edit these files: they are written by the gen module (avo for
// amd64, its own emitter gen/arm64 for arm64), and CI checks that they are
// exactly what gen writes. Regenerate them with
//
//	cd gen && go generate ./...
//
// The functions check nothing: lengths, overlap and CPU features are the
// caller's job. Each function's doc comment ends with its level, whose
// CPU features levels_amd64.go and levels_arm64.go list (AVX2, AVX512,
// NEON); the generator checks that no function uses an instruction
// outside its level. Every file but this one is built only on amd64 or
// arm64 without the purego tag, so on other platforms the package is
// empty.
//
// # The GEMM micro-kernel
//
// SgemmKernelAVX2, SgemmKernelAVX512 and SgemmKernelNEON compute one
// MR×NR tile of C (each one's doc comment gives MR and NR):
//
//	acc[i][j] = Σ_{p<kc} a[p·MR+i]·b[p·ldb+j]   for i < MR, j < NR
//
// accumulated from 0 in the order p = 0, 1, …, kc−1 with one rounding per
// step (a fused multiply-add); then the epilogue (below); last,
// c[i·ldc+j] = acc[i][j] for every i < MR, j < NR.
//
// a is a packed panel of op(A): kc groups of MR values, group p holding
// column p of the tile's MR rows. b holds kc rows of NR values of op(B),
// row p from b[p·ldb] on: a packed panel (ldb = NR), or op(B) itself
// where it lies when op(B) = B. kc ≥ 0 (kc = 0 gives acc = 0),
// len(a) ≥ MR·kc, ldb ≥ NR, len(b) ≥ (kc−1)·ldb + NR when kc > 0,
// ldc ≥ NR, len(c) ≥ (MR−1)·ldc + NR, len(bias) ≥ NR with flag 2; none of
// this is checked. Nothing outside the first MR·kc values of a, the kc×NR
// window of b, the first NR values of bias (with flag 2 only) and the
// MR×NR window of c is read or written.
//
// # The epilogue
//
// Every GEMM kernel (the micro-kernels, the Sgemm{Rows,Dot,Small}*
// kernels) ends with the same epilogue on its accumulators, each step
// only when its bit of flags is set, in this order, each rounding once:
//
//	1 (add)        acc[i][j] += c[i·ldc+j]   (c is not read without it)
//	2 (bias)       acc[i][j] += bias[j]
//	4 (ReLU)       acc[i][j] = max(acc[i][j], 0), passing NaN and −0 through
//	8 (leaky ReLU) acc[i][j] ·= slope where acc[i][j] < 0
//
// 4 and 8 are never set together. Tanh and sigmoid are applied by package
// kernels after the store.
package asm
