// Command approx demonstrates the universal approximation theorem: a
// network with one hidden tanh layer fits the curve f(x) = sin(3x)·x on
// [−2, 2] with MSE, and the same network without its activation, a
// stack of linear maps, can only fit a straight line.
//
//	go run ./examples/approx [-hidden 32] [-epochs 3000] [-linear] [-out approx.png]
//
// It prints the fit's mean squared error and draws target and fit in a
// PNG.
package main

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"

	"github.com/simdnn/simdnn/nn"
)

// target is the function to approximate.
func target(x float64) float64 { return math.Sin(3*x) * x }

const points = 256 // samples of target on [−2, 2]

func main() {
	var (
		hidden = flag.Int("hidden", 32, "units in the hidden layer")
		epochs = flag.Int("epochs", 3000, "full-batch Adam steps")
		linear = flag.Bool("linear", false, "remove the tanh: the network becomes a linear map")
		seed   = flag.Uint64("seed", 1, "seed of the initial weights")
		out    = flag.String("out", "approx.png", "the PNG to draw target and fit in")
	)
	flag.Parse()
	mse, fit, err := run(*hidden, *epochs, *linear, *seed)
	if err == nil {
		err = plotFit(fit, *linear, mse, *out)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "approx:", err)
		os.Exit(1)
	}
	fmt.Printf("drew %s\n", *out)
}

// samples returns the inputs and targets of the fit.
func samples() nn.Data {
	d := nn.Data{X: nn.NewMatrix(points, 1), Y: nn.NewMatrix(points, 1)}
	for i := range points {
		x := -2 + 4*float64(i)/(points-1)
		d.X.Data[i] = float32(x)
		d.Y.Data[i] = float32(target(x))
	}
	return d
}

// run fits the network and returns its final mean squared error and its
// output at the sample points.
func run(hidden, epochs int, linear bool, seed uint64) (float64, nn.Matrix, error) {
	rng := rand.New(rand.NewPCG(seed, 0))
	act := nn.Tanh()
	if linear {
		act = nn.Identity()
	}
	model, err := nn.NewSequential(nn.NewDense(1, hidden, nn.Xavier(rng)), act, nn.NewDense(hidden, 1, nn.Xavier(rng)))
	if err != nil {
		return 0, nn.Matrix{}, err
	}
	// The first layer's biases spread the tanh units' centres over the
	// interval, so that each unit starts out covering a part of it.
	bias := model.Params()[1].Value
	for i := range bias {
		bias[i] = float32(4*rng.Float64() - 2)
	}
	data := samples()
	tr := &nn.Trainer{Model: model, Loss: nn.MSE{}, Optimizer: nn.NewAdam(0.01), Epochs: epochs}
	h, err := tr.Fit(data)
	if err != nil {
		return 0, nn.Matrix{}, err
	}
	fit, err := model.Forward(data.X)
	if err != nil {
		return 0, nn.Matrix{}, err
	}
	// The error of the fit drawn, after the last step (the last epoch's
	// loss is the one before it).
	final, err := nn.Evaluate(model, nn.MSE{}, data, data.Len())
	if err != nil {
		return 0, nn.Matrix{}, err
	}
	mse := final.Loss
	kind := "tanh"
	if linear {
		kind = "linear (no activation)"
	}
	fmt.Printf("1→%d→1 %s network, %d Adam steps on %d points of sin(3x)·x over [−2, 2]: MSE %.5f\n",
		hidden, kind, len(h.Epochs), points, mse)
	return mse, fit.Clone(), nil
}
