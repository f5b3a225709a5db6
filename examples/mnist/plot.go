package main

import (
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// plotCurves draws the training and test loss and the test accuracy per
// epoch side by side in a PNG.
func plotCurves(epochs []epochRecord, path string) error {
	trainLoss := make(plotter.XYs, len(epochs))
	testLoss := make(plotter.XYs, len(epochs))
	acc := make(plotter.XYs, len(epochs))
	for i, e := range epochs {
		x := float64(e.Epoch)
		trainLoss[i] = plotter.XY{X: x, Y: e.Loss}
		testLoss[i] = plotter.XY{X: x, Y: e.TestLoss}
		acc[i] = plotter.XY{X: x, Y: 100 * e.TestAccuracy}
	}
	loss := plot.New()
	loss.Title.Text = "MNIST: cross-entropy loss"
	loss.X.Label.Text = "epoch"
	loss.Legend.Top = true
	if err := plotutil.AddLinePoints(loss, "train", trainLoss, "test", testLoss); err != nil {
		return err
	}
	accuracy := plot.New()
	accuracy.Title.Text = "MNIST: test accuracy (%)"
	accuracy.X.Label.Text = "epoch"
	if err := plotutil.AddLinePoints(accuracy, "test", acc); err != nil {
		return err
	}

	img := vgimg.New(vg.Points(900), vg.Points(360))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Points(20), PadY: vg.Points(10), PadTop: vg.Points(10), PadBottom: vg.Points(10), PadLeft: vg.Points(10), PadRight: vg.Points(10)}
	canvases := plot.Align([][]*plot.Plot{{loss, accuracy}}, tiles, dc)
	loss.Draw(canvases[0][0])
	accuracy.Draw(canvases[0][1])

	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
