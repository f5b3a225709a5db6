package nn

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
)

// The safetensors format (https://huggingface.co/docs/safetensors): an
// 8-byte little-endian header length N, N bytes of JSON that map each
// tensor's name to its dtype, shape and [begin, end) byte offsets in the
// data that follows, then the data, little-endian. PyTorch's
// safetensors.torch.load_file reads what WriteTo writes into the state
// dict of the equivalent torch.nn.Sequential.

// maxHeader is the largest header the reader accepts, the limit of the
// format's reference implementation.
const maxHeader = 100 << 20

type tensorInfo struct {
	Dtype       string    `json:"dtype"`
	Shape       []int64   `json:"shape"`
	DataOffsets [2]uint64 `json:"data_offsets"`
}

// WriteTo writes the model's parameters to w in the safetensors format,
// each named as PyTorch's state_dict names the parameters of the
// equivalent torch.nn.Sequential ("0.weight", "0.bias", "2.weight", ...),
// with the model's description in the metadata. It implements
// io.WriterTo.
//
// A parameter that is NaN or ±Inf is an error wrapping ErrNotFinite that
// names the tensor, and nothing is written: ReadFrom refuses such a
// file, so WriteTo does not make one.
func (s *Sequential) WriteTo(w io.Writer) (int64, error) {
	if err := s.checkFinite(); err != nil {
		return 0, fmt.Errorf("nn.Sequential.WriteTo: %w", err)
	}
	header := map[string]any{"__metadata__": map[string]string{"format": "pt", "simdnn.model": s.String()}}
	var off uint64
	for i, p := range s.params {
		shape := make([]int64, len(p.Shape))
		for j, d := range p.Shape {
			shape[j] = int64(d)
		}
		n := uint64(4 * len(p.Value))
		header[s.names[i]] = tensorInfo{Dtype: "F32", Shape: shape, DataOffsets: [2]uint64{off, off + n}}
		off += n
	}
	js, err := json.Marshal(header)
	if err != nil {
		return 0, fmt.Errorf("nn.Sequential.WriteTo: %w", err)
	}
	// Pad the header with spaces so that the data start 8-byte aligned,
	// as the reference implementation does.
	for len(js)%8 != 0 {
		js = append(js, ' ')
	}
	buf := make([]byte, 8, 8+len(js)+int(off))
	binary.LittleEndian.PutUint64(buf, uint64(len(js)))
	buf = append(buf, js...)
	for _, p := range s.params {
		for _, v := range p.Value {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		}
	}
	n, err := w.Write(buf)
	return int64(n), err
}

// checkFinite returns an error wrapping ErrNotFinite, naming the tensor
// as a saved model names it, if a parameter is NaN or ±Inf.
func (s *Sequential) checkFinite() error {
	for i, p := range s.params {
		if j, v := firstNotFinite(p.Value); j >= 0 {
			return fmt.Errorf("tensor %q holds %v at element %d: %w", s.names[i], v, j, ErrNotFinite)
		}
	}
	return nil
}

// ReadFrom reads parameters in the safetensors format from r into the
// model, which must have the architecture they were saved from: every
// parameter present under its name, as float32 ("F32") of its shape, and
// nothing else. All of it is read and checked (truncation, offsets,
// duplicate names, NaN and ±Inf values) before any parameter changes: on
// error the model is as it was. A NaN or ±Inf value, which WriteTo never
// writes, gives an error wrapping ErrNotFinite that names the tensor. It never allocates more than the header's
// actual length plus the model's own size. It implements io.ReaderFrom.
func (s *Sequential) ReadFrom(r io.Reader) (int64, error) {
	n, err := s.readFrom(r)
	if err != nil {
		err = fmt.Errorf("nn.Sequential.ReadFrom: %w", err)
	}
	return n, err
}

