//go:build !amd64 || purego

package main

// streamInstruments returns the streaming baselines of several arrays: Go
// loops, where there is no generated instrument.
func streamInstruments() streams { return goStreams() }
