// Command serve answers HTTP requests with the predictions of the MNIST
// model that examples/mnist trains, through one nn.Predictor that all
// requests share.
//
//	go run ./examples/mnist    # trains the model, saves mnist-out/mnist.safetensors
//	go run ./examples/serve -model mnist-out/mnist.safetensors -addr 127.0.0.1:8080
//
// POST /predict takes a batch of images, as JSON or as one PNG, chosen by
// the Content-Type header.
//
// With Content-Type application/json, the body is an object whose "rows"
// hold 1 to 256 images, each 784 numbers: the 28×28 pixels row by row,
// standardized as examples/mnist feeds them to the model, (p/255 −
// 0.1307)/0.3081 for a pixel p from 0 (background) to 255 (ink). A blank
// image is 784 times −0.42421296:
//
//	python3 -c 'import json; print(json.dumps({"rows": [[-0.42421296] * 784]}))' |
//		curl -H 'Content-Type: application/json' --data-binary @- http://127.0.0.1:8080/predict
//
// With Content-Type image/png, the body is one 28×28 PNG image, a light
// digit on a dark background as in MNIST; the server converts it to 8-bit
// gray (transparent pixels count as black) and standardizes it itself:
//
//	curl -H 'Content-Type: image/png' --data-binary @digit.png http://127.0.0.1:8080/predict
//
// Both answer with one prediction per image, in order: the ten class
// probabilities (the softmax of the model's output) and the class of the
// largest:
//
//	{"predictions":[{"class":7,"probabilities":[0.0001,...,0.9987,...]}]}
//
// GET /healthz answers {"status":"ok"}. A bad request gets a 4xx status
// and a one-line JSON object {"error":"..."}, and never reaches the
// model: 400 for malformed JSON, no rows, a row that is not 784 numbers
// within float32's range, or an image that is not a 28×28 PNG; 405 for a
// method other than POST (GET or HEAD for /healthz); 413 for a body over
// 1 MiB or more than 256 rows; 415 for another Content-Type.
//
// SIGINT or SIGTERM stops the server: it stops accepting connections and
// waits up to 10 seconds for the requests in progress to finish.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/simdnn/simdnn/nn"
)

func main() {
	var (
		model = flag.String("model", "mnist-out/mnist.safetensors", "the model examples/mnist saved")
		addr  = flag.String("addr", "127.0.0.1:8080", "the address to listen on")
	)
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *model, *addr); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
}

// run loads the model at modelPath and serves it on addr until ctx is
// done.
func run(ctx context.Context, modelPath, addr string) error {
	pred, err := loadPredictor(modelPath)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	log.Printf("serving %s on http://%s", modelPath, ln.Addr())
	err = serve(ctx, ln, newHandler(pred))
	log.Print("stopped")
	return err
}

// loadPredictor reads the model that examples/mnist saved at path into
// the same architecture and returns its Predictor.
func loadPredictor(path string) (*nn.Predictor, error) {
	model, err := newMLP()
	if err != nil {
		return nil, err
	}
	if err := model.Load(path); err != nil {
		return nil, err
	}
	return model.Predictor()
}

// newMLP returns the architecture of examples/mnist's model, 784→256 ReLU
// →128 ReLU →10, with zero weights for Load to fill.
func newMLP() (*nn.Sequential, error) {
	return nn.NewSequential(
		nn.NewDense(inputs, 256, nil), nn.ReLU(),
		nn.NewDense(256, 128, nil), nn.ReLU(),
		nn.NewDense(128, classes, nil),
	)
}
