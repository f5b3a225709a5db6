// Package asm holds simdnn's generated assembly, amd64 (AVX2+FMA and
// AVX-512) and arm64 (NEON), and its Go declarations. Do not edit these
// files: they are written by the gen module (avo for amd64, its own
// emitter gen/arm64 for arm64), and CI checks that they are exactly what
// gen writes. Regenerate them with
//
//	cd gen && go generate ./...
//
// The functions check nothing: lengths, overlap and CPU features are the
// caller's job (package kernels). Every file but this one is built only on
// amd64 or arm64 without the purego tag, so on other platforms the
// package is empty.
package asm
