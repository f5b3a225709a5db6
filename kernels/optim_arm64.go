//go:build !purego

package kernels

import "github.com/simdnn/simdnn/asm"

// The generated kernels of every form of SGD and Adam.
var (
	sgdNEON = sgdKernels{
		plain: asm.SGDNEON, plainL2: asm.SGDL2NEON,
		momentum: asm.SGDMomentumNEON, momentumL2: asm.SGDMomentumL2NEON,
		dampened: asm.SGDDampenedNEON, dampenedL2: asm.SGDDampenedL2NEON,
		nesterov: asm.SGDNesterovNEON, nesterovL2: asm.SGDNesterovL2NEON,
	}
	adamNEON = adamKernels{
		plain: asm.AdamNEON, l2: asm.AdamL2NEON, w: asm.AdamWNEON,
		amsgrad: asm.AdamAMSGradNEON, l2AMSGrad: asm.AdamL2AMSGradNEON, wAMSGrad: asm.AdamWAMSGradNEON,
	}
)
