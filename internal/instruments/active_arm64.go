//go:build !purego

package instruments

import (
	"github.com/simdnn/simdnn/asm"
	"github.com/simdnn/simdnn/kernels"
)

// active returns the NEON peaks and read; there are no NEON streams, so
// the streams stay Go loops.
func active() Set {
	s := goSet()
	if kernels.Impl() == "neon" {
		s.FMAPeak, s.FMAFlops = asm.FMAPeakNEON, 2*24*4
		s.SqrtDivPeak, s.SqrtDivElems = asm.SqrtDivPeakNEON, 4*4
		s.Read = vectorRead(asm.ReadNEON)
	}
	return s
}
