//go:build !race

package kernels

// raceBuild reports whether the tests run under the race detector
// (testImpls).
const raceBuild = false
