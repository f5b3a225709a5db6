// Package fallback holds the pure-Go implementation of every simdnn kernel.
//
// It is the code that runs under the purego build tag, on GOARCHes without
// assembly, and on CPUs without the needed vector features. The functions
// have the contracts documented in package kernels, but they do not check
// their arguments: call them through kernels, which does.
package fallback
