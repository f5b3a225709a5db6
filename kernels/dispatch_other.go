//go:build purego || (!amd64 && !arm64)

package kernels

// archLevels orders this architecture's implementations, lowest first.
var archLevels = []string{"generic"}

// simdImpls returns the SIMD implementations this CPU can run, best first:
// none without assembly.
func simdImpls() []*impl { return nil }

// cpuTuning is the tuning for this CPU (tuning.go): none without assembly.
func cpuTuning() string { return "" }
