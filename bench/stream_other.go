//go:build !amd64 || purego

package main

// optimStreams returns the streaming baselines of the optimizer updates:
// Go loops, where there is no generated instrument.
func optimStreams() (s32 func(w, v, g []float32), s43 func(w, m, v, g []float32)) {
	return goStreams()
}
