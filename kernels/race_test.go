//go:build race

package kernels

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The race detector sees a data race on a slice that only assembly reads:
// a child process races a plain Go write against ReLU's read of the same
// slice, and must die with the detector's report of a read that the
// annotation made (racereadrange): no instrumented Go code reads x.
func TestRaceSeesAssembly(t *testing.T) {
	if Impl() == "generic" {
		t.Skip("the generic kernels are Go code, which the race detector instruments anyway")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRaceChild$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "SIMDNN_RACE_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "WARNING: DATA RACE") || !strings.Contains(string(out), "racereadrange") {
		t.Fatalf("the race went unreported (err %v):\n%s", err, out)
	}
}

// TestRaceChild is the racing program of TestRaceSeesAssembly.
func TestRaceChild(t *testing.T) {
	if os.Getenv("SIMDNN_RACE_CHILD") == "" {
		t.Skip("run by TestRaceSeesAssembly")
	}
	x, dst := make([]float32, 1024), make([]float32, 1024)
	done := make(chan struct{})
	go func() {
		ReLU(dst, x)
		close(done)
	}()
	x[0] = 1 // unordered with ReLU's read: a race whatever the timing
	<-done
}

// The reports describe what the kernels touch and nothing more: goroutines
// that write disjoint column blocks of one matrix, or read a slice another
// reads, raise no report.
func TestRaceNoFalseReports(t *testing.T) {
	const m, n, k = 16, 64, 8
	a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
	x := make([]float32, 256)
	outs := [2][]float32{make([]float32, 256), make([]float32, 256)}
	done := make(chan struct{})
	for g := range 2 {
		go func() {
			defer func() { done <- struct{}{} }()
			// C's columns [32g, 32g+32): ldc = n, b offset by the block.
			Sgemm(false, false, m, n/2, k, 1, a, k, b[g*n/2:], n, 0, c[g*n/2:], n)
			Tanh(outs[g], x)
		}()
	}
	<-done
	<-done
}
