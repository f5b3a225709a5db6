package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain runs the command itself when the test binary is started as a
// child by runMain, so that its exit status and output can be checked.
func TestMain(m *testing.M) {
	if os.Getenv("MNIST_TEST_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runMain runs the command with args in a child process and returns its
// exit status, stdout and stderr.
func runMain(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "MNIST_TEST_RUN_MAIN=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		// Under qemu user emulation (CI's arm64 and 386 runs) the
		// test binary is not a program the host kernel can start.
		t.Skipf("cannot start the test binary as a child here: %v", err)
	}
	err := cmd.Wait()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, stdout.String(), stderr.String()
	case errors.As(err, &exit):
		return exit.ExitCode(), stdout.String(), stderr.String()
	}
	t.Fatal(err)
	return 0, "", ""
}

// fixture writes a small MNIST in the IDX format, gzip-compressed, to a
// new directory, which it returns: 20 training and 10 test images of
// 28×28 with digit labels.
func fixture(t *testing.T) string {
	dir := t.TempDir()
	for split, n := range map[string]uint32{"train": 20, "t10k": 10} {
		pixels := make([]byte, n*28*28)
		labels := make([]byte, n)
		for i := range pixels {
			pixels[i] = byte(i * 7)
		}
		for i := range labels {
			labels[i] = byte(i % 10)
		}
		for name, b := range map[string][]byte{
			split + "-images-idx3-ubyte.gz": idx(8, []uint32{n, 28, 28}, pixels),
			split + "-labels-idx1-ubyte.gz": idx(8, []uint32{n}, labels),
		} {
			if err := os.WriteFile(filepath.Join(dir, name), gzipped(t, b), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

// A flag the run cannot use is a one-line usage error with exit status
// 2, found before anything is loaded: no stack trace, no output.
func TestFlagErrors(t *testing.T) {
	data := fixture(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-batch", "0"}, "-batch 0"},
		{[]string{"-batch", "-3"}, "-batch -3"},
		{[]string{"-epochs", "0"}, "-epochs 0"},
		{[]string{"-epochs", "-1"}, "-epochs -1"},
		{[]string{"-lr", "0"}, "-lr 0"},
		{[]string{"-lr", "-0.001"}, "-lr -0.001"},
		{[]string{"-lr", "NaN"}, "-lr NaN"},
		{[]string{"-lr", "Inf"}, "-lr +Inf"},
		{[]string{"-lr", "1e-50"}, "-lr 1e-50"},
		{[]string{"-lr", "1e39"}, "-lr 1e+39"},
		{[]string{"-threads", "-1"}, "-threads -1"},
	} {
		args := append([]string{"-data", data, "-out", t.TempDir(), "-quiet", "-epochs", "1"}, c.args...)
		code, stdout, stderr := runMain(t, args...)
		if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "mnist: "+c.want+": ") {
			t.Errorf("%v: exit status %d, stdout %q, stderr %.300q; want status 2, no output and one line saying %q",
				c.args, code, stdout, stderr, c.want)
		}
	}
}

// An -out where nothing can be written is reported before the data are
// loaded or a step is trained; a usable one receives the model and the
// plot.
func TestOutDir(t *testing.T) {
	data := fixture(t)
	tmp := t.TempDir()
	file := filepath.Join(tmp, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	bad := []string{file, filepath.Join(file, "sub")}
	if os.Geteuid() != 0 { // root writes anywhere
		ro := filepath.Join(tmp, "readonly")
		if err := os.Mkdir(ro, 0o555); err != nil {
			t.Fatal(err)
		}
		bad = append(bad, ro)
	}
	for _, out := range bad {
		code, stdout, stderr := runMain(t, "-data", data, "-out", out, "-quiet", "-epochs", "1", "-batch", "8")
		if code != 1 || stdout != "" || !strings.HasPrefix(stderr, "mnist: -out "+out) || strings.Contains(stderr, "goroutine") {
			t.Errorf("-out %s: exit status %d, stdout %.200q, stderr %.300q; want status 1 and an error about -out before any output", out, code, stdout, stderr)
		}
	}
	out := filepath.Join(tmp, "new", "dir")
	code, stdout, stderr := runMain(t, "-data", data, "-out", out, "-quiet", "-epochs", "1", "-batch", "8")
	if code != 0 {
		t.Fatalf("exit status %d: %s%s", code, stdout, stderr)
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "mnist-history.json mnist.ckpt mnist.png mnist.safetensors" {
		t.Errorf("-out holds %v, want the checkpoint, the history, the model and the plot alone", names)
	}
}

// A run stopped after an epoch and resumed with -resume ends with the
// files of a run that was not stopped, bit for bit; a resume that finds
// no checkpoint, or a run already done, says so.
func TestResume(t *testing.T) {
	data := fixture(t)
	whole, parts := t.TempDir(), t.TempDir()
	c := config{epochs: 3, batch: 8, lr: 1e-3, seed: 5, dataDir: data, quiet: true}
	c.outDir = whole
	if err := run(c); err != nil {
		t.Fatal(err)
	}
	c.outDir = parts
	c.resume = true
	if err := run(c); err == nil || !strings.Contains(err.Error(), "-resume") {
		t.Errorf("-resume with no checkpoint: err = %v", err)
	}
	c.resume, c.stopAfter = false, 1
	if err := run(c); err != errStopped {
		t.Fatalf("the first part: err = %v", err)
	}
	c.resume, c.stopAfter = true, 2
	if err := run(c); err != errStopped {
		t.Fatalf("the second part: err = %v", err)
	}
	c.stopAfter = 0
	if err := run(c); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"mnist.safetensors", "mnist.ckpt"} {
		a, _ := os.ReadFile(filepath.Join(whole, name))
		b, _ := os.ReadFile(filepath.Join(parts, name))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s: the resumed run's (%d bytes) differs from the whole run's (%d bytes)", name, len(b), len(a))
		}
	}
	ha, _ := loadHistory(filepath.Join(whole, "mnist-history.json"))
	hb, _ := loadHistory(filepath.Join(parts, "mnist-history.json"))
	if len(ha) != 3 || len(hb) != 3 {
		t.Fatalf("histories of %d and %d epochs, want 3", len(ha), len(hb))
	}
	for i := range ha {
		if ha[i].Loss != hb[i].Loss || ha[i].TestLoss != hb[i].TestLoss || ha[i].TestAccuracy != hb[i].TestAccuracy {
			t.Errorf("epoch %d: resumed %+v, whole %+v", i+1, hb[i], ha[i])
		}
	}
	if err := run(c); err == nil || !strings.Contains(err.Error(), "has done 3 epochs") {
		t.Errorf("-resume of a finished run: err = %v", err)
	}
}
