//go:build !(amd64 || arm64) || purego

package main

// fmaPeak has no instrument here: the generic implementation is measured
// against gonum and the naive loop, not against the vector units.
func fmaPeak() float64 { return 0 }
