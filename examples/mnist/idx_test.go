package main

import (
	"bytes"
	"encoding/binary"
	"os"
	"slices"
	"strings"
	"testing"
)

func idx(typ byte, dims []uint32, data []byte) []byte {
	b := []byte{0, 0, typ, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, data...)
}

func TestDecodeIDX(t *testing.T) {
	dims, data, err := decodeIDX(bytes.NewReader(idx(8, []uint32{2, 3}, []byte{1, 2, 3, 4, 5, 6})))
	if err != nil || !slices.Equal(dims, []int{2, 3}) || !slices.Equal(data, []byte{1, 2, 3, 4, 5, 6}) {
		t.Fatalf("got %v %v %v", dims, data, err)
	}
	for name, c := range map[string]struct {
		b    []byte
		want string
	}{
		"empty":            {nil, "header"},
		"bad magic":        {[]byte{1, 0, 8, 1, 0, 0, 0, 0}, "not an IDX file"},
		"float elements":   {idx(0x0d, []uint32{1}, []byte{0, 0, 0, 0}), "element type 0x0d"},
		"no dimensions":    {idx(8, nil, nil), "0 dimensions"},
		"short dimensions": {[]byte{0, 0, 8, 2, 0, 0, 0, 1, 0}, "dimensions"},
		"terabytes":        {idx(8, []uint32{1 << 20, 1 << 20, 1 << 20}, []byte{1}), "more than 2³¹"},
		"truncated":        {idx(8, []uint32{10, 10}, make([]byte, 99)), "need 100 bytes, 99 present"},
		"trailing data":    {idx(8, []uint32{2}, []byte{1, 2, 3}), "continue past"},
	} {
		if _, _, err := decodeIDX(bytes.NewReader(c.b)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to say %q", name, err, c.want)
		}
	}
}

// The real test set, from the module that ships it: 10000 images of
// 28×28 and the published count of each digit among their labels.
func TestLoadMNISTTestSet(t *testing.T) {
	// MNIST_DATA names the directory where running `go list` is not
	// possible: under qemu-i386, Go's runtime crashes in fork/exec.
	dir := os.Getenv("MNIST_DATA")
	if dir == "" {
		var err error
		if dir, err = findData(); err != nil {
			t.Skip(err)
		}
	}
	d, err := loadMNIST(dir, "t10k")
	if err != nil {
		t.Fatal(err)
	}
	if d.X.Rows != 10000 || d.X.Cols != 784 {
		t.Fatalf("images are %v, want 10000×784", d.X)
	}
	var count [10]int
	for _, l := range d.Labels {
		count[l]++
	}
	if want := [10]int{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}; count != want {
		t.Errorf("digit counts %v, want %v", count, want)
	}
}

// FuzzDecodeIDX feeds arbitrary bytes to the IDX reader: an error or
// dimensions whose product is the number of elements returned, never a
// panic.
func FuzzDecodeIDX(f *testing.F) {
	f.Add(idx(8, []uint32{2, 3}, []byte{1, 2, 3, 4, 5, 6}))
	f.Add(idx(8, []uint32{1 << 20, 1 << 20, 1 << 20}, nil))
	f.Add(idx(8, []uint32{0}, nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		dims, data, err := decodeIDX(bytes.NewReader(b))
		if err != nil {
			return
		}
		n := 1
		for _, d := range dims {
			n *= d
		}
		if n != len(data) {
			t.Fatalf("dimensions %v, %d elements", dims, len(data))
		}
	})
}
