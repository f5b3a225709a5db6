package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/color"
	"image/png"
	"io"
	"math"
	"mime"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/simdnn/simdnn/nn"
)

const (
	side    = 28          // an MNIST image is side × side pixels
	inputs  = side * side // the model's input width
	classes = 10          // its output width

	maxBody = 1 << 20 // bytes of a request body
	maxRows = 256     // images of a request

	shutdownTimeout = 10 * time.Second
)

// mnistMean and mnistStd standardize a pixel as examples/mnist's data
// loader does, so that the model sees what it was trained on.
const mnistMean, mnistStd = 0.1307, 0.3081

// serve answers HTTP requests on ln with h until ctx is done, then shuts
// down gracefully: it returns nil once the requests in progress have
// finished, or an error if they take longer than shutdownTimeout.
func serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{
		Handler: h,
		// Bound what a slow or idle client can hold: the headers, a
		// body of up to 1 MiB, the answer, and a kept-alive connection.
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc: // Serve failed before any shutdown
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newHandler returns the handler of /predict and /healthz, which share
// pred.
func newHandler(pred *nn.Predictor) http.Handler {
	mux := http.NewServeMux()
	// The mux could check the methods itself ("POST /predict"), but it
	// would answer a wrong one in plain text, not in JSON.
	mux.HandleFunc("/predict", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed: POST an image or a batch")
			return
		}
		predict(w, r, pred)
	})
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed")
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such path: POST /predict, GET /healthz")
	})
	return mux
}

// prediction is the answer for one image.
type prediction struct {
	Class         int       `json:"class"`
	Probabilities []float32 `json:"probabilities"`
}

// predict answers POST /predict: it reads the batch, checks all of it,
// and only then runs the model.
func predict(w http.ResponseWriter, r *http.Request, pred *nn.Predictor) {
	body := http.MaxBytesReader(w, r.Body, maxBody)
	var (
		x   nn.Matrix
		err error
	)
	switch mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt {
	case "application/json":
		x, err = decodeRows(body)
	case "image/png":
		x, err = decodePNG(body)
	default:
		writeError(w, http.StatusUnsupportedMediaType, fmt.Sprintf("Content-Type %q: want application/json or image/png", r.Header.Get("Content-Type")))
		return
	}
	if err != nil {
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body over %d bytes", maxBody))
		case errors.Is(err, errTooManyRows):
			writeError(w, http.StatusRequestEntityTooLarge, err.Error())
		default:
			writeError(w, http.StatusBadRequest, err.Error())
		}
		return
	}
	prob := nn.NewMatrix(x.Rows, classes)
	if err := pred.Probabilities(prob, x); err != nil {
		// The batch was checked: this is the server's fault.
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	out := make([]prediction, x.Rows)
	for i := range out {
		row := prob.Row(i)
		out[i] = prediction{Class: nn.Argmax(row), Probabilities: row}
	}
	writeJSON(w, http.StatusOK, map[string][]prediction{"predictions": out})
}

// errTooManyRows answers a batch over maxRows, which is well-formed but
// more than the server takes at once.
var errTooManyRows = fmt.Errorf("more than %d rows", maxRows)

// value is one number of a row. Unlike a float32, it rejects null, which
// encoding/json would skip and leave 0, as it rejects strings, booleans
// and numbers beyond float32's range.
type value float32

// UnmarshalJSON sets v to the number b, or returns an error.
func (v *value) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 32)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return fmt.Errorf("%.20s is not a number within float32's range", b)
	}
	*v = value(f)
	return nil
}

// decodeRows reads a JSON batch, {"rows": [[784 numbers], ...]}, and
// returns it as a Matrix, or an error that says what is wrong with it.
func decodeRows(body io.Reader) (nn.Matrix, error) {
	var req struct {
		Rows [][]value `json:"rows"`
	}
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err == io.EOF {
		return nn.Matrix{}, errors.New(`empty body: want {"rows": [[784 numbers], ...]}`)
	} else if err != nil {
		return nn.Matrix{}, jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("data after the JSON object")
		}
		return nn.Matrix{}, jsonError(err)
	}
	switch n := len(req.Rows); {
	case n == 0:
		return nn.Matrix{}, errors.New(`no rows: want {"rows": [[784 numbers], ...]}`)
	case n > maxRows:
		return nn.Matrix{}, fmt.Errorf("%w: %d", errTooManyRows, n)
	}
	x := nn.NewMatrix(len(req.Rows), inputs)
	for i, row := range req.Rows {
		if len(row) != inputs {
			return nn.Matrix{}, fmt.Errorf("row %d has %d numbers, want %d", i, len(row), inputs)
		}
		for j, v := range row {
			x.Data[i*inputs+j] = float32(v)
		}
	}
	return x, nil
}

// jsonError returns the error of a malformed JSON body; a body cut short
// by MaxBytesReader keeps its *http.MaxBytesError for errors.As.
func jsonError(err error) error {
	var (
		tooLarge *http.MaxBytesError
		typeErr  *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &tooLarge):
		return err
	case errors.As(err, &typeErr):
		// Its own message names this program's Go types.
		at := ""
		if typeErr.Field != "" {
			at = " in " + strconv.Quote(typeErr.Field)
		}
		return fmt.Errorf(`malformed JSON: unexpected %s%s, want {"rows": [[784 numbers], ...]}`, typeErr.Value, at)
	}
	return fmt.Errorf("malformed JSON: %w", err)
}

// decodePNG reads one side×side PNG image and returns its pixels as a
// 1×inputs Matrix, standardized as examples/mnist standardizes MNIST's.
func decodePNG(body io.Reader) (nn.Matrix, error) {
	data, err := io.ReadAll(body)
	if err != nil {
		return nn.Matrix{}, err
	}
	// Check the size before decoding: a small file may claim a huge
	// image, which Decode would allocate.
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nn.Matrix{}, fmt.Errorf("not a PNG image: %w", err)
	}
	if cfg.Width != side || cfg.Height != side {
		return nn.Matrix{}, fmt.Errorf("image is %d×%d, want %d×%d", cfg.Width, cfg.Height, side, side)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nn.Matrix{}, fmt.Errorf("not a PNG image: %w", err)
	}
	x := nn.NewMatrix(1, inputs)
	b := img.Bounds()
	for i := range side {
		for j := range side {
			p := color.GrayModel.Convert(img.At(b.Min.X+j, b.Min.Y+i)).(color.Gray).Y
			x.Data[i*side+j] = (float32(p)/255 - mnistMean) / mnistStd
		}
	}
	return x, nil
}

// writeJSON writes v as the JSON answer, with the status code.
func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v) // an error here is the client's broken connection
}

// writeError answers {"error": msg} on one line: Encode escapes any
// newline in msg and ends the line.
func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}
