//go:build purego || !(amd64 || arm64)

package kernels

// smallLevels returns the small-m kernels of the levels this CPU runs:
// none here.
func smallLevels() []smallLevel { return nil }
