package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/simdnn/simdnn/nn"
)

// testModel saves the MNIST architecture with seeded random weights and
// biases in a temporary directory, and returns its path and the model.
func testModel(t *testing.T) (string, *nn.Sequential) {
	t.Helper()
	model, err := newMLP()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, p := range model.Params() {
		// He's scale for the weights keeps the logits near 1, so that
		// the probabilities are not all 0 and 1.
		scale := math.Sqrt(2 / float64(p.Shape[len(p.Shape)-1]))
		for i := range p.Value {
			p.Value[i] = float32(scale * rng.NormFloat64())
		}
	}
	path := filepath.Join(t.TempDir(), "mnist.safetensors")
	if err := model.Save(path); err != nil {
		t.Fatal(err)
	}
	return path, model
}

// startServer serves the model at path, loaded as main loads it, on a
// free port of 127.0.0.1 until the test ends, and returns its URL.
func startServer(t *testing.T, path string) string {
	t.Helper()
	url, stop := serveModel(t, path)
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return url
}

// serveModel serves the model at path, loaded as main loads it, on a free
// port of 127.0.0.1, and returns its URL and a function that cancels the
// server's context, as a signal does in main, and returns what serve
// returned.
func serveModel(t *testing.T, path string) (url string, stop func() error) {
	t.Helper()
	pred, err := loadPredictor(path)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- serve(ctx, ln, newHandler(pred)) }()
	return "http://" + ln.Addr().String(), func() error {
		cancel()
		return <-errc
	}
}

// standardize maps an MNIST pixel to the model's input as
// examples/mnist's loadMNIST does, written out again here so that the
// server's copy is checked against it.
func standardize(p uint8) float32 { return (float32(p)/255 - 0.1307) / 0.3081 }

// answer is the body of a successful /predict.
type answer struct {
	Predictions []prediction `json:"predictions"`
}

// checkAnswer checks that body holds, for each row of x, the class and
// the probabilities that pred gives x in process. The probabilities
// travel as JSON's shortest float32 representation, so they come back
// with the same bits.
func checkAnswer(pred *nn.Predictor, x nn.Matrix, body []byte) error {
	var got answer
	if err := json.Unmarshal(body, &got); err != nil {
		return fmt.Errorf("answer %.100q: %v", body, err)
	}
	want := nn.NewMatrix(x.Rows, classes)
	if err := pred.Probabilities(want, x); err != nil {
		return err
	}
	if len(got.Predictions) != x.Rows {
		return fmt.Errorf("%d predictions for %d rows", len(got.Predictions), x.Rows)
	}
	for i, p := range got.Predictions {
		w := want.Row(i)
		if p.Class != nn.Argmax(w) || !slices.Equal(p.Probabilities, w) {
			return fmt.Errorf("row %d: class %d, probabilities %v; want %d, %v", i, p.Class, p.Probabilities, nn.Argmax(w), w)
		}
	}
	return nil
}

// request is one POST /predict: its body, content type, and the batch
// the server should make of it.
type request struct {
	body        []byte
	contentType string
	x           nn.Matrix
}

// jsonRequest returns a batch of rows random images as JSON.
func jsonRequest(rng *rand.Rand, rows int) request {
	x := nn.NewMatrix(rows, inputs)
	for i := range x.Data {
		x.Data[i] = standardize(uint8(rng.IntN(256)))
	}
	batch := make([][]float32, rows)
	for i := range batch {
		batch[i] = x.Row(i)
	}
	body, err := json.Marshal(map[string][][]float32{"rows": batch})
	if err != nil {
		panic(err)
	}
	return request{body, "application/json", x}
}

// pngRequest returns a random 28×28 grayscale image as PNG.
func pngRequest(rng *rand.Rand) request {
	img := image.NewGray(image.Rect(0, 0, side, side))
	for i := range img.Pix {
		img.Pix[i] = uint8(rng.IntN(256))
	}
	return imageRequest(img)
}

// imageRequest returns img as a PNG request.
func imageRequest(img *image.Gray) request {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err)
	}
	x := nn.NewMatrix(1, inputs)
	for i := range side {
		for j := range side {
			x.Data[i*side+j] = standardize(img.GrayAt(j, i).Y)
		}
	}
	return request{buf.Bytes(), "image/png", x}
}

