//go:build !(amd64 || arm64) || purego

package main

// fmaPeak and sqrtDivPeak have no instrument here: the generic
// implementation is measured against gonum and the naive loop, not
// against the vector units.
func fmaPeak() float64 { return 0 }

func sqrtDivPeak() float64 { return 0 }
