// Package asm holds simdnn's generated amd64 assembly (AVX2+FMA and
// AVX-512) and its Go declarations. Do not edit these files: they are
// written by the avo programs in the gen module, and CI checks that they
// are exactly what gen writes. Regenerate them with
//
//	cd gen && go generate ./...
//
// The functions check nothing: lengths, overlap and CPU features are the
// caller's job (package kernels). Every file but this one is built only on
// amd64 without the purego tag, so on other platforms the package is
// empty.
package asm
