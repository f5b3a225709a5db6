package nn

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func smallModel(seed uint64) *Sequential {
	rng := newRNG(seed)
	m, err := NewSequential(NewDense(3, 4, He(rng)), ReLU(), NewDense(4, 2, He(rng)))
	if err != nil {
		panic(err)
	}
	for _, p := range m.Params() {
		for i := range p.Value {
			if p.Value[i] == 0 {
				p.Value[i] = float32(i) / 7
			}
		}
	}
	return m
}

func paramValues(m *Sequential) []float32 {
	var v []float32
	for _, p := range m.Params() {
		v = append(v, p.Value...)
	}
	return v
}

// Save then Load into a fresh model of the same architecture gives the
// same parameters, bit for bit; saving again replaces the file.
func TestSaveLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "model.safetensors")
	a, b := smallModel(1), smallModel(2)
	if err := b.Save(path); err != nil {
		t.Fatal(err)
	}
	if err := a.Save(path); err != nil {
		t.Fatal(err)
	}
	c := smallModel(3)
	if err := c.Load(path); err != nil {
		t.Fatal(err)
	}
	equalBits(t, "loaded", paramValues(c), paramValues(a))
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("the directory holds %d files, want 1 (a temporary file left behind?)", len(entries))
	}
}

// A Sequential inside another saves its parameters under both indices,
// as PyTorch's state_dict names them, and loads back.
func TestSaveLoadNested(t *testing.T) {
	nested := func(seed uint64) *Sequential {
		rng := newRNG(seed)
		inner, err := NewSequential(NewDense(4, 4, He(rng)), ReLU(), NewDense(4, 3, He(rng)))
		if err != nil {
			t.Fatal(err)
		}
		m, err := NewSequential(NewDense(2, 4, He(rng)), inner, NewDense(3, 1, He(rng)))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	a := nested(1)
	var buf bytes.Buffer
	if _, err := a.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"0.weight"`, `"1.0.weight"`, `"1.0.bias"`, `"1.2.weight"`, `"1.2.bias"`, `"2.weight"`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("the header lacks %s", want)
		}
	}
	b := nested(2)
	if _, err := b.ReadFrom(&buf); err != nil {
		t.Fatal(err)
	}
	equalBits(t, "loaded", paramValues(b), paramValues(a))
}

// The bytes follow the safetensors layout: a header length, a JSON
// header naming each tensor as PyTorch's state_dict does, then the data
// in little-endian order at the offsets the header gives.
func TestSafetensorsLayout(t *testing.T) {
	m := smallModel(1)
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	n := binary.LittleEndian.Uint64(b)
	header := string(b[8 : 8+n])
	if (8+n)%8 != 0 {
		t.Errorf("data start at byte %d, not 8-aligned", 8+n)
	}
	for _, want := range []string{`"0.weight":{"dtype":"F32","shape":[4,3],"data_offsets":[0,48]}`, `"0.bias":{"dtype":"F32","shape":[4],"data_offsets":[48,64]}`, `"2.weight":{"dtype":"F32","shape":[2,4],"data_offsets":[64,96]}`, `"2.bias":{"dtype":"F32","shape":[2],"data_offsets":[96,104]}`} {
		if !strings.Contains(header, want) {
			t.Errorf("header %s lacks %s", header, want)
		}
	}
	data := b[8+n:]
	w := m.Params()[2].Value // 2.weight
	for j, v := range w {
		if got := math.Float32frombits(binary.LittleEndian.Uint32(data[64+4*j:])); got != v {
			t.Fatalf("2.weight[%d] = %v in the file, %v in the model", j, got, v)
		}
	}
}

// Every corruption of a saved model gives an error and leaves the model
// unchanged.
func TestLoadRejects(t *testing.T) {
	var good bytes.Buffer
	smallModel(1).WriteTo(&good)
	n := int(binary.LittleEndian.Uint64(good.Bytes()))
	header := string(good.Bytes()[8 : 8+n])
	data := good.Bytes()[8+n:]
	withHeader := func(h string) []byte {
		b := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
		return append(append(b, h...), data...)
	}
	cases := map[string][]byte{
		"empty":            {},
		"huge header":      binary.LittleEndian.AppendUint64(nil, 1<<40),
		"not JSON":         withHeader(strings.Repeat("x", n)),
		"duplicate tensor": withHeader(`{"0.bias":{"dtype":"F32","shape":[4],"data_offsets":[48,64]},` + header[1:]),
		"missing tensor":   withHeader(strings.Replace(header, `"2.bias"`, `"2.bias_"`, 1)),
		"wrong dtype":      withHeader(strings.Replace(header, `"dtype":"F32","shape":[2]`, `"dtype":"F16","shape":[2]`, 1)),
		"wrong shape":      withHeader(strings.Replace(header, `"shape":[4,3]`, `"shape":[3,4]`, 1)),
		"overlap":          withHeader(strings.Replace(header, `[96,104]`, `[88,96]`, 1)),
		"trailing data":    append(slices.Clone(good.Bytes()), 0),
		"other model": func() []byte {
			var b bytes.Buffer
			m, _ := NewSequential(NewDense(3, 5, nil), NewDense(5, 2, nil))
			m.WriteTo(&b)
			return b.Bytes()
		}(),
	}
	nan := slices.Clone(good.Bytes())
	binary.LittleEndian.PutUint32(nan[8+n+4:], math.Float32bits(float32(math.NaN())))
	cases["NaN value"] = nan
	inf := slices.Clone(good.Bytes())
	binary.LittleEndian.PutUint32(inf[8+n+100:], math.Float32bits(float32(math.Inf(-1)))) // 2.bias[1]
	cases["−Inf value"] = inf
	for cut := 1; cut < good.Len(); cut += 7 {
		cases[fmt.Sprintf("truncated at %d", cut)] = good.Bytes()[:cut]
	}
	for name, b := range cases {
		m := smallModel(2)
		before := paramValues(m)
		_, err := m.ReadFrom(bytes.NewReader(b))
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if !strings.HasPrefix(err.Error(), "nn.Sequential.ReadFrom: ") {
			t.Errorf("%s: error %q does not name the operation", name, err)
		}
		equalBits(t, name, paramValues(m), before)
	}
}

// A save that fails leaves the old file and no temporary file behind.
func TestSaveFailureKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model")
	// A directory where the file should go makes the final rename fail.
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(path, "keep"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := smallModel(1).Save(path); err == nil || !strings.Contains(err.Error(), "nn.Sequential.Save") {
		t.Fatalf("Save over a directory: err = %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(path, "keep")); err != nil || string(b) != "old" {
		t.Errorf("the old contents are gone: %q, %v", b, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d entries in the directory, want 1: a temporary file was left", len(entries))
	}
}

// Save and WriteTo refuse a model with a NaN or infinite parameter, as
// Load refuses the file, naming the tensor; the file saved before stays
// as it was, and no temporary file is left.
func TestSaveRefusesNotFinite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.safetensors")
	m := smallModel(1)
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		param, elem int
		v           float32
		want        string
	}{
		{1, 2, float32(math.NaN()), `tensor "0.bias" holds NaN at element 2`},
		{2, 5, float32(math.Inf(1)), `tensor "2.weight" holds +Inf at element 5`},
		{3, 0, float32(math.Inf(-1)), `tensor "2.bias" holds -Inf at element 0`},
	} {
		bad := smallModel(1)
		bad.Params()[c.param].Value[c.elem] = c.v
		err := bad.Save(path)
		if err == nil || !errors.Is(err, ErrNotFinite) || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "nn.Sequential.Save: ") {
			t.Errorf("Save: err = %v, want nn.Sequential.Save wrapping ErrNotFinite saying %s", err, c.want)
		}
		var buf bytes.Buffer
		n, err := bad.WriteTo(&buf)
		if err == nil || !errors.Is(err, ErrNotFinite) || !strings.Contains(err.Error(), c.want) || n != 0 || buf.Len() != 0 {
			t.Errorf("WriteTo: %d bytes, err = %v, want nothing written and an error saying %s", buf.Len(), err, c.want)
		}
		if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, old) {
			t.Errorf("the file saved before changed (%d bytes, was %d; %v)", len(got), len(old), err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("%d entries in the directory, want 1", len(entries))
		}
	}
	// Load refuses a file holding NaN with the same sentinel.
	var good bytes.Buffer
	m.WriteTo(&good)
	b := good.Bytes()
	n := int(binary.LittleEndian.Uint64(b))
	binary.LittleEndian.PutUint32(b[8+n+48+4:], math.Float32bits(float32(math.NaN()))) // 0.bias[1]
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := smallModel(2).Load(path); !errors.Is(err, ErrNotFinite) || !strings.Contains(err.Error(), `tensor "0.bias" holds NaN at element 1`) {
		t.Errorf("Load of a NaN: err = %v", err)
	}
}
