// Package sweep runs every float32 input through every implementation of
// kernels.Exp, Tanh and Sigmoid, against the float64 reference (Run; with
// -short, every 4099th input). A full sweep takes a minute or two per
// function, so each has a test binary of its own (the packages exp, tanh
// and sigmoid below), which go test's per-binary timeout covers alone;
// package kernels tests everything else.
package sweep
