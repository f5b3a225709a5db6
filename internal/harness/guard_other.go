//go:build !unix

package harness

import "testing"

// GuardSupported reports whether guard pages work on this system.
const GuardSupported = false

// GuardAfter skips the test: guard pages need mmap and mprotect.
func GuardAfter(t testing.TB, n int) []float32 {
	t.Skip("harness: guard pages need a Unix system")
	return nil
}

// GuardBefore skips the test: guard pages need mmap and mprotect.
func GuardBefore(t testing.TB, n int) []float32 {
	t.Skip("harness: guard pages need a Unix system")
	return nil
}

// NoFault runs f.
func NoFault(t testing.TB, what string, f func()) { f() }
