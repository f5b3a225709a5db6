//go:build !purego

package instruments

import (
	"github.com/simdnn/simdnn/asm"
	"github.com/simdnn/simdnn/kernels"
)

func active() Set {
	s := goSet()
	switch kernels.Impl() {
	case "avx512":
		s.FMAPeak, s.FMAFlops = asm.FMAPeakAVX512, 2*24*16
		s.SqrtDivPeak, s.SqrtDivElems = asm.SqrtDivPeakAVX512, 4*16
		s.Add21, s.Stream21, s.Stream32, s.Stream43 = asm.Add21AVX512, asm.Stream21AVX512, asm.Stream32AVX512, asm.Stream43AVX512
		s.Read = vectorRead(asm.ReadAVX512)
	case "avx2":
		s.FMAPeak, s.FMAFlops = asm.FMAPeakAVX2, 2*12*8
		s.SqrtDivPeak, s.SqrtDivElems = asm.SqrtDivPeakAVX2, 4*8
		s.Add21, s.Stream21, s.Stream32, s.Stream43 = asm.Add21AVX2, asm.Stream21AVX2, asm.Stream32AVX2, asm.Stream43AVX2
		s.Read = vectorRead(asm.ReadAVX2)
	}
	return s
}
