package main

import (
	"math"
	"testing"
)

// The tanh network fits the curve closely; without the activation the
// same network is a linear map and its fit a straight line, far off.
func TestApprox(t *testing.T) {
	if testing.Short() {
		t.Skip("3000 training steps per fit")
	}
	mse, _, err := run(32, 3000, false, 1)
	if err != nil {
		t.Fatal(err)
	}
	if mse > 1e-3 {
		t.Errorf("tanh network: MSE %.5f, want ≤ 1e-3", mse)
	}
	mse, fit, err := run(32, 3000, true, 1)
	if err != nil {
		t.Fatal(err)
	}
	if mse < 0.3 {
		t.Errorf("linear network: MSE %.5f, want ≥ 0.3 (a line cannot follow the curve)", mse)
	}
	// Equal steps in x give equal steps in a line's y.
	for i := 2; i < len(fit.Data); i++ {
		d2 := float64(fit.Data[i]) - 2*float64(fit.Data[i-1]) + float64(fit.Data[i-2])
		if math.Abs(d2) > 1e-4 {
			t.Fatalf("linear network: the fit bends at point %d (second difference %.3g)", i, d2)
		}
	}
}
