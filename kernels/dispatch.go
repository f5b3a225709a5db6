package kernels

import (
	"fmt"
	"os"
	"slices"

	"github.com/simdnn/simdnn/fallback"
)

// impl is one implementation of every kernel: a table of function values
// filled once at init, so the hot path has no feature branches. Arguments
// have been checked by the public function before an entry is called.
type impl struct {
	name string
	// tuning names the microarchitecture the table is tuned for, where
	// its level has tables for more than one (tuning.go), and
	// tuningNote says what differs; blocks are its packed Sgemm's block
	// sizes (setGemm), zero where it has none.
	tuning, tuningNote string
	blocks             gemmBlocks

	sgemm    gemmFunc // splits large products over goroutines (parallelSgemm)
	biasAdd  func(c []float32, ldc, m, n int, bias []float32)
	biasGrad func(db, dy []float32, ldy, m, n int)

	relu          func(dst, x []float32)
	reluGrad      func(dx, x, dy []float32)
	leakyReLU     func(dst, x []float32, slope float32)
	leakyReLUGrad func(dx, x, dy []float32, slope float32)
	exp           func(dst, x []float32)
	tanh          func(dst, x []float32)
	tanhGrad      func(dx, y, dy []float32)
	sigmoid       func(dst, x []float32)
	sigmoidGrad   func(dx, y, dy []float32)
	clamp         func(dst, x []float32, lo, hi float32)

	softmax             func(dst, x []float32, m, n int)
	softmaxGrad         func(dx, y, dy []float32, m, n int)
	logSoftmax          func(dst, x []float32, m, n int)
	softmaxCrossEntropy func(dlogits, logits []float32, labels []int32, m, n int) float32
	mse                 func(dpred, pred, target []float32) float32
	// sumSquares is SumSquares over blocks of block elements, as
	// fallback.SumSquaresBlocks: on the whole slice, or on each stripe of
	// a split call (splitSumSquares).
	sumSquares func(x []float32, block int, sums []float32) float64

	axpy  func(y []float32, alpha float32, x []float32)
	scale func(x []float32, alpha float32)
	sgd   sgdKernels
	adam  adamKernels
}

// generic is the pure-Go implementation; the SIMD tables start as copies of
// it and replace the kernels they have.
var generic = impl{
	name:     "generic",
	sgemm:    parallelSgemm(one(genericSgemm, 1, 12)),
	biasAdd:  fallback.BiasAdd,
	biasGrad: fallback.BiasGrad,

	relu:          fallback.ReLU,
	reluGrad:      fallback.ReLUGrad,
	leakyReLU:     fallback.LeakyReLU,
	leakyReLUGrad: fallback.LeakyReLUGrad,
	exp:           fallback.Exp,
	tanh:          fallback.Tanh,
	tanhGrad:      fallback.TanhGrad,
	sigmoid:       fallback.Sigmoid,
	sigmoidGrad:   fallback.SigmoidGrad,
	clamp:         fallback.Clamp,

	softmax:             fallback.Softmax,
	softmaxGrad:         fallback.SoftmaxGrad,
	logSoftmax:          fallback.LogSoftmax,
	softmaxCrossEntropy: fallback.SoftmaxCrossEntropy,
	mse:                 fallback.MSE,
	sumSquares:          fallback.SumSquaresBlocks,

	axpy:  fallback.Axpy,
	scale: fallback.Scale,
	sgd:   genericSGD,
	adam:  genericAdam,
}

// knownLevels are every name SIMDNN_KERNELS accepts, on any GOARCH.
var knownLevels = []string{"generic", "avx2", "avx512", "neon"}

// available lists the implementations this CPU can run, best first, one
// per level: the per-architecture files provide theirs at init, and where
// a level has tables for several tunings, the one for this CPU's. The
// other tunings' tables are alternates, run by the tests alone. active is
// the one the public functions call.
var (
	available  []*impl
	alternates []*impl
	active     *impl
)

func init() {
	available, alternates = splitTuning(append(simdImpls(), &generic), tuningFromEnv())
	var err error
	active, err = choose(os.Getenv("SIMDNN_KERNELS"), available)
	if err != nil {
		panic(err)
	}
	exportImpls()
}

// choose picks the implementation named by want (the value of
// SIMDNN_KERNELS), or the best of have when want is empty. A level the CPU
// lacks falls back to the best one it has below it.
func choose(want string, have []*impl) (*impl, error) {
	if want == "" {
		return have[0], nil
	}
	if !slices.Contains(knownLevels, want) {
		return nil, fmt.Errorf("simdnn/kernels: SIMDNN_KERNELS=%q is not one of %q", want, knownLevels)
	}
	for _, im := range have {
		if im.name == want {
			return im, nil
		}
	}
	// The CPU lacks the requested level: take the best one it has below
	// it on this architecture (levels of another architecture are all
	// "below" nothing here, so they get generic).
	pos := func(name string) int {
		for i, l := range archLevels {
			if l == name {
				return i
			}
		}
		return -1
	}
	if p := pos(want); p >= 0 {
		for _, im := range have {
			if pos(im.name) < p {
				return im, nil
			}
		}
	}
	return &generic, nil
}

// Impl names the implementation the kernels run: "avx512", "avx2", "neon"
// or "generic".
func Impl() string { return active.name }

// Available names the implementations this CPU can run, best first. The
// last is always "generic".
func Available() []string {
	names := make([]string, len(available))
	for i, im := range available {
		names[i] = im.name
	}
	return names
}
