package kernels

import (
	"strconv"

	"github.com/simdnn/simdnn/fallback"
	"github.com/simdnn/simdnn/internal/gemm"
)

// Activation is an activation function that SgemmBiasAct applies to its
// result. The zero value is the identity.
type Activation struct {
	kind  activationKind
	slope float32
}

type activationKind uint8

const (
	actIdentity activationKind = iota
	actReLU
	actLeakyReLU
	actTanh
	actSigmoid
)

var (
	// ActIdentity applies nothing: SgemmBiasAct is then Sgemm plus a bias.
	ActIdentity = Activation{}
	// ActReLU is max(x, 0), as ReLU computes it.
	ActReLU = Activation{kind: actReLU}
	// ActTanh is tanh, as Tanh computes it.
	ActTanh = Activation{kind: actTanh}
	// ActSigmoid is the logistic function, as Sigmoid computes it.
	ActSigmoid = Activation{kind: actSigmoid}
)

// ActLeakyReLU is x for x ≥ 0 and slope·x for x < 0, as LeakyReLU computes
// it.
func ActLeakyReLU(slope float32) Activation {
	return Activation{kind: actLeakyReLU, slope: slope}
}

// String names the activation, with its slope for leaky ReLU.
func (act Activation) String() string {
	switch act.kind {
	case actReLU:
		return "ReLU"
	case actLeakyReLU:
		return "LeakyReLU(" + strconv.FormatFloat(float64(act.slope), 'g', -1, 32) + ")"
	case actTanh:
		return "Tanh"
	case actSigmoid:
		return "Sigmoid"
	}
	return "Identity"
}

// SgemmBiasAct computes C = act(alpha·op(A)·op(B) + beta·C + bias), bias[j]
// added to every element of column j: a dense layer's forward pass in one
// call. Everything but bias and act is as in Sgemm, whose contract,
// shapes and accuracy hold here too. bias is nil (or empty) for no bias,
// or n long.
//
// The SIMD implementations add the bias and apply identity, ReLU and
// leaky ReLU to each tile of C while it is still in registers, so that
// the result is written once; tanh and sigmoid follow as a second pass
// over C while it is in cache. (A product with op(B) = Bᵀ and a few
// dozen to a few hundred rows, a forward pass with the weights stored
// [out × in], is computed transposed and applies the bias and the
// activation in passes too; with up to 16 rows, the small-m kernels
// apply them in registers.) The generic implementation runs Sgemm,
// then one pass per step. The value of each element is the same either
// way: the product's tile is rounded, beta·C and then the bias are added
// (each addition rounded once), and act is applied with the accuracy and
// the NaN rules of the function it names (ReLU, LeakyReLU, Tanh, Sigmoid).
func SgemmBiasAct(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, bias []float32, act Activation) {
	const fn = "SgemmBiasAct"
	checkGemm(fn, transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	if len(bias) != 0 && len(bias) != n {
		fail(fn, "len(bias)=%d != n=%d (nor 0, for no bias)", len(bias), n)
	}
	if m == 0 || n == 0 {
		return
	}
	ep := epilogue{bias: bias, slope: act.slope}
	if len(bias) != 0 {
		ep.flags |= epilogueBias
	}
	switch act.kind {
	case actReLU:
		ep.flags |= epilogueReLU
	case actLeakyReLU:
		ep.flags |= epilogueLeaky
	case actTanh:
		ep.post = active.tanh
	case actSigmoid:
		ep.post = active.sigmoid
	}
	raceGemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, bias)
	active.sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, ep)
}

// The flags of the micro-kernels' epilogue, with the values their doc
// comments (package asm) give them.
const (
	epilogueAdd   = 1 << iota // add the tile of C
	epilogueBias              // add bias[j] to column j
	epilogueReLU              // max(x, 0)
	epilogueLeaky             // slope·x where x < 0
)

// epilogue is what an Sgemm implementation applies to C after the
// product: flags (epilogueBias, epilogueReLU, epilogueLeaky) with their
// bias and slope, in the micro-kernel's tile where it has one, then post
// over each row of C, in place. The zero value is plain Sgemm.
type epilogue struct {
	bias  []float32
	flags uint
	slope float32
	post  func(dst, x []float32)
}

// epiloguePasses are the kernels that apply an epilogue's flags as passes
// over C, where no micro-kernel's tile can take them.
type epiloguePasses struct {
	biasAdd   func(c []float32, ldc, m, n int, bias []float32)
	relu      func(dst, x []float32)
	leakyReLU func(dst, x []float32, slope float32)
}

// fallbackPasses are the pure-Go passes.
var fallbackPasses = epiloguePasses{fallback.BiasAdd, fallback.ReLU, fallback.LeakyReLU}

// apply applies the epilogue to the m×n window of C in passes of the
// pure-Go kernels: the way the generic implementation does it, and the way
// every implementation does it when there is no product to fuse with
// (alpha = 0 or k = 0).
func (ep epilogue) apply(c []float32, ldc, m, n int) {
	ep.applyWith(fallbackPasses, c, ldc, m, n)
}

// applyWith is apply with the passes f.
func (ep epilogue) applyWith(f epiloguePasses, c []float32, ldc, m, n int) {
	if ep.flags == 0 && ep.post == nil {
		return
	}
	if ep.flags&epilogueBias != 0 {
		f.biasAdd(c, ldc, m, n, ep.bias)
	}
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		switch {
		case ep.flags&epilogueReLU != 0:
			f.relu(row, row)
		case ep.flags&epilogueLeaky != 0:
			f.leakyReLU(row, row, ep.slope)
		}
	}
	ep.finish(c, ldc, m, n)
}

// begin does what every blocked driver does before the product. With no
// product to compute (alpha = 0 or k = 0) it sets C = act(beta·C + bias)
// and reports false. Otherwise it scales C by beta, unless beta is 0 (the
// first k block then assigns every element, so C is not read), and
// reports true.
func (ep epilogue) begin(m, n, k int, alpha, beta float32, c []float32, ldc int) bool {
	if alpha == 0 || k == 0 {
		gemm.ScaleC(m, n, beta, c, ldc)
		ep.apply(c, ldc, m, n)
		return false
	}
	if beta != 0 {
		gemm.ScaleC(m, n, beta, c, ldc)
	}
	return true
}

// blockFlags returns the micro-kernel flags of the k block [pc, pc+kc) of
// k, C having been scaled by beta already: the first block assigns when
// beta is 0, every other adds to C, and the last applies the epilogue's
// flags.
func (ep epilogue) blockFlags(beta float32, pc, kc, k int) uint {
	var flags uint
	if beta != 0 || pc > 0 {
		flags = epilogueAdd
	}
	if pc+kc == k {
		flags |= ep.flags
	}
	return flags
}

// finish applies post, which no micro-kernel fuses, to each row of the
// m×n window of C.
func (ep epilogue) finish(c []float32, ldc, m, n int) {
	if ep.post == nil {
		return
	}
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		ep.post(row, row)
	}
}

// columns returns the epilogue of the columns from j on.
func (ep epilogue) columns(j int) epilogue {
	if ep.flags&epilogueBias != 0 {
		ep.bias = ep.bias[j:]
	}
	return ep
}

// genericSgemm is the generic implementation's Sgemm: the fallback's,
// then the epilogue in passes.
func genericSgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, ep epilogue) {
	fallback.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	ep.apply(c, ldc, m, n)
}