// Many concurrent requests, JSON batches and PNG images, all get the
// answers of the in-process predictor: the server loads the model it was
// given and shares one Predictor correctly.
func TestServe(t *testing.T) {
	path, model := testModel(t)
	url := startServer(t, path) + "/predict"
	pred, err := model.Predictor()
	if err != nil {
		t.Fatal(err)
	}
	const conns = 8
	requests := 2000
	if testing.Short() {
		requests = 200
	}
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: conns, MaxIdleConnsPerHost: conns}}
	defer client.CloseIdleConnections()
	latencies := make([]time.Duration, requests)
	var wg sync.WaitGroup
	start := time.Now()
	for c := range conns {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(c), 3))
			for i := c; i < requests; i += conns {
				req := pngRequest(rng)
				if i%4 != 0 {
					req = jsonRequest(rng, 1+rng.IntN(8))
				}
				if i%8 == 1 {
					req.contentType += "; charset=utf-8"
				}
				t0 := time.Now()
				resp, err := client.Post(url, req.contentType, bytes.NewReader(req.body))
				if err != nil {
					t.Error(err)
					return
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				latencies[i] = time.Since(t0)
				if err != nil {
					t.Error(err)
					return
				}
				if resp.StatusCode != http.StatusOK {
					t.Errorf("request %d (%s): %s: %s", i, req.contentType, resp.Status, body)
					return
				}
				if err := checkAnswer(pred, req.x, body); err != nil {
					t.Errorf("request %d (%s, %v): %v", i, req.contentType, req.x, err)
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(latencies)
	t.Logf("%d requests over %d connections: %.0f requests/s, latency p50 %v, p99 %v",
		requests, conns, float64(requests)/elapsed.Seconds(), latencies[requests/2], latencies[requests*99/100])
}

// Every bad request gets its 4xx status and a one-line JSON error.
func TestBadRequests(t *testing.T) {
	path, _ := testModel(t)
	base := startServer(t, path)
	rng := rand.New(rand.NewPCG(4, 5))
	row := func(v string) string { return "[" + strings.Repeat("0,", inputs-1) + v + "]" }
	rows := func(n int) string { return `{"rows": [` + strings.Repeat(row("0")+",", n-1) + row("0") + "]}" }
	small := func(w, h int) []byte {
		var buf bytes.Buffer
		png.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h)))
		return buf.Bytes()
	}
	good := pngRequest(rng).body
	for _, c := range []struct {
		name, method, path, contentType string
		body                            []byte
		status                          int
		allow                           string
	}{
		{"GET predict", "GET", "/predict", "", nil, 405, "POST"},
		{"PUT predict", "PUT", "/predict", "application/json", []byte(rows(1)), 405, "POST"},
		{"POST healthz", "POST", "/healthz", "application/json", nil, 405, "GET, HEAD"},
		{"unknown path", "GET", "/nope", "", nil, 404, ""},
		{"no content type", "POST", "/predict", "", []byte(rows(1)), 415, ""},
		{"text", "POST", "/predict", "text/plain", []byte(rows(1)), 415, ""},
		{"form", "POST", "/predict", "application/x-www-form-urlencoded", []byte("rows=1"), 415, ""},
		{"malformed JSON", "POST", "/predict", "application/json", []byte(`{"rows": [[1, 2`), 400, ""},
		{"empty body", "POST", "/predict", "application/json", nil, 400, ""},
		{"not an object", "POST", "/predict", "application/json", []byte(`[[1, 2]]`), 400, ""},
		{"rows not an array", "POST", "/predict", "application/json", []byte(`{"rows": 5}`), 400, ""},
		{"row not an array", "POST", "/predict", "application/json", []byte(`{"rows": [5]}`), 400, ""},
		{"no rows", "POST", "/predict", "application/json", []byte(`{"rows": []}`), 400, ""},
		{"null rows", "POST", "/predict", "application/json", []byte(`{"rows": null}`), 400, ""},
		{"empty object", "POST", "/predict", "application/json", []byte(`{}`), 400, ""},
		{"short row", "POST", "/predict", "application/json", []byte(`{"rows": [[` + strings.Repeat("0,", inputs-2) + "0]]}"), 400, ""},
		{"long row", "POST", "/predict", "application/json", []byte(`{"rows": [` + row("0,0") + "]}"), 400, ""},
		{"second row short", "POST", "/predict", "application/json", []byte(`{"rows": [` + row("0") + ",[0]]}"), 400, ""},
		{"overflow", "POST", "/predict", "application/json", []byte(`{"rows": [` + row("1e999") + "]}"), 400, ""},
		{"float32 overflow", "POST", "/predict", "application/json", []byte(`{"rows": [` + row("-1e39") + "]}"), 400, ""},
		{"NaN", "POST", "/predict", "application/json", []byte(`{"rows": [` + row("NaN") + "]}"), 400, ""},
		{"Infinity", "POST", "/predict", "application/json", []byte(`{"rows": [` + row("Infinity") + "]}"), 400, ""},
		{"null value", "POST", "/predict", "application/json", []byte(`{"rows": [` + row("null") + "]}"), 400, ""},
		{"string value", "POST", "/predict", "application/json", []byte(`{"rows": [` + row(`"1"`) + "]}"), 400, ""},
		{"unknown field", "POST", "/predict", "application/json", []byte(`{"rows": [` + row("0") + `], "model": "x"}`), 400, ""},
		{"data after", "POST", "/predict", "application/json", []byte(rows(1) + " {}"), 400, ""},
		{"too many rows", "POST", "/predict", "application/json", []byte(rows(maxRows + 1)), 413, ""},
		{"body over 1 MiB", "POST", "/predict", "application/json", []byte(`{"rows": [[` + strings.Repeat("0,", maxBody/2) + "0]]}"), 413, ""},
		{"PNG 27×28", "POST", "/predict", "image/png", small(27, 28), 400, ""},
		{"PNG 28×29", "POST", "/predict", "image/png", small(28, 29), 400, ""},
		{"PNG claiming 100000×100000", "POST", "/predict", "image/png", withSize(small(1, 1), 100000, 100000), 400, ""},
		{"not a PNG", "POST", "/predict", "image/png", []byte("GIF89a, or anything but a PNG"), 400, ""},
		{"JSON as PNG", "POST", "/predict", "image/png", []byte(rows(1)), 400, ""},
		{"truncated PNG", "POST", "/predict", "image/png", good[:len(good)/2], 400, ""},
		{"empty PNG", "POST", "/predict", "image/png", nil, 400, ""},
		{"PNG over 1 MiB", "POST", "/predict", "image/png", append(slices.Clip(good), make([]byte, maxBody)...), 413, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, err := http.NewRequest(c.method, base+c.path, bytes.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			if c.contentType != "" {
				req.Header.Set("Content-Type", c.contentType)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != c.status {
				t.Errorf("status %s, want %d; body %.200s", resp.Status, c.status, body)
			}
			if got := resp.Header.Get("Allow"); got != c.allow {
				t.Errorf("Allow: %q, want %q", got, c.allow)
			}
			if err := checkErrorBody(resp.Header.Get("Content-Type"), body); err != nil {
				t.Error(err)
			}
			t.Logf("%d %s", resp.StatusCode, bytes.TrimSpace(body))
		})
	}
}

