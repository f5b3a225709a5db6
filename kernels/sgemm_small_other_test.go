//go:build purego || !amd64

package kernels

// smallLevels returns the small-m kernels of the levels this CPU runs:
// none here yet.
func smallLevels() []smallLevel { return nil }
