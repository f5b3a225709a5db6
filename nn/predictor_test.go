package nn

import (
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// mnistModel returns the 784→256→128→10 ReLU model of examples/mnist with
// seeded weights and biases.
func mnistModel(seed uint64) *Sequential {
	rng := newRNG(seed)
	m, err := NewSequential(
		NewDense(784, 256, He(rng)), ReLU(),
		NewDense(256, 128, He(rng)), ReLU(),
		NewDense(128, 10, Xavier(rng)),
	)
	if err != nil {
		panic(err)
	}
	randomBiases(m, seed)
	return m
}

// randomBiases sets every bias of m to a seeded value in [−0.5, 0.5):
// NewDense leaves them zero, which would not show a bias applied twice or
// not at all.
func randomBiases(m *Sequential, seed uint64) {
	rng := newRNG(seed + 1000)
	for _, p := range m.Params() {
		if p.Name == "bias" {
			for i := range p.Value {
				p.Value[i] = float32(rng.Float64() - 0.5)
			}
		}
	}
}

// predictorModels returns models of several shapes that together hold
// every layer a Predictor runs: each activation fused and not, softmax
// inside and at the end, nested Sequentials, leading activations, and no
// Dense layer at all.
func predictorModels() map[string]*Sequential {
	models := map[string]*Sequential{"mnist": mnistModel(1)}
	add := func(name string, layers ...Layer) {
		m, err := NewSequential(layers...)
		if err != nil {
			panic(err)
		}
		randomBiases(m, uint64(len(models)))
		models[name] = m
	}
	rng := newRNG(2)
	add("leaky softmax", NewDense(5, 7, He(rng)), LeakyReLU(0.1), NewDense(7, 3, Xavier(rng)), Softmax())
	add("tanh sigmoid", NewDense(13, 9, Xavier(rng)), Tanh(), NewDense(9, 16, Xavier(rng)), Sigmoid(), NewDense(16, 4, Xavier(rng)))
	inner, err := NewSequential(NewDense(9, 16, Xavier(rng)), Sigmoid(), NewDense(16, 6, He(rng)), LeakyReLU(0.01))
	if err != nil {
		panic(err)
	}
	// LeakyReLU(−0.5) and LeakyReLU(0) do not fuse; neither does an
	// activation after a nested Sequential; Identity passes through.
	add("nested", NewDense(13, 9, Xavier(rng)), Tanh(), inner, LeakyReLU(-0.5), Identity(),
		NewDense(6, 6, He(rng)), LeakyReLU(0), Softmax(), NewDense(6, 2, Xavier(rng)), Identity())
	add("leading activation", Sigmoid(), NewDense(6, 8, He(rng)), ReLU(), Identity(), NewDense(8, 5, Xavier(rng)), Softmax(), Identity())
	add("no Dense", Tanh(), Identity(), Softmax())
	add("one Dense", NewDense(30, 1, Xavier(rng)))
	return models
}

// inputCols returns the width of the batches the tests give m.
func inputCols(m *Sequential) int {
	if m.InputCols() == 0 {
		return 11
	}
	return m.InputCols()
}

// outputCols returns the width of m's output for inputCols(m) columns.
func outputCols(m *Sequential) int {
	if m.InputCols() == 0 {
		return inputCols(m)
	}
	return m.OutputCols()
}

// batchSizes are the batch sizes the tests run: every size up to 17, the
// edges of the kernels' small-batch paths, and a training batch.
var batchSizes = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 64}

// testBatch returns a seeded batch with values in [−3, 3), a few of them
// large enough to saturate tanh and sigmoid.
func testBatch(seed uint64, rows, cols int) Matrix {
	rng := newRNG(seed)
	x := randMatrix(rng, rows, cols)
	for i := range x.Data {
		x.Data[i] *= 3
	}
	x.Data[rng.IntN(len(x.Data))] = 40
	return x
}

// endsInSoftmax names the models of predictorModels whose output is a
// softmax already, which Probabilities leaves as it is.
var endsInSoftmax = map[string]bool{"leaky softmax": true, "leading activation": true, "no Dense": true}

