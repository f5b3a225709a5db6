package main

// streams are the streaming baselines of the kernels that move more than
// one array in and one out: each adds its last slice to the others, in
// place, reading 2 arrays and writing 1 (the derivatives, Axpy, MSE), 3
// and 2 (SGDMomentum), or 4 and 3 (Adam).
type streams struct {
	s21 func(y, x []float32)
	s32 func(w, v, g []float32)
	s43 func(w, m, v, g []float32)
}

// goStreams returns the streams as Go loops.
func goStreams() streams {
	return streams{
		s21: func(y, x []float32) {
			x = x[:len(y)]
			for i := range y {
				y[i] += x[i]
			}
		},
		s32: func(w, v, g []float32) {
			v, g = v[:len(w)], g[:len(w)]
			for i := range w {
				w[i] += g[i]
				v[i] += g[i]
			}
		},
		s43: func(w, m, v, g []float32) {
			m, v, g = m[:len(w)], v[:len(w)], g[:len(w)]
			for i := range w {
				w[i] += g[i]
				m[i] += g[i]
				v[i] += g[i]
			}
		},
	}
}
