// Package exp sweeps kernels.Exp over every float32 input on every
// implementation (see package sweep); a test binary of its own, so that go
// test's timeout covers it alone.
package exp

import (
	"testing"

	"github.com/simdnn/simdnn/kernels/internal/sweep"
)

func TestExpULP(t *testing.T) { sweep.Run(t, "Exp") }