// The Predictor's outputs equal the model's Forward on the same batch, bit
// for bit, and its probabilities and classes follow from them.
func TestPredictorMatchesForward(t *testing.T) {
	for name, model := range predictorModels() {
		p, err := model.Predictor()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if p.InputCols() != model.InputCols() || p.OutputCols() != model.OutputCols() {
			t.Errorf("%s: Predictor widths %d→%d, model %d→%d", name, p.InputCols(), p.OutputCols(), model.InputCols(), model.OutputCols())
		}
		for _, rows := range batchSizes {
			what := fmt.Sprintf("%s, batch %d", name, rows)
			x := testBatch(uint64(rows), rows, inputCols(model))
			want, err := model.Forward(x)
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			got := NewMatrix(rows, outputCols(model))
			if err := p.Predict(got, x); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if len(want.Data) != len(got.Data) {
				t.Fatalf("%s: Forward gives %v, Predict %v", what, want, got)
			}
			equalBits(t, what+": Predict", got.Data, want.Data)

			classes := make([]int, rows)
			if err := p.Classes(classes, x); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			for i, c := range classes {
				if w := Argmax(want.Row(i)); c != w {
					t.Fatalf("%s: class of row %d is %d, want %d", what, i, c, w)
				}
			}

			prob := NewMatrix(rows, outputCols(model))
			if err := p.Probabilities(prob, x); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			wantProb := want
			if !endsInSoftmax[name] {
				wantProb, _ = Softmax().Forward(want)
			}
			equalBits(t, what+": Probabilities", prob.Data, wantProb.Data)
		}
	}
}

// refForward runs model on x in float64, with obviously correct loops and
// the math package's functions: the oracle independent of the kernels.
func refForward(model *Sequential, x []float64, rows, cols int) ([]float64, int) {
	for _, l := range model.Layers() {
		switch l := l.(type) {
		case *Dense:
			y := make([]float64, rows*l.Out)
			for i := range rows {
				for j := range l.Out {
					s := float64(l.Bias.Value[j])
					for k := range l.In {
						s += x[i*l.In+k] * float64(l.Weight.Value[j*l.In+k])
					}
					y[i*l.Out+j] = s
				}
			}
			x, cols = y, l.Out
		case *Activation:
			y := make([]float64, len(x))
			for i, v := range x {
				switch l.kind {
				case actReLU:
					y[i] = math.Max(v, 0)
				case actLeakyReLU:
					y[i] = v
					if v < 0 {
						y[i] = float64(l.slope) * v
					}
				case actTanh:
					y[i] = math.Tanh(v)
				case actSigmoid:
					y[i] = 1 / (1 + math.Exp(-v))
				default:
					y[i] = v
				}
			}
			if l.kind == actSoftmax {
				for r := range rows {
					row, out := x[r*cols:(r+1)*cols], y[r*cols:(r+1)*cols]
					m := math.Inf(-1)
					for _, v := range row {
						m = math.Max(m, v)
					}
					sum := 0.0
					for j, v := range row {
						out[j] = math.Exp(v - m)
						sum += out[j]
					}
					for j := range out {
						out[j] /= sum
					}
				}
			}
			x = y
		case *Sequential:
			x, cols = refForward(l, x, rows, cols)
		default:
			panic(fmt.Sprintf("refForward: %T", l))
		}
	}
	return x, cols
}

// The Predictor agrees with the float64 reference within float32's
// rounding: the bit-identity with Forward is not identity with a wrong
// answer.
func TestPredictorReference(t *testing.T) {
	models := predictorModels()
	for _, name := range []string{"mnist", "nested", "leaky softmax"} {
		model := models[name]
		p, err := model.Predictor()
		if err != nil {
			t.Fatal(err)
		}
		for _, rows := range []int{1, 7, 64} {
			x := testBatch(uint64(100+rows), rows, inputCols(model))
			x64 := make([]float64, len(x.Data))
			for i, v := range x.Data {
				x64[i] = float64(v)
			}
			want, _ := refForward(model, x64, rows, x.Cols)
			got := NewMatrix(rows, outputCols(model))
			if err := p.Predict(got, x); err != nil {
				t.Fatal(err)
			}
			assertClose(t, fmt.Sprintf("%s, batch %d", name, rows), got.Data, want, 1e-4)
		}
	}
}

