// Package tanh sweeps kernels.Tanh over every float32 input on every
// implementation (see package sweep); a test binary of its own, so that go
// test's timeout covers it alone.
package tanh

import (
	"testing"

	"github.com/simdnn/simdnn/kernels/internal/sweep"
)

func TestTanhULP(t *testing.T) { sweep.Run(t, "Tanh") }
