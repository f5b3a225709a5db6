// Package kernels is simdnn's public, safe API of float32 kernels for dense
// neural networks: matrix multiply, bias add, the activation functions and
// their derivatives, softmax, the losses, the optimizer updates and the
// sum of squares (SumSquares, for gradient norms).
//
// Every function checks its arguments and panics with a message that names
// the function and the offending numbers, the way gonum panics on programmer
// errors; then it calls the implementation chosen once at init from the CPU's
// features (see [Impl]). Matrices are row-major float32 slices with a
// leading dimension (lda, ldb, ldc, ldy) wherever they are passed with one;
// functions that take only m and n expect contiguous rows (leading
// dimension n).
//
// A destination may be the same slice as an input (in place); partial
// overlap between a destination and an input is not supported and gives
// unspecified results.
//
// # Implementations
//
// Each operation has a pure-Go implementation (package fallback), used on
// every GOARCH, under the purego build tag, and on CPUs without the needed
// vector features. On amd64 the AVX2+FMA and AVX-512 implementations, and
// on arm64 the NEON one, replace it for every kernel (package asm, generated
// by the gen module; the levels' CPU features are listed in asm's
// levels_amd64.go and levels_arm64.go). Results of different implementations agree within
// the accuracy stated on each function; in general they are not
// bit-identical, because fused multiply-add and summation order change the
// rounding. Exp is bit-identical on every implementation; Tanh and Sigmoid
// are not: the vector kernels trade the pure-Go kernels' 1-ULP bound for a
// 3-ULP one, and only their special values and saturation thresholds are
// the same everywhere, as their doc comments say.
//
// The environment variable SIMDNN_KERNELS, read once at init, lowers the
// implementation for testing and benchmarking: "generic", "avx2", "avx512"
// or "neon". A level the CPU lacks is never chosen; the best level the CPU
// has below it is used instead. Any other value panics at init, so a typing
// mistake cannot silently test the wrong code.
//
// Within a level, some kernels come in versions tuned for AMD's and for
// Intel's microarchitectures, with the same accuracy and special values;
// Tuning names the ones chosen for this CPU (by its vendor), and the
// environment variable SIMDNN_TUNING, "amd" or "intel", read once at init,
// overrides the choice, with the same rule for other values.
package kernels