// Many goroutines sharing one Predictor, each running batches of every
// size, get the outputs one goroutine got alone. Under -race this also
// shows the Predictor needs no synchronisation beyond its own.
func TestPredictorConcurrent(t *testing.T) {
	model := mnistModel(3)
	p, err := model.Predictor()
	if err != nil {
		t.Fatal(err)
	}
	inputs := make([]Matrix, len(batchSizes))
	want := make([]Matrix, len(batchSizes))
	for i, rows := range batchSizes {
		inputs[i] = testBatch(uint64(200+i), rows, 784)
		want[i] = NewMatrix(rows, 10)
		if err := p.Predict(want[i], inputs[i]); err != nil {
			t.Fatal(err)
		}
	}
	const goroutines = 8
	rounds := 20
	if testing.Short() {
		rounds = 2
	}
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			got := make([]Matrix, len(batchSizes))
			for i, rows := range batchSizes {
				got[i] = NewMatrix(rows, 10)
			}
			classes := make([]int, 64)
			for r := range rounds {
				// Each goroutine walks the sizes from its own
				// start, so that different sizes run at once.
				for k := range batchSizes {
					i := (k + g + r) % len(batchSizes)
					if err := p.Predict(got[i], inputs[i]); err != nil {
						t.Error(err)
						return
					}
					for j := range got[i].Data {
						if math.Float32bits(got[i].Data[j]) != math.Float32bits(want[i].Data[j]) {
							t.Errorf("goroutine %d, batch %d: output[%d] = %v, want %v", g, batchSizes[i], j, got[i].Data[j], want[i].Data[j])
							return
						}
					}
					c := classes[:batchSizes[i]]
					if err := p.Classes(c, inputs[i]); err != nil {
						t.Error(err)
						return
					}
					for j, class := range c {
						if w := Argmax(want[i].Row(j)); class != w {
							t.Errorf("goroutine %d, batch %d: class of row %d = %d, want %d", g, batchSizes[i], j, class, w)
							return
						}
					}
				}
			}
		})
	}
	wg.Wait()
}

// A Predictor keeps the weights it was built with: training the model,
// or loading other weights into it, does not change its outputs; a new
// Predictor serves the new weights.
func TestPredictorKeepsWeights(t *testing.T) {
	model := mnistModel(4)
	p, err := model.Predictor()
	if err != nil {
		t.Fatal(err)
	}
	x := testBatch(5, 32, 784)
	before := NewMatrix(32, 10)
	if err := p.Predict(before, x); err != nil {
		t.Fatal(err)
	}
	tr := &Trainer{Model: model, Loss: SoftmaxCrossEntropy{}, Optimizer: NewAdam(0.01)}
	d := Data{X: x, Labels: make([]int32, 32)}
	for range 3 {
		if _, err := tr.Step(d); err != nil {
			t.Fatal(err)
		}
	}
	trained, err := model.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	after := NewMatrix(32, 10)
	if err := p.Predict(after, x); err != nil {
		t.Fatal(err)
	}
	equalBits(t, "after training", after.Data, before.Data)
	if same(trained.Data, before.Data) {
		t.Fatal("training did not change the model's output: the test shows nothing")
	}

	fresh, err := model.Predictor()
	if err != nil {
		t.Fatal(err)
	}
	if err := fresh.Predict(after, x); err != nil {
		t.Fatal(err)
	}
	equalBits(t, "new Predictor", after.Data, trained.Data)
}

// same reports whether a and b hold the same bits.
func same(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

// Once a batch size has been seen, Predict, Probabilities and Classes
// allocate nothing.
func TestPredictorAllocs(t *testing.T) {
	if asanBuild() {
		t.Skip("allocation counts mean nothing under -asan, where the runtime allocates where it otherwise does not")
	}
	// One goroutine's calls could get a buffer the freelist spilled to
	// its sync.Pool, which a GC may empty; on a single P none spills.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	for _, name := range []string{"mnist", "nested", "no Dense"} {
		model := predictorModels()[name]
		p, err := model.Predictor()
		if err != nil {
			t.Fatal(err)
		}
		for _, rows := range []int{1, 8, 64} {
			x := testBatch(6, rows, inputCols(model))
			y := NewMatrix(rows, outputCols(model))
			classes := make([]int, rows)
			for _, c := range []struct {
				op string
				fn func() error
			}{
				{"Predict", func() error { return p.Predict(y, x) }},
				{"Probabilities", func() error { return p.Probabilities(y, x) }},
				{"Classes", func() error { return p.Classes(classes, x) }},
			} {
				if err := c.fn(); err != nil {
					t.Fatal(err)
				}
				if n := testing.AllocsPerRun(20, func() {
					if err := c.fn(); err != nil {
						t.Fatal(err)
					}
				}); n != 0 {
					t.Errorf("%s, batch %d: %s allocates %v times", name, rows, c.op, n)
				}
			}
		}
	}
}

