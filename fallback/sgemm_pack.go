package fallback

// Packing copies blocks of op(A) and op(B) into the layouts the
// micro-kernel reads, so that it sees neither transposes nor leading
// dimensions. The kernel takes two k steps at a time, so a packed row or
// panel holds pairs = ⌈kc/2⌉ pairs of steps; when kc is odd the last
// pair's second step is zero in both operands and adds exact zeros. Each
// buffer ends with room for a full-size row or panel past the last one's
// start, because the kernel converts the slice at its start to a pointer
// to a full-size array (gemmAPanel, gemmBPanel).

// packA packs alpha times the mc×kc block of op(A) whose top-left element
// is op(A)[ic][pc] into w.a: row i at w.a[i·2·pairs:], its kc values in
// order and a zero if kc is odd.
func (w *gemmWork) packA(trans bool, alpha float32, a []float32, lda, ic, pc, mc, kc, pairs int) {
	stride := 2 * pairs
	w.a = grow(w.a, mc*stride+gemmKC)
	dst := w.a
	switch {
	case trans:
		// op(A)[i][p] = A[p][i]: row p of A holds step p of every
		// packed row.
		for p := range kc {
			src := a[(pc+p)*lda+ic:][:mc]
			for i, v := range src {
				dst[i*stride+p] = alpha * v
			}
		}
	case alpha == 1:
		for i := range mc {
			copy(dst[i*stride:][:kc], a[(ic+i)*lda+pc:][:kc])
		}
	default:
		for i := range mc {
			src := a[(ic+i)*lda+pc:][:kc]
			row := dst[i*stride:][:len(src)]
			for p, v := range src {
				row[p] = alpha * v
			}
		}
	}
	if kc < stride {
		for i := range mc {
			dst[i*stride+kc] = 0
		}
	}
}

// packB packs the kc×nc block of op(B) whose top-left element is
// op(B)[pc][jc] into w.b as panels of gemmNR columns, panel s at
// w.b[s·pairs:], holding k step p's gemmNR values at [p/2][p%2]. Columns
// past nc in the last panel are zero.
func (w *gemmWork) packB(trans bool, b []float32, ldb, pc, jc, kc, nc, pairs int) {
	panels := (nc + gemmNR - 1) / gemmNR
	w.b = grow(w.b, panels*pairs+gemmKC/2)
	for s := range panels {
		j0 := s * gemmNR
		nr := min(gemmNR, nc-j0)
		panel := w.b[s*pairs:][:pairs]
		if nr < gemmNR || kc%2 != 0 {
			clear(panel)
		}
		switch {
		case trans && nr == gemmNR:
			packBT(panel, b[(jc+j0)*ldb+pc:], ldb, kc)
		case trans:
			// op(B)[p][j] = B[j][p]: row j of B is column j of
			// the panel.
			for j := range nr {
				src := b[(jc+j0+j)*ldb+pc:][:kc]
				for p, v := range src {
					panel[p/2][p%2][j] = v
				}
			}
		case nr == gemmNR:
			for p := range kc {
				panel[p/2][p%2] = [gemmNR]float32(b[(pc+p)*ldb+jc+j0:])
			}
		default:
			for p := range kc {
				copy(panel[p/2][p%2][:nr], b[(pc+p)*ldb+jc+j0:][:nr])
			}
		}
	}
}

// packBT packs a full panel of a transposed B: column j of the panel is
// row j of B, which starts at b[j·ldb]. Reading the 12 rows side by side
// fills one panel row per step, with no bounds checks in the loop.
func packBT(panel []gemmBPair, b []float32, ldb, kc int) {
	r0, r1, r2 := b[:kc], b[ldb:][:kc], b[2*ldb:][:kc]
	r3, r4, r5 := b[3*ldb:][:kc], b[4*ldb:][:kc], b[5*ldb:][:kc]
	r6, r7, r8 := b[6*ldb:][:kc], b[7*ldb:][:kc], b[8*ldb:][:kc]
	r9, r10, r11 := b[9*ldb:][:kc], b[10*ldb:][:kc], b[11*ldb:][:kc]
	for p := range r0 {
		panel[p/2][p%2] = [gemmNR]float32{r0[p], r1[p], r2[p], r3[p], r4[p], r5[p], r6[p], r7[p], r8[p], r9[p], r10[p], r11[p]}
	}
}

// grow returns s resliced to n elements, reallocated if its capacity is
// smaller; the contents are not kept.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
