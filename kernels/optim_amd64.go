//go:build !purego

package kernels

import "github.com/simdnn/simdnn/asm"

// The generated kernels of every form of SGD and Adam, per level.
var (
	sgdAVX2 = sgdKernels{
		plain: asm.SGDAVX2, plainL2: asm.SGDL2AVX2,
		momentum: asm.SGDMomentumAVX2, momentumL2: asm.SGDMomentumL2AVX2,
		dampened: asm.SGDDampenedAVX2, dampenedL2: asm.SGDDampenedL2AVX2,
		nesterov: asm.SGDNesterovAVX2, nesterovL2: asm.SGDNesterovL2AVX2,
	}
	sgdAVX512 = sgdKernels{
		plain: asm.SGDAVX512, plainL2: asm.SGDL2AVX512,
		momentum: asm.SGDMomentumAVX512, momentumL2: asm.SGDMomentumL2AVX512,
		dampened: asm.SGDDampenedAVX512, dampenedL2: asm.SGDDampenedL2AVX512,
		nesterov: asm.SGDNesterovAVX512, nesterovL2: asm.SGDNesterovL2AVX512,
	}
	adamAVX2 = adamKernels{
		plain: asm.AdamAVX2, l2: asm.AdamL2AVX2, w: asm.AdamWAVX2,
		amsgrad: asm.AdamAMSGradAVX2, l2AMSGrad: asm.AdamL2AMSGradAVX2, wAMSGrad: asm.AdamWAMSGradAVX2,
	}
	adamAVX512 = adamKernels{
		plain: asm.AdamAVX512, l2: asm.AdamL2AVX512, w: asm.AdamWAVX512,
		amsgrad: asm.AdamAMSGradAVX512, l2AMSGrad: asm.AdamL2AMSGradAVX512, wAMSGrad: asm.AdamWAMSGradAVX512,
	}
)
