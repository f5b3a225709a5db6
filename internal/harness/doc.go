// Package harness is the shared test harness of simdnn's kernels: float64
// references for every operation, ULP distances, the lengths and offsets
// every kernel is swept over, and slices that end (or start) at a
// PROT_NONE guard page so that a stray read or write faults.
//
// The references are independent of the code under test: plain float64
// loops and package math, nothing from fallback or kernels.
package harness
