package nn

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
)

// The safetensors format (https://huggingface.co/docs/safetensors): an
// 8-byte little-endian header length N, N bytes of JSON that map each
// tensor's name to its dtype, shape and [begin, end) byte offsets in the
// data that follows, then the data, little-endian. PyTorch's
// safetensors.torch.load_file reads what WriteTo writes into the state
// dict of the equivalent torch.nn.Sequential.

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
// writes, gives an error wrapping ErrNotFinite that names the tensor.
// It implements io.ReaderFrom.
//
// The header is held to the format strictly: at most 16 MiB (the
// reference implementation allows 100 MB; a header of this package's
// models needs about 100 bytes per tensor), JSON with each tensor's
// fields spelled exactly "dtype", "shape" and "data_offsets", each once
// and no other, two data offsets, integers for numbers, and one optional
// "__metadata__" of strings. It is parsed as it is read: the memory
// ReadFrom allocates is the model's own size in bytes plus a few
// kilobytes, whatever the header holds. An error names at most a few
// tensors and counts the rest.
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
		return 8, fmt.Errorf("header length %d exceeds the limit of %d bytes", hlen, maxHeader)
	}
	// The header is parsed as it streams in, so a header that claims
	// more than the file holds, or holds millions of entries, costs no
	// memory.
	cr := &countingReader{r: io.LimitReader(r, int64(hlen))}
	p := newHeaderParser(s, cr)
	err := p.parse()
	read := 8 + cr.n
	switch {
	case cr.eof && uint64(cr.n) < hlen:
		return read, fmt.Errorf("truncated: header of %d bytes, %d present", hlen, cr.n)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return read, fmt.Errorf("header: the JSON object ends before the header's %d bytes do", hlen)
	case err != nil:
		return read, err
	}
	for i, ok := range p.seen {
		if !ok {
			return read, fmt.Errorf("no tensor %q for the model's %v (is the file of another architecture?)", s.names[i], s)
		}
	}
	if p.unknown > 0 {
		return read, p.notParams()
	}

	// The data ranges must tile the data section exactly, as the format
	// requires.
	spans := p.spans
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

	// end is the model's size in bytes: every range has its parameter's
	// length.
	data := make([]byte, end)
	m, err := io.ReadFull(r, data)
	read += int64(m)
	if err != nil {
		return read, fmt.Errorf("truncated: %d bytes of tensor data, %d present", end, m)
	}
	if m, _ := r.Read(make([]byte, 1)); m > 0 {
		return read, fmt.Errorf("data continue past the last tensor's %d bytes", end)
	}
	for i := range s.params {
		raw := data[spans[i].begin:spans[i].end]
		for j := 0; j < len(raw); j += 4 {
			v := math.Float32frombits(binary.LittleEndian.Uint32(raw[j:]))
			if v-v != 0 {
				return read, fmt.Errorf("tensor %q holds %v at element %d: %w", s.names[i], v, j/4, ErrNotFinite)
			}
		}
	}
	for i, p := range s.params {
		raw := data[spans[i].begin:spans[i].end]
		for j := range p.Value {
			p.Value[j] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*j:]))
		}
	}
	return read, nil
}
