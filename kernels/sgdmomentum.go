package kernels

// SGDMomentum applies one step of gradient descent with momentum as
// PyTorch's SGD defines it (no dampening, no Nesterov):
//
//	v = momentum·v + g
//	w = w − lr·v
//
// updating w and the velocity v in place; g is the gradient. Start v at
// zeros: the first step then sets v = g, PyTorch's "buffer starts at the
// first gradient". With momentum = 0 this is plain gradient descent. All
// three slices have the same length. Long slices are split over goroutines
// as Sgemm's products are (SetThreads); the results do not depend on it.
func SGDMomentum(w, v, g []float32, lr, momentum float32) {
	checkLen("SGDMomentum", "v", len(v), "w", len(w))
	checkLen("SGDMomentum", "g", len(g), "w", len(w))
	raceRead(g)
	raceRead(v)
	raceWrite(v)
	raceRead(w)
	raceWrite(w)
	if !splitOptim(momentumUpdate, w, nil, v, g, lr, momentum, 0, 0, 0) {
		active.sgdMomentum(w, v, g, lr, momentum)
	}
}
