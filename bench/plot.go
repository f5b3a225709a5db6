package main

import (
	"cmp"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// plotKernels are the elementwise kernels drawn in elementwise.png: one of
// each kind (pure streaming, transcendental, optimizer update), so the
// plot stays readable.
var plotKernels = []string{"ReLU", "Sigmoid", "Tanh", "Adam"}

// plotResults draws sgemm.png (GFLOP/s against the side of the square, one
// line per implementation with its FMA peak as a dashed line, then gonum's
// and, with -tags openblas, OpenBLAS's as measured beside the best
// implementation) and
// elementwise.png (elements/ns against the element count for the best
// implementation, with the y = 2·x bandwidth line) into dir, and returns
// the files it wrote.
func plotResults(dir string, names []string, rs []result) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var files []string
	save := func(p *plot.Plot, name string) error {
		f := filepath.Join(dir, name)
		files = append(files, f)
		return p.Save(7*vg.Inch, 4.5*vg.Inch, f)
	}
	series := func(impl, kernel string) plotter.XYs {
		var xy plotter.XYs
		for _, r := range rs {
			if r.Impl == impl && r.Kernel == kernel {
				if n, err := strconv.Atoi(r.Size); err == nil {
					xy = append(xy, plotter.XY{X: float64(n), Y: r.Value})
				}
			}
		}
		slices.SortFunc(xy, func(a, b plotter.XY) int { return cmp.Compare(a.X, b.X) })
		return xy
	}

	g := plot.New()
	g.Title.Text = "Sgemm, square matrices"
	g.X.Label.Text = "side (M = N = K)"
	g.Y.Label.Text = "GFLOP/s"
	g.X.Scale = plot.LogScale{}
	g.X.Tick.Marker = plot.LogTicks{Prec: -1}
	g.Legend.Top, g.Legend.Left = true, true
	drawn := false
	for i, name := range names {
		xy := series(name, "Sgemm")
		if len(xy) == 0 {
			continue
		}
		if err := addLine(g, i, name, xy, false); err != nil {
			return nil, err
		}
		for _, r := range rs {
			if r.Impl == name && r.Kernel == peakKernel && r.Value > 0 {
				flat := plotter.XYs{{X: xy[0].X, Y: r.Value}, {X: xy[len(xy)-1].X, Y: r.Value}}
				if err := addLine(g, i, name+" FMA peak", flat, true); err != nil {
					return nil, err
				}
			}
		}
		drawn = true
	}
	// The baselines, as measured beside the best implementation.
	for j, k := range []string{openblasCase, gonumCase} {
		if xy := series(names[0], k); len(xy) > 0 {
			if err := addLine(g, len(names)+j, strings.Trim(strings.TrimPrefix(k, "Sgemm "), "()"), xy, false); err != nil {
				return nil, err
			}
		}
	}
	if drawn {
		if err := save(g, "sgemm.png"); err != nil {
			return nil, err
		}
	}

	e := plot.New()
	e.Title.Text = fmt.Sprintf("elementwise kernels (%s)", names[0])
	e.X.Label.Text = "elements"
	e.Y.Label.Text = "elements/ns"
	e.X.Scale = plot.LogScale{}
	e.X.Tick.Marker = plot.LogTicks{Prec: -1}
	e.Legend.Top = true
	drawn = false
	for i, k := range append([]string{baseline}, plotKernels...) {
		xy := series(names[0], k)
		if len(xy) == 0 {
			continue
		}
		if err := addLine(e, i, k, xy, i == 0); err != nil {
			return nil, err
		}
		drawn = true
	}
	if drawn {
		if err := save(e, "elementwise.png"); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// addLine adds a line with points in the i-th colour, dashed for a
// reference line.
func addLine(p *plot.Plot, i int, name string, xy plotter.XYs, dashed bool) error {
	l, pts, err := plotter.NewLinePoints(xy)
	if err != nil {
		return err
	}
	c := plotutil.Color(i)
	l.Color, pts.Color = c, c
	if dashed {
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		pts.Shape = nil
		pts.Color = color.Transparent
	}
	p.Add(l, pts)
	p.Legend.Add(name, l)
	return nil
}
