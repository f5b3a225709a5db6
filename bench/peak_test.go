package main

import (
	"testing"

	"github.com/simdnn/simdnn/kernels"
)

// TestFMAPeak runs the FMA-peak instrument of the active implementation
// once: it must give a positive GFLOP/s figure wherever there is one
// (amd64 and arm64 SIMD implementations), 0 for generic. It asserts no
// speed: under emulation any positive rate will do.
func TestFMAPeak(t *testing.T) {
	got := fmaPeak()
	switch {
	case kernels.Impl() == "generic" && got != 0:
		t.Errorf("fmaPeak() = %g on generic, want 0", got)
	case kernels.Impl() != "generic" && !(got > 0):
		t.Errorf("fmaPeak() = %g on %s, want > 0", got, kernels.Impl())
	}
}