func (s *Sequential) readFrom(r io.Reader) (int64, error) {
	var size [8]byte
	if _, err := io.ReadFull(r, size[:]); err != nil {
		return 0, fmt.Errorf("reading the header length: %w", unexpectedEOF(err))
	}
	hlen := binary.LittleEndian.Uint64(size[:])
	if hlen > maxHeader {
		return 8, fmt.Errorf("header length %d exceeds %d bytes", hlen, maxHeader)
	}
	// ReadAll grows with what arrives, so a header that claims more than
	// the file holds costs no more than the file.
	js, err := io.ReadAll(io.LimitReader(r, int64(hlen)))
	read := 8 + int64(len(js))
	if err != nil {
		return read, err
	}
	if uint64(len(js)) != hlen {
		return read, fmt.Errorf("truncated: header of %d bytes, %d present", hlen, len(js))
	}
	tensors, err := parseHeader(js)
	if err != nil {
		return read, err
	}

	// Match the tensors to the parameters and check their data ranges
	// tile the data section exactly, as the format requires.
	type span struct{ begin, end uint64 }
	spans := make([]span, len(s.params))
	for i, p := range s.params {
		name := s.names[i]
		t, ok := tensors[name]
		if !ok {
			return read, fmt.Errorf("no tensor %q for the model's %v (is the file of another architecture?)", name, s)
		}
		delete(tensors, name)
		if t.Dtype != "F32" {
			return read, fmt.Errorf("tensor %q has dtype %q, want F32", name, t.Dtype)
		}
		if !slices.Equal(t.Shape, int64s(p.Shape)) {
			return read, fmt.Errorf("tensor %q has shape %v, the model's %v wants %v", name, t.Shape, s, p.Shape)
		}
		b, e := t.DataOffsets[0], t.DataOffsets[1]
		if b > e || e-b != uint64(4*len(p.Value)) {
			return read, fmt.Errorf("tensor %q has data offsets [%d, %d), want %d bytes", name, b, e, 4*len(p.Value))
		}
		spans[i] = span{b, e}
	}
	if len(tensors) > 0 {
		extra := make([]string, 0, len(tensors))
		for name := range tensors {
			extra = append(extra, name)
		}
		sort.Strings(extra)
		return read, fmt.Errorf("tensors %q are not parameters of %v", extra, s)
	}
	order := make([]int, len(spans))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return spans[order[a]].begin < spans[order[b]].begin })
	var end uint64
	for _, i := range order {
		if spans[i].begin != end {
			return read, fmt.Errorf("tensor %q starts at byte %d of the data, want %d (overlap or hole)", s.names[i], spans[i].begin, end)
		}
		end = spans[i].end
	}

	data := make([]byte, end)
	m, err := io.ReadFull(r, data)
	read += int64(m)
	if err != nil {
		return read, fmt.Errorf("truncated: %d bytes of tensor data, %d present", end, m)
	}
	if m, _ := r.Read(make([]byte, 1)); m > 0 {
		return read, fmt.Errorf("data continue past the last tensor's %d bytes", end)
	}
	values := make([][]float32, len(s.params))
	for i, p := range s.params {
		v := make([]float32, len(p.Value))
		raw := data[spans[i].begin:spans[i].end]
		for j := range v {
			v[j] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*j:]))
			if math.IsNaN(float64(v[j])) || math.IsInf(float64(v[j]), 0) {
				return read, fmt.Errorf("tensor %q holds %v at element %d: %w", s.names[i], v[j], j, ErrNotFinite)
			}
		}
		values[i] = v
	}
	for i, p := range s.params {
		copy(p.Value, values[i])
	}
	return read, nil
}

// parseHeader decodes the header's JSON object, rejecting duplicate names
// (which encoding/json would silently merge) and anything but an object
// of tensor entries and one optional "__metadata__".
func parseHeader(js []byte) (map[string]tensorInfo, error) {
	dec := json.NewDecoder(bytes.NewReader(js))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("header is not a JSON object")
	}
	tensors := map[string]tensorInfo{}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("header: %w", err)
		}
		name := tok.(string) // object keys are strings
		if seen[name] {
			return nil, fmt.Errorf("header names %q twice", name)
		}
		seen[name] = true
		if name == "__metadata__" {
			var meta map[string]string
			if err := dec.Decode(&meta); err != nil {
				return nil, fmt.Errorf("header: __metadata__: %w", err)
			}
			continue
		}
		var t tensorInfo
		if err := dec.Decode(&t); err != nil {
			return nil, fmt.Errorf("header: tensor %q: %w", name, err)
		}
		tensors[name] = t
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF && !isSpaceOnly(js[dec.InputOffset():]) {
		return nil, fmt.Errorf("header: data after the JSON object")
	}
	return tensors, nil
}

func isSpaceOnly(b []byte) bool { return len(bytes.TrimSpace(b)) == 0 }

func int64s(s []int) []int64 {
	r := make([]int64, len(s))
	for i, v := range s {
		r[i] = int64(v)
	}
	return r
}

func unexpectedEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
