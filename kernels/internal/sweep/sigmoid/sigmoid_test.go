// Package sigmoid sweeps kernels.Sigmoid over every float32 input on every
// implementation (see package sweep); a test binary of its own, so that go
// test's timeout covers it alone.
package sigmoid

import (
	"testing"

	"github.com/simdnn/simdnn/kernels/internal/sweep"
)

func TestSigmoidULP(t *testing.T) { sweep.Run(t, "Sigmoid") }
