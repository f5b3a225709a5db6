package main

// goStreams returns the optimizer updates' streaming baselines as Go
// loops: every slice but the last gains the last one, in place.
func goStreams() (s32 func(w, v, g []float32), s43 func(w, m, v, g []float32)) {
	s32 = func(w, v, g []float32) {
		v, g = v[:len(w)], g[:len(w)]
		for i := range w {
			w[i] += g[i]
			v[i] += g[i]
		}
	}
	s43 = func(w, m, v, g []float32) {
		m, v, g = m[:len(w)], v[:len(w)], g[:len(w)]
		for i := range w {
			w[i] += g[i]
			m[i] += g[i]
			v[i] += g[i]
		}
	}
	return s32, s43
}
