//go:build purego || !amd64

package kernels

// blocksTestImpls returns nothing: the other vendor's block sizes are
// tested on amd64, where both vendors' CPUs run the same kernels.
func blocksTestImpls() []*impl { return nil }
