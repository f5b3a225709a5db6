package nn

import (
	"math"
	"math/rand/v2"
)

// Initializer fills the weights w of a layer with in inputs and out
// outputs (len(w) = in·out) with their initial values.
type Initializer func(w []float32, in, out int)

// He returns the initializer of He et al. (2015) for layers followed by
// ReLU or leaky ReLU: normal with mean 0 and standard deviation √(2/in),
// PyTorch's kaiming_normal_ with its defaults. Values are drawn from rng,
// so a seeded source gives the same model on every run.
func He(rng *rand.Rand) Initializer {
	return func(w []float32, in, out int) {
		std := math.Sqrt(2 / float64(in))
		for i := range w {
			w[i] = float32(rng.NormFloat64() * std)
		}
	}
}

// Xavier returns the initializer of Glorot and Bengio (2010) for layers
// followed by tanh, sigmoid or nothing: uniform on ±√(6/(in+out)),
// PyTorch's xavier_uniform_. Values are drawn from rng.
func Xavier(rng *rand.Rand) Initializer {
	return func(w []float32, in, out int) {
		a := math.Sqrt(6 / float64(in+out))
		for i := range w {
			w[i] = float32((2*rng.Float64() - 1) * a)
		}
	}
}
