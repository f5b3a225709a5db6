package nn

import (
	"sync"
	"testing"
)

// Independent models trained at once on several goroutines, sharing the
// kernels' packing pools, worker goroutines and dispatch table, end with
// the same parameters, bit for bit, as the same models trained one after
// the other. Under -race (CI runs it so) this also shows that the shared
// state is properly synchronised.
func TestConcurrentTraining(t *testing.T) {
	const models = 4
	train := func(seed uint64) []float32 {
		rng := newRNG(seed)
		// The 256×256×128 products (16.8 MFLOP) are large enough to be
		// split over the GEMM workers.
		model, err := NewSequential(NewDense(2, 256, He(rng)), ReLU(), NewDense(256, 128, He(rng)), Tanh(), NewDense(128, 3, Xavier(rng)))
		if err != nil {
			t.Error(err)
			return nil
		}
		tr := &Trainer{Model: model, Loss: SoftmaxCrossEntropy{}, Optimizer: NewAdam(0.01), BatchSize: 256, Epochs: 2, RNG: rng}
		if _, err := tr.Fit(spirals(600, seed)); err != nil {
			t.Error(err)
			return nil
		}
		return paramValues(model)
	}
	want := make([][]float32, models)
	for i := range want {
		want[i] = train(uint64(100 + i))
	}
	got := make([][]float32, models)
	var wg sync.WaitGroup
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = train(uint64(100 + i))
		}()
	}
	wg.Wait()
	for i := range got {
		equalBits(t, "concurrent model", got[i], want[i])
	}
}
