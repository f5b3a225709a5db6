package fallback

import "math"

// The Adam steps of torch.optim.Adam and AdamW, one function for each
// form of the update, so that no loop tests an option per element. With
// the scalars of internal/adam.NewScalars (b1 = β₁, omb1 = 1−β₁, b2 = β₂,
// omb2 = 1−β₂, size = lr/(1−β₁ᵗ), c = 1/√(1−β₂ᵗ)), every one computes
//
//	m = b1·m + omb1·g
//	v = b2·v + (omb2·g)·g
//	w = w − (size·m) / (√v·c + eps)
//
// L2 first adds the weight decay to the gradient, g = g + wd·w (Adam's
// weight_decay); W first decays the weight, w = w·decay with decay =
// 1 − lr·wd (AdamW's); AMSGrad keeps vmax = max(vmax, v), NaN if either
// is, and divides by its root instead of v's. m, v, vmax and g must be as
// long as w.
//
// Where the Go compiler fuses a product into a sum (on arm64, and on
// amd64 from GOAMD64=v3), the vector kernels that promise the fallback's
// bits fuse the same ones. The conversions say which: of the two
// products of m's and v's sums, the second is rounded on its own and the
// first fused; w·decay is rounded on its own, as PyTorch's mul_ rounds
// it, and not fused into the subtraction.

// Adam applies one step of Adam.
func Adam(w, m, v, g []float32, b1, omb1, b2, omb2, size, c, eps float32) {
	m, v, g = m[:len(w)], v[:len(w)], g[:len(w)]
	for i := range w {
		gi := g[i]
		mi := b1*m[i] + float32(omb1*gi)
		vi := b2*v[i] + float32(omb2*gi*gi)
		m[i], v[i] = mi, vi
		w[i] -= size * mi / (float32(math.Sqrt(float64(vi)))*c + eps)
	}
}

// AdamL2 applies one step of Adam with weight decay: g + wd·w for g.
func AdamL2(w, m, v, g []float32, b1, omb1, b2, omb2, size, c, eps, wd float32) {
	m, v, g = m[:len(w)], v[:len(w)], g[:len(w)]
	for i := range w {
		wi := w[i]
		gi := g[i] + wd*wi
		mi := b1*m[i] + float32(omb1*gi)
		vi := b2*v[i] + float32(omb2*gi*gi)
		m[i], v[i] = mi, vi
		w[i] = wi - size*mi/(float32(math.Sqrt(float64(vi)))*c+eps)
	}
}

// AdamW applies one step of AdamW: w·decay for w.
func AdamW(w, m, v, g []float32, b1, omb1, b2, omb2, size, c, eps, decay float32) {
	m, v, g = m[:len(w)], v[:len(w)], g[:len(w)]
	for i := range w {
		gi := g[i]
		mi := b1*m[i] + float32(omb1*gi)
		vi := b2*v[i] + float32(omb2*gi*gi)
		m[i], v[i] = mi, vi
		w[i] = float32(w[i]*decay) - size*mi/(float32(math.Sqrt(float64(vi)))*c+eps)
	}
}

// AdamAMSGrad applies one step of Adam with AMSGrad.
func AdamAMSGrad(w, m, v, vmax, g []float32, b1, omb1, b2, omb2, size, c, eps float32) {
	m, v, vmax, g = m[:len(w)], v[:len(w)], vmax[:len(w)], g[:len(w)]
	for i := range w {
		gi := g[i]
		mi := b1*m[i] + float32(omb1*gi)
		vi := b2*v[i] + float32(omb2*gi*gi)
		vm := max(vmax[i], vi)
		m[i], v[i], vmax[i] = mi, vi, vm
		w[i] -= size * mi / (float32(math.Sqrt(float64(vm)))*c + eps)
	}
}

// AdamL2AMSGrad applies one step of Adam with weight decay and AMSGrad.
func AdamL2AMSGrad(w, m, v, vmax, g []float32, b1, omb1, b2, omb2, size, c, eps, wd float32) {
	m, v, vmax, g = m[:len(w)], v[:len(w)], vmax[:len(w)], g[:len(w)]
	for i := range w {
		wi := w[i]
		gi := g[i] + wd*wi
		mi := b1*m[i] + float32(omb1*gi)
		vi := b2*v[i] + float32(omb2*gi*gi)
		vm := max(vmax[i], vi)
		m[i], v[i], vmax[i] = mi, vi, vm
		w[i] = wi - size*mi/(float32(math.Sqrt(float64(vm)))*c+eps)
	}
}

// AdamWAMSGrad applies one step of AdamW with AMSGrad.
func AdamWAMSGrad(w, m, v, vmax, g []float32, b1, omb1, b2, omb2, size, c, eps, decay float32) {
	m, v, vmax, g = m[:len(w)], v[:len(w)], vmax[:len(w)], g[:len(w)]
	for i := range w {
		gi := g[i]
		mi := b1*m[i] + float32(omb1*gi)
		vi := b2*v[i] + float32(omb2*gi*gi)
		vm := max(vmax[i], vi)
		m[i], v[i], vmax[i] = mi, vi, vm
		w[i] = float32(w[i]*decay) - size*mi/(float32(math.Sqrt(float64(vm)))*c+eps)
	}
}