// customLayer is a user's own layer, which a Predictor refuses to share.
type customLayer struct{}

func (customLayer) Forward(x Matrix) (Matrix, error)           { return x, nil }
func (customLayer) Backward(dy Matrix, _ bool) (Matrix, error) { return dy, nil }
func (customLayer) Params() []*Param                           { return nil }
func (customLayer) Widths(in int) (int, int)                   { return in, in }
func (customLayer) String() string                             { return "Custom" }

// Bad input gives an error that names the method and the shapes, never a
// panic, and leaves the destination unchanged.
func TestPredictorErrors(t *testing.T) {
	model := mnistModel(7)
	p, err := model.Predictor()
	if err != nil {
		t.Fatal(err)
	}
	x := NewMatrix(3, 784)
	for _, c := range []struct {
		name string
		err  func() error
		want string
	}{
		{"wide input", func() error { return p.Predict(NewMatrix(3, 10), NewMatrix(3, 785)) }, "nn.Predictor.Predict: input is 3×785, want cols = 784"},
		{"narrow input", func() error { return p.Probabilities(NewMatrix(3, 10), NewMatrix(3, 783)) }, "nn.Predictor.Probabilities: input is 3×783, want cols = 784"},
		{"Classes input", func() error { return p.Classes(make([]int, 3), NewMatrix(3, 10)) }, "nn.Predictor.Classes: input is 3×10, want cols = 784"},
		{"empty batch", func() error { return p.Predict(NewMatrix(0, 10), NewMatrix(0, 784)) }, "nn.Predictor.Predict: empty batch (input is 0×784)"},
		{"Classes empty batch", func() error { return p.Classes(nil, NewMatrix(0, 784)) }, "nn.Predictor.Classes: empty batch"},
		{"zero input", func() error { return p.Predict(NewMatrix(1, 10), Matrix{}) }, "nn.Predictor.Predict: input is 0×0, want cols = 784"},
		{"short input", func() error {
			return p.Predict(NewMatrix(2, 10), Matrix{Rows: 2, Cols: 784, Data: make([]float32, 784)})
		}, "nn.Predictor.Predict: input 2×784 has len(Data)=784, want 1568"},
		{"negative rows", func() error {
			return p.Predict(NewMatrix(2, 10), Matrix{Rows: -2, Cols: 784, Data: nil})
		}, "nn.Predictor.Predict: input -2×784 has len(Data)=0"},
		{"nil destination", func() error { return p.Predict(Matrix{}, x) }, "nn.Predictor.Predict: destination is 0×0, want 3×10 for input 3×784"},
		{"short destination", func() error {
			return p.Predict(Matrix{Rows: 3, Cols: 10, Data: make([]float32, 29)}, x)
		}, "nn.Predictor.Predict: destination 3×10 has len(Data)=29, want 30"},
		{"destination rows", func() error { return p.Predict(NewMatrix(2, 10), x) }, "destination is 2×10, want 3×10"},
		{"destination cols", func() error { return p.Probabilities(NewMatrix(3, 11), x) }, "nn.Predictor.Probabilities: destination is 3×11, want 3×10"},
		{"transposed destination", func() error { return p.Predict(NewMatrix(10, 3), x) }, "destination is 10×3, want 3×10"},
		{"nil classes", func() error { return p.Classes(nil, x) }, "nn.Predictor.Classes: len(dst)=0, want 3 (the rows of the input, 3×784)"},
		{"short classes", func() error { return p.Classes(make([]int, 2), x) }, "len(dst)=2, want 3"},
		{"long classes", func() error { return p.Classes(make([]int, 4), x) }, "len(dst)=4, want 3"},
		{"custom layer", func() error {
			m, err := NewSequential(NewDense(4, 4, nil), ReLU(), customLayer{}, NewDense(4, 2, nil))
			if err != nil {
				return err
			}
			_, err = m.Predictor()
			return err
		}, "nn.Sequential.Predictor: layer 2, Custom, is a nn.customLayer"},
		{"nested custom layer", func() error {
			inner, _ := NewSequential(NewDense(4, 4, nil), Tanh(), customLayer{})
			m, err := NewSequential(NewDense(3, 4, nil), inner)
			if err != nil {
				return err
			}
			_, err = m.Predictor()
			return err
		}, "nn.Sequential.Predictor: layer 1.2, Custom, is a nn.customLayer"},
		{"malformed Dense", func() error {
			m, _ := NewSequential(NewDense(4, 3, nil), ReLU(), NewDense(3, 2, nil))
			m.Layers()[2].(*Dense).Weight.Value = make([]float32, 5)
			_, err := m.Predictor()
			return err
		}, "nn.Sequential.Predictor: layer 2, Dense(3→2), is malformed"},
		{"nil Activation", func() error {
			m, err := NewSequential((*Activation)(nil), NewDense(4, 3, nil))
			if err != nil {
				return err
			}
			_, err = m.Predictor()
			return err
		}, "nn.Sequential.Predictor: layer 0 is a nil *nn.Activation"},
		{"changed output width", func() error {
			m, _ := NewSequential(NewDense(4, 3, nil), ReLU(), NewDense(3, 2, nil))
			d := m.Layers()[2].(*Dense)
			d.Out, d.Weight.Value, d.Bias.Value = 5, make([]float32, 15), make([]float32, 5)
			p, err := m.Predictor()
			if err != nil {
				return err
			}
			return p.Predict(NewMatrix(1, 2), NewMatrix(1, 4))
		}, "nn.Predictor.Predict: destination is 1×2, want 1×5"},
		{"changed Dense width", func() error {
			m, _ := NewSequential(NewDense(4, 3, nil), ReLU(), NewDense(3, 2, nil))
			d := m.Layers()[2].(*Dense)
			d.In, d.Weight.Value = 5, make([]float32, 10)
			_, err := m.Predictor()
			return err
		}, "nn.Sequential.Predictor: layer 2, Dense(5→2), takes 5 columns but gets 3"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.err()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want it to contain %q", err, c.want)
			}
		})
	}

	// The destination is unchanged by a failed call.
	dst := NewMatrix(3, 10)
	dst.Data[0] = 42
	if err := p.Predict(dst, NewMatrix(3, 785)); err == nil || dst.Data[0] != 42 {
		t.Errorf("err = %v, dst[0] = %v after a bad input, want an error and 42", err, dst.Data[0])
	}
	classes := []int{42, 42, 42}
	if err := p.Classes(classes, Matrix{Rows: 3, Cols: 784}); err == nil || classes[0] != 42 {
		t.Errorf("err = %v, classes[0] = %v after a bad input, want an error and 42", err, classes[0])
	}
}

