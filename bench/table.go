package main

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/simdnn/simdnn/kernels"
)

// A table is one kernel family of the report: its rows are the results
// that belong to it, and after each implementation's figure come the
// ratios that make it readable (to a baseline, to the peak, to generic).
type table struct {
	title  string
	member func(r result) bool
	ratios []ratio
}

// A ratio is one column after an implementation's figure: of returns the
// ratio for row r of implementation impl, or false where it has none.
type ratio struct {
	label string
	of    func(r result, impl string) (float64, bool)
}

// printTables prints the results as one Markdown table per kernel family:
// one row per kernel and size, and per implementation its figure and
// ratios. All figures come from the same run, so the ratios hold when the
// machine's clock or load drift between runs.
func printTables(w io.Writer, names []string, rs []result) {
	type key struct{ impl, kernel, size string }
	byKey := map[key]result{}
	best := map[string]float64{}    // baseline kernel@size → the fastest implementation's figure
	peak := map[string]float64{}    // implementation → its FMA peak
	sqrtDiv := map[string]float64{} // implementation → Adam's bound
	read := map[string]float64{}    // implementation → µs of one read of the MLP's weights
	stepGEMMs := map[key]float64{}  // a training step's time to its products' alone
	for _, r := range rs {
		if r.Unit == stepGEMMsUnit {
			// A second figure of the step's row, not a row: kept
			// apart so that it does not replace the step's.
			stepGEMMs[key{r.Impl, r.Kernel, r.Size}] = r.Value
			continue
		}
		byKey[key{r.Impl, r.Kernel, r.Size}] = r
		switch r.Kernel {
		case baseline, stream10, add21, stream21, stream32, stream43:
			bk := r.Kernel + "@" + r.Size
			best[bk] = max(best[bk], r.Value)
		case peakKernel:
			peak[r.Impl] = r.Value
		case sqrtDivKernel:
			sqrtDiv[r.Impl] = r.Value
		case readCase:
			read[r.Impl] = r.Value
		}
	}
	value := func(impl, kernel, size string) (float64, bool) {
		r, ok := byKey[key{impl, kernel, size}]
		return r.Value, ok && r.Value > 0
	}
	toGeneric := ratio{"×generic", func(r result, impl string) (float64, bool) {
		g, ok := value("generic", r.Kernel, r.Size)
		return r.Value / g, ok && impl != "generic"
	}}
	toStream := ratio{"×base", func(r result, _ string) (float64, bool) {
		bk := baseline
		if b, ok := baseOf[r.Kernel]; ok {
			bk = b
		}
		if bk == "" {
			return 0, false
		}
		b := best[bk+"@"+r.Size]
		return r.Value / b, b > 0
	}}
	// toBound divides Adam's figure by its bound on the implementation
	// that measured it.
	toBound := ratio{"×√÷", func(r result, impl string) (float64, bool) {
		b := sqrtDiv[impl]
		return r.Value / b, b > 0 && strings.HasPrefix(r.Kernel, "Adam")
	}}
	// toPeak divides a figure of flops by the FMA peak of the
	// implementation that measured it (gonum and OpenBLAS beside it).
	toPeak := func(flopsPer float64) ratio {
		return ratio{"×peak", func(r result, impl string) (float64, bool) {
			p := peak[impl]
			return r.Value * flopsPer / p, p > 0 && r.Kernel != peakKernel
		}}
	}
	toSgemm := func(label, kernel string) ratio {
		return ratio{label, func(r result, impl string) (float64, bool) {
			b, ok := value(impl, kernel, r.Size)
			return r.Value / b, ok && r.Kernel == "Sgemm"
		}}
	}
	// The forward pass's rows are times: per second, and to the read of
	// the weights, the pass's bound at small batch; the ratio to generic
	// is generic's time to this one's.
	samples := ratio{"ksamples/s", func(r result, _ string) (float64, bool) {
		var batch int
		_, err := fmt.Sscanf(r.Size, "batch %d", &batch)
		return 1e3 * float64(batch) / r.Value, err == nil
	}}
	toGEMMs := ratio{"×GEMMs", func(r result, impl string) (float64, bool) {
		v, ok := stepGEMMs[key{impl, r.Kernel, r.Size}]
		return v, ok
	}}
	toRead := ratio{"×read", func(r result, impl string) (float64, bool) {
		b := read[impl]
		return r.Value / b, b > 0 && r.Kernel != readCase
	}}
	timeToGeneric := ratio{"×generic", func(r result, impl string) (float64, bool) {
		g, ok := value("generic", r.Kernel, r.Size)
		return g / r.Value, ok && impl != "generic"
	}}
	tables := []table{
		{"Elementwise kernels, elements/ns; ×base: to the fastest stream of as many arrays in and out at the size (y = 2·x for one in, one out); ×√÷: Adam's to the square roots and divisions per ns of the implementation (its last row)",
			func(r result) bool { return r.Unit == "elem/ns" && !strings.Contains(r.Size, "×") },
			[]ratio{toStream, toBound, toGeneric}},
		{"Row-wise kernels, elements/ns; ×base: to the fastest y = 2·x over as many elements",
			func(r result) bool { return r.Unit == "elem/ns" && strings.Contains(r.Size, "×") },
			[]ratio{toStream, toGeneric}},
		{"Sgemm on square matrices, GFLOP/s; ×peak: to the implementation's FMA peak",
			func(r result) bool { return r.Unit == "GFLOP/s" },
			[]ratio{toPeak(1), toSgemm("×gonum", gonumCase), toSgemm("×OpenBLAS", openblasCase), toGeneric}},
		{"Training step of the MNIST MLP, thousands of samples/s; ×GEMMs: the step's time to that of its matrix products alone, timed in alternation; ×peak: its flops to the FMA peak",
			func(r result) bool { return r.Unit == "ksamples/s" },
			[]ratio{toGEMMs, toPeak(1e3 * trainStepFLOPs / 1e9), toGeneric}},
		{"Forward pass of the MNIST MLP (inference), µs per pass; ×read: to one streaming read of its weights, the pass's bound at small batch",
			func(r result) bool { return r.Unit == "µs" },
			[]ratio{samples, toRead, timeToGeneric}},
	}
	fmt.Fprintf(w, "simdnn on one goroutine (Sgemm and the training step: -threads); best implementation here: %s.\nkernels.Tuning() for %s (SIMDNN_TUNING overrides its first part): %s.\n", names[0], kernels.Impl(), kernels.Tuning())
	for _, t := range tables {
		var rows []result // the first implementation's result of each kernel and size, in order
		seen := map[key]bool{}
		for _, r := range rs {
			if k := (key{"", r.Kernel, r.Size}); t.member(r) && !seen[k] {
				seen[k] = true
				rows = append(rows, r)
			}
		}
		if len(rows) == 0 {
			continue
		}
		// A ratio column that no cell fills is left out.
		fills := func(rt ratio) bool {
			for _, name := range names {
				for _, row := range rows {
					if r, ok := byKey[key{name, row.Kernel, row.Size}]; ok {
						if _, ok := rt.of(r, name); ok {
							return true
						}
					}
				}
			}
			return false
		}
		var cols []ratio
		for _, rt := range t.ratios {
			if fills(rt) {
				cols = append(cols, rt)
			}
		}
		fmt.Fprintf(w, "\n%s\n\n| kernel | size |", t.title)
		for _, name := range names {
			fmt.Fprintf(w, " %s |", name)
			for _, c := range cols {
				fmt.Fprintf(w, " %s |", c.label)
			}
		}
		fmt.Fprintf(w, "\n|---|---|%s\n", strings.Repeat("---:|", len(names)*(1+len(cols))))
		for _, row := range rows {
			fmt.Fprintf(w, "| %s | %s |", row.Kernel, row.Size)
			for _, name := range names {
				r, ok := byKey[key{name, row.Kernel, row.Size}]
				if !ok {
					fmt.Fprintf(w, " – |%s", strings.Repeat(" – |", len(cols)))
					continue
				}
				fmt.Fprintf(w, " %s |", sig3(r.Value))
				for _, c := range cols {
					if v, ok := c.of(r, name); ok {
						fmt.Fprintf(w, " %.2f |", v)
					} else {
						fmt.Fprintf(w, " – |")
					}
				}
			}
			fmt.Fprintln(w)
		}
	}
}

// sig3 formats v with three significant digits, without an exponent
// (1160 rather than %.3g's 1.16e+03), so that columns read at a glance.
func sig3(v float64) string {
	if v == 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	digits := 2 - int(math.Floor(math.Log10(math.Abs(v))))
	return strconv.FormatFloat(v, 'f', max(digits, 0), 64)
}
