package main

// streams are the streaming baselines of the kernels that move more than
// one array in and one out: s21, s32 and s43 add their last slice to the
// others, in place, reading 2 arrays and writing 1 (Axpy), 3 and 2
// (SGDMomentum), or 4 and 3 (Adam); a21 writes x + y to a third array, as
// the derivatives and MSE's gradient do.
type streams struct {
	a21 func(dst, x, y []float32)
	s21 func(y, x []float32)
	s32 func(w, v, g []float32)
	s43 func(w, m, v, g []float32)
}

// goStreams returns the streams as Go loops.
func goStreams() streams {
	return streams{
		a21: func(dst, x, y []float32) {
			x, y = x[:len(dst)], y[:len(dst)]
			for i := range dst {
				dst[i] = x[i] + y[i]
			}
		},
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
