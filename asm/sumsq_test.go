//go:build !purego && (amd64 || arm64)

package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdnn/simdnn/internal/harness"
)

// The SumSquares kernels are tested here on their own contract, with
// block lengths around every level's vector width and group of
// accumulators: each block's float32 sum against a float64 reference,
// the total as the float64 sum of those in block order, bit for bit, with
// and without sums, nothing written past the last block's sum, and a NaN
// or an infinity spoiling its block's sum and no other. sumsqKernels, in
// sumsq_ARCH_test.go, lists every generated kernel.

type sumsqKernel struct {
	name string
	ok   bool
	fn   func(x []float32, block int, sums []float32) float64
}

// sumsqBlocks are the block lengths of the tests: around the vector
// widths (4, 8, 16) and the groups of eight vectors (32, 64, 128), and
// kernels.SumSquares' 1024.
var sumsqBlocks = []int{1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 1024}

// sumsqLengths are the lengths of x: every one to 300 (every tail of
// every block length above but 1024) and around two blocks of 1024.
var sumsqLengths = func() []int {
	var ns []int
	for n := range 301 {
		ns = append(ns, n)
	}
	return append(ns, 2047, 2048, 2049, 2175)
}()

// blockTol bounds the error of a float32 sum of m squares of sum s, in
// any of the kernels' orders: no lane adds more than m/4 + 3 squares
// (full groups, then up to 7 single vectors and 3 single elements into
// the first accumulator), and the accumulators' and lanes' trees and
// AVX2's scalar tail add at most 13 roundings, each 2⁻²⁴ relative, or
// 2⁻¹⁵⁰ absolute for a square below the float32 range. 16 covers the
// second-order terms.
func blockTol(m int, s float64) float64 {
	return float64(m/4+16)*0x1p-24*s + float64(m)*0x1p-150
}

func forEachSumsq(t *testing.T, f func(t *testing.T, k sumsqKernel)) {
	for _, k := range sumsqKernels {
		t.Run(k.name, func(t *testing.T) {
			if !k.ok {
				t.Skipf("CPU lacks %s", k.name)
			}
			f(t, k)
		})
	}
}

// checkSumsq calls k on x with each block length and checks the result.
func checkSumsq(t *testing.T, k sumsqKernel, x []float32, what string) {
	t.Helper()
	for _, block := range sumsqBlocks {
		nb := (len(x) + block - 1) / block
		p := harness.Place(make([]float32, nb), len(x)%harness.Offsets)
		var total, bare float64
		harness.NoFault(t, what, func() {
			total = k.fn(x, block, p.S)
			bare = k.fn(x, block, nil)
		})
		if at, bad := p.BadCanary(); bad {
			t.Fatalf("%s block=%d: wrote sums[%d] of %d", what, block, at, nb)
		}
		var want float64
		for i, s := range p.S {
			want += float64(s)
			b := x[i*block : min((i+1)*block, len(x))]
			var ref float64
			for _, v := range b {
				ref += float64(v) * float64(v)
			}
			if tol := blockTol(len(b), ref); !(math.Abs(float64(s)-ref) <= tol) {
				t.Fatalf("%s block=%d: sums[%d] = %g, want %g within %g", what, block, i, s, ref, tol)
			}
		}
		if math.Float64bits(total) != math.Float64bits(want) || math.Float64bits(bare) != math.Float64bits(want) {
			t.Fatalf("%s block=%d: returned %g, without sums %g; the block sums add up to %g", what, block, total, bare, want)
		}
	}
}

func TestSumSquares(t *testing.T) {
	forEachSumsq(t, func(t *testing.T, k sumsqKernel) {
		r := rand.New(rand.NewPCG(5, 6))
		for _, n := range sumsqLengths {
			for _, after := range []bool{true, false} {
				x := gemmGuarded(t, n, after)
				for i := range x {
					// Magnitudes from 2⁻⁸⁰ to 2⁴⁰: squares below the
					// float32 range too, no block sum past it.
					x[i] = float32(math.Ldexp(r.NormFloat64(), r.IntN(120)-80))
				}
				checkSumsq(t, k, x, fmt.Sprintf("n=%d flush against a guard page (after: %v)", n, after))
			}
		}
	})
}

// TestSumSquaresNonFinite puts a NaN or an infinity at each position in
// turn and checks that it makes its block's sum NaN or +Inf (a NaN wins
// over an infinity), and leaves every other block finite.
func TestSumSquaresNonFinite(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	forEachSumsq(t, func(t *testing.T, k sumsqKernel) {
		for _, block := range []int{5, 16, 33, 128, 129} {
			const n = 300
			x := make([]float32, n)
			for i := range x {
				x[i] = float32(i%7) - 3
			}
			sums := make([]float32, (n+block-1)/block)
			for i := range n {
				for _, bad := range [][]float32{{nan}, {inf}, {-inf}, {inf, nan}} {
					old := x[i]
					x[i] = bad[0]
					j := i + 1 // a second value in the same block, where there is one
					if len(bad) == 2 && j < n && j/block == i/block {
						x[j] = bad[1]
					}
					wantNaN := bad[len(bad)-1] != bad[len(bad)-1] && (len(bad) == 1 || j < n && j/block == i/block)
					total := k.fn(x, block, sums)
					for b, s := range sums {
						switch {
						case b != i/block && (math.IsNaN(float64(s)) || math.IsInf(float64(s), 0)):
							t.Fatalf("block=%d, %v at %d: sums[%d] = %g, want finite", block, bad, i, b, s)
						case b == i/block && wantNaN && !math.IsNaN(float64(s)):
							t.Fatalf("block=%d, %v at %d: sums[%d] = %g, want NaN", block, bad, i, b, s)
						case b == i/block && !wantNaN && !math.IsInf(float64(s), 1):
							t.Fatalf("block=%d, %v at %d: sums[%d] = %g, want +Inf", block, bad, i, b, s)
						}
					}
					if math.IsNaN(total) != wantNaN || !wantNaN && !math.IsInf(total, 1) {
						t.Fatalf("block=%d, %v at %d: total %g", block, bad, i, total)
					}
					x[i] = old
					if j < n {
						x[j] = float32(j%7) - 3
					}
				}
			}
		}
	})
}
