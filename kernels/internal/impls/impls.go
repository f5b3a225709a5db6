// Package impls hands the implementation tables of package kernels to its
// tests that live in other packages: the full-range sweep of the
// transcendental kernels (kernels/internal/sweep) is a test binary of its
// own, so that go test's per-binary timeout covers it alone. Package
// kernels fills List at init; nothing else writes it.
package impls

// Unary is an elementwise kernel with one input, as in the tables.
type Unary = func(dst, x []float32)

// Impl is one implementation's transcendental kernels, as its table holds
// them: without the argument checks and race annotations of the public
// functions.
type Impl struct {
	// Name is the level, and the tuning where the level has tables for
	// several (as "avx512-intel").
	Name string
	// Active is set on the table init chose for the public functions.
	Active             bool
	Exp, Tanh, Sigmoid Unary
}

// List holds every implementation table this CPU runs, best first, the
// tables of every tuning included; the last is generic, the pure-Go one.
var List []Impl
