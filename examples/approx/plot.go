package main

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/simdnn/simdnn/nn"
)

// plotFit draws the target function and the network's fit at the sample
// points into a PNG.
func plotFit(fit nn.Matrix, linear bool, mse float64, path string) error {
	data := samples()
	want := make(plotter.XYs, points)
	got := make(plotter.XYs, points)
	for i := range points {
		x := float64(data.X.Data[i])
		want[i] = plotter.XY{X: x, Y: float64(data.Y.Data[i])}
		got[i] = plotter.XY{X: x, Y: float64(fit.Data[i])}
	}
	p := plot.New()
	kind := "one hidden tanh layer"
	if linear {
		kind = "no activation"
	}
	p.Title.Text = fmt.Sprintf("sin(3x)·x and its fit, %s (MSE %.4f)", kind, mse)
	p.X.Label.Text = "x"
	p.Legend.Top = true
	if err := plotutil.AddLines(p, "target", want, "fit", got); err != nil {
		return err
	}
	return p.Save(7*vg.Inch, 4*vg.Inch, path)
}