// benchModel is the MNIST model the benchmarks run.
func benchModel() *Sequential { return mnistModel(8) }

// BenchmarkPredict measures one Predictor shared by GOMAXPROCS goroutines
// (-cpu 1,2 shows how it scales), in samples per second over all of them.
func BenchmarkPredict(b *testing.B) {
	p, err := benchModel().Predictor()
	if err != nil {
		b.Fatal(err)
	}
	for _, rows := range []int{1, 8, 64} {
		b.Run(fmt.Sprintf("batch=%d", rows), func(b *testing.B) {
			x := testBatch(9, rows, 784)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				y := NewMatrix(rows, 10)
				for pb.Next() {
					if err := p.Predict(y, x); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N*rows)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

// BenchmarkSequentialForward measures the model's own Forward the way a
// server would have to use it without a Predictor: one copy of the model
// per goroutine.
func BenchmarkSequentialForward(b *testing.B) {
	for _, rows := range []int{1, 8, 64} {
		b.Run(fmt.Sprintf("batch=%d", rows), func(b *testing.B) {
			x := testBatch(9, rows, 784)
			models := make(chan *Sequential, runtime.GOMAXPROCS(0))
			for range cap(models) {
				models <- benchModel()
			}
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				model := <-models
				for pb.Next() {
					if _, err := model.Forward(x); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N*rows)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}
