package main

import (
	"testing"

	"github.com/simdnn/simdnn/kernels"
)

// TestPeaks runs the instruments of the active implementation once, the
// FMA peak and Adam's square-root-and-division bound: each must give a
// positive figure wherever there is one (amd64 and arm64 SIMD
// implementations), 0 for generic. It asserts no speed: under emulation
// any positive rate will do.
func TestPeaks(t *testing.T) {
	for _, p := range []struct {
		name string
		f    func() float64
	}{{"fmaPeak", fmaPeak}, {"sqrtDivPeak", sqrtDivPeak}} {
		got := p.f()
		switch {
		case kernels.Impl() == "generic" && got != 0:
			t.Errorf("%s() = %g on generic, want 0", p.name, got)
		case kernels.Impl() != "generic" && !(got > 0):
			t.Errorf("%s() = %g on %s, want > 0", p.name, got, kernels.Impl())
		}
	}
}
