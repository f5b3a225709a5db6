// Package fallback is the pure-Go implementation of every simdnn kernel:
// unchecked building blocks for package kernels, which checks every
// argument and is what programs call.
//
// It is the code that runs under the purego build tag, on GOARCHes without
// assembly, and on CPUs without the needed vector features. The functions
// have the contracts documented in package kernels, but they do not check
// their arguments.
package fallback
