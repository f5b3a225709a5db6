package fallback

// SGDMomentum sets v = momentum·v + g, then w −= lr·v (PyTorch's SGD with
// momentum, no dampening, no Nesterov).
func SGDMomentum(w, v, g []float32, lr, momentum float32) {
	v, g = v[:len(w)], g[:len(w)]
	for i := range w {
		vi := momentum*v[i] + g[i]
		v[i] = vi
		w[i] -= lr * vi
	}
}
