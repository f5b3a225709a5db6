package fallback

// The SGD steps of torch.optim.SGD, one function for each form of the
// update, so that no loop tests an option per element: L2 adds the weight
// decay wd·w to the gradient; Momentum keeps a velocity v, Dampened scales
// the gradient's share of it by damp = 1 − dampening, Nesterov steps along
// the gradient plus momentum·v. lr, momentum, damp and wd are the float32
// roundings of PyTorch's float64 hyper-parameters. v and g must be as long
// as w.
//
// Where the Go compiler fuses a product into a sum (on arm64, and on
// amd64 from GOAMD64=v3), the vector kernels that promise the fallback's
// bits fuse the same ones. The conversion in the dampened sum says which
// of its two products is rounded on its own: damp·d, as PyTorch's add_
// with alpha rounds it.

// SGD sets w −= lr·g.
func SGD(w, g []float32, lr float32) {
	g = g[:len(w)]
	for i := range w {
		w[i] -= lr * g[i]
	}
}

// SGDL2 sets w −= lr·(g + wd·w).
func SGDL2(w, g []float32, lr, wd float32) {
	g = g[:len(w)]
	for i := range w {
		d := g[i] + wd*w[i]
		w[i] -= lr * d
	}
}

// SGDMomentum sets v = momentum·v + g, then w −= lr·v.
func SGDMomentum(w, v, g []float32, lr, momentum float32) {
	v, g = v[:len(w)], g[:len(w)]
	for i := range w {
		vi := momentum*v[i] + g[i]
		v[i] = vi
		w[i] -= lr * vi
	}
}

// SGDMomentumL2 sets d = g + wd·w, v = momentum·v + d, then w −= lr·v.
func SGDMomentumL2(w, v, g []float32, lr, momentum, wd float32) {
	v, g = v[:len(w)], g[:len(w)]
	for i := range w {
		d := g[i] + wd*w[i]
		vi := momentum*v[i] + d
		v[i] = vi
		w[i] -= lr * vi
	}
}

// SGDDampened sets v = momentum·v + damp·g, then w −= lr·v.
func SGDDampened(w, v, g []float32, lr, momentum, damp float32) {
	v, g = v[:len(w)], g[:len(w)]
	for i := range w {
		vi := momentum*v[i] + float32(damp*g[i])
		v[i] = vi
		w[i] -= lr * vi
	}
}

// SGDDampenedL2 sets d = g + wd·w, v = momentum·v + damp·d, then
// w −= lr·v.
func SGDDampenedL2(w, v, g []float32, lr, momentum, damp, wd float32) {
	v, g = v[:len(w)], g[:len(w)]
	for i := range w {
		d := g[i] + wd*w[i]
		vi := momentum*v[i] + float32(damp*d)
		v[i] = vi
		w[i] -= lr * vi
	}
}

// SGDNesterov sets v = momentum·v + g, then w −= lr·(g + momentum·v).
func SGDNesterov(w, v, g []float32, lr, momentum float32) {
	v, g = v[:len(w)], g[:len(w)]
	for i := range w {
		gi := g[i]
		vi := momentum*v[i] + gi
		v[i] = vi
		w[i] -= lr * (gi + momentum*vi)
	}
}

// SGDNesterovL2 sets d = g + wd·w, v = momentum·v + d, then
// w −= lr·(d + momentum·v).
func SGDNesterovL2(w, v, g []float32, lr, momentum, wd float32) {
	v, g = v[:len(w)], g[:len(w)]
	for i := range w {
		d := g[i] + wd*w[i]
		vi := momentum*v[i] + d
		v[i] = vi
		w[i] -= lr * (d + momentum*vi)
	}
}