// checkErrorBody returns an error unless body is one line of JSON,
// {"error": "..."} with a message, served as JSON.
func checkErrorBody(contentType string, body []byte) error {
	if contentType != "application/json" {
		return fmt.Errorf("Content-Type %q, want application/json", contentType)
	}
	if !bytes.HasSuffix(body, []byte("\n")) || bytes.Count(body, []byte("\n")) != 1 {
		return fmt.Errorf("error body %q is not one line", body)
	}
	var e map[string]any
	if err := json.Unmarshal(body, &e); err != nil {
		return fmt.Errorf("error body %q: %v", body, err)
	}
	if msg, ok := e["error"].(string); len(e) != 1 || !ok || msg == "" {
		return fmt.Errorf(`error body %q, want {"error": "..."} alone`, body)
	}
	return nil
}

// withSize returns the PNG p with the width and height in its header
// replaced, and the header's checksum updated to match: a small file that
// claims a huge image.
func withSize(p []byte, w, h uint32) []byte {
	p = slices.Clone(p)
	// The signature (8 bytes), then IHDR: length (4), type (4), width
	// (4), height (4), 5 more bytes, and the CRC of type and data.
	ihdr := p[12 : 12+4+13]
	binary.BigEndian.PutUint32(ihdr[4:], w)
	binary.BigEndian.PutUint32(ihdr[8:], h)
	binary.BigEndian.PutUint32(p[12+4+13:], crc32.ChecksumIEEE(ihdr))
	return p
}

// GET /healthz answers 200 with a JSON status.
func TestHealthz(t *testing.T) {
	path, _ := testModel(t)
	base := startServer(t, path)
	for _, method := range []string{"GET", "HEAD"} {
		req, _ := http.NewRequest(method, base+"/healthz", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := "{\"status\":\"ok\"}\n"
		if method == "HEAD" {
			want = ""
		}
		if resp.StatusCode != http.StatusOK || string(body) != want {
			t.Errorf("%s /healthz: %s %q, want 200 %q", method, resp.Status, body, want)
		}
	}
}

// Cancelling the context, as SIGINT and SIGTERM do in main, stops the
// server cleanly: serve returns nil and the port no longer answers.
func TestShutdown(t *testing.T) {
	path, _ := testModel(t)
	base, stop := serveModel(t, path)
	url := base + "/healthz"
	client := &http.Client{Transport: &http.Transport{}}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := stop(); err != nil {
		t.Fatalf("serve returned %v after the context was cancelled, want nil", err)
	}
	client.CloseIdleConnections()
	if resp, err := client.Get(url); err == nil {
		resp.Body.Close()
		t.Errorf("the server still answers after shutting down: %s", resp.Status)
	}

	// run, main's body, loads the model, listens and stops the same way.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := run(ctx, path, "127.0.0.1:0"); err != nil {
		t.Errorf("run returned %v after the context was cancelled, want nil", err)
	}
	if err := run(ctx, filepath.Join(t.TempDir(), "missing.safetensors"), "127.0.0.1:0"); err == nil {
		t.Error("run serves a model file that does not exist")
	}
	if err := run(ctx, path, "256.0.0.1:0"); err == nil || errors.Is(err, context.Canceled) {
		t.Errorf("run on an invalid address: err = %v, want the listener's error", err)
	}
}
