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
// data that follows, then the data, little-endian. A model file and a
// checkpoint are both written and read as a tensorSet.

// tensorSet is the float32 tensors a file holds or must hold, by name,
// and what its reader keeps of the metadata.
type tensorSet struct {
	names  []string
	shapes [][]int
	dst    [][]float32 // the values: written from, or read into
	// optional marks the tensors a file may leave out; nil when none
	// may be.
	optional []bool
	// meta names the metadata keys whose values a reader keeps.
	meta map[string]bool

	// owner, member and members describe the set in errors: "tensor x
	// has shape [2], <owner> wants [3]", "tensor x is not <member>",
	// "tensors x, y are not <members>".
	owner, member, members string
}

// add appends a tensor of the given shape to the set.
func (s *tensorSet) add(name string, shape []int, dst []float32, optional bool) {
	if optional && s.optional == nil {
		s.optional = make([]bool, len(s.names))
	}
	s.names = append(s.names, name)
	s.shapes = append(s.shapes, shape)
	s.dst = append(s.dst, dst)
	if s.optional != nil {
		s.optional = append(s.optional, optional)
	}
}

type tensorInfo struct {
	Dtype       string    `json:"dtype"`
	Shape       []int64   `json:"shape"`
	DataOffsets [2]uint64 `json:"data_offsets"`
}

// checkFinite returns an error wrapping ErrNotFinite, naming the tensor,
// if one of the set's values is NaN or ±Inf.
func (s *tensorSet) checkFinite() error {
	for i, d := range s.dst {
		if j, v := firstNotFinite(d); j >= 0 {
			return fmt.Errorf("tensor %q holds %v at element %d: %w", s.names[i], v, j, ErrNotFinite)
		}
	}
	return nil
}

// writeTo writes the set's tensors to w in the safetensors format, with
// meta as the header's "__metadata__".
func (s *tensorSet) writeTo(w io.Writer, meta map[string]string) (int64, error) {
	header := map[string]any{"__metadata__": meta}
	var off uint64
	for i, d := range s.dst {
		shape := make([]int64, len(s.shapes[i]))
		for j, n := range s.shapes[i] {
			shape[j] = int64(n)
		}
		n := uint64(4 * len(d))
		header[s.names[i]] = tensorInfo{Dtype: "F32", Shape: shape, DataOffsets: [2]uint64{off, off + n}}
		off += n
	}
	js, err := json.Marshal(header)
	if err != nil {
		return 0, err
	}
	// Pad the header with spaces so that the data start 8-byte aligned,
	// as the reference implementation does.
	for len(js)%8 != 0 {
		js = append(js, ' ')
	}
	buf := make([]byte, 8, 8+len(js)+int(off))
	binary.LittleEndian.PutUint64(buf, uint64(len(js)))
	buf = append(buf, js...)
	for _, d := range s.dst {
		for _, v := range d {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		}
	}
	n, err := w.Write(buf)
	return int64(n), err
}

// readFrom reads a safetensors file from r and checks all of it
// (truncation, offsets, duplicate names, shapes, NaN and ±Inf values)
// before it returns. It does not touch the set's values: it returns the
// tensors' little-endian bytes in the order of the set (nil for an
// optional tensor the file leaves out), for decode, and the metadata
// values the set asks for; those also when the header is well-formed but
// its tensors are not the set's. What it allocates is the size of the tensors
// present plus a few kilobytes, whatever the header holds.
func (s *tensorSet) readFrom(r io.Reader) (raw [][]byte, meta map[string]string, read int64, err error) {
	var size [8]byte
	if _, err := io.ReadFull(r, size[:]); err != nil {
		return nil, nil, 0, fmt.Errorf("reading the header length: %w", unexpectedEOF(err))
	}
	hlen := binary.LittleEndian.Uint64(size[:])
	if hlen > maxHeader {
		return nil, nil, 8, fmt.Errorf("header length %d exceeds the limit of %d bytes", hlen, maxHeader)
	}
	// The header is parsed as it streams in, so a header that claims
	// more than the file holds, or holds millions of entries, costs no
	// memory.
	cr := &countingReader{r: io.LimitReader(r, int64(hlen))}
	p := newHeaderParser(s, cr)
	err = p.parse()
	read = 8 + cr.n
	switch {
	case cr.eof && uint64(cr.n) < hlen:
		return nil, nil, read, fmt.Errorf("truncated: header of %d bytes, %d present", hlen, cr.n)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return nil, nil, read, fmt.Errorf("header: the JSON object ends before the header's %d bytes do", hlen)
	case err != nil:
		return nil, nil, read, err
	}
	// From here on, errors come with the metadata, which may say why
	// the tensors are not the set's.
	for i, ok := range p.seen {
		if !ok && (s.optional == nil || !s.optional[i]) {
			return nil, p.values, read, fmt.Errorf("no tensor %q for %s (is the file of another architecture?)", s.names[i], s.owner)
		}
	}
	if p.unknown > 0 {
		return nil, p.values, read, p.notInSet()
	}

	// The data ranges must tile the data section exactly, as the format
	// requires.
	var order []int
	for i, ok := range p.seen {
		if ok {
			order = append(order, i)
		}
	}
	spans := p.spans
	sort.Slice(order, func(a, b int) bool { return spans[order[a]].begin < spans[order[b]].begin })
	var end uint64
	for _, i := range order {
		if spans[i].begin != end {
			return nil, nil, read, fmt.Errorf("tensor %q starts at byte %d of the data, want %d (overlap or hole)", s.names[i], spans[i].begin, end)
		}
		end = spans[i].end
	}

	// end is the size in bytes of the tensors present: every range has
	// its tensor's length.
	data := make([]byte, end)
	m, err := io.ReadFull(r, data)
	read += int64(m)
	if err != nil {
		return nil, nil, read, fmt.Errorf("truncated: %d bytes of tensor data, %d present", end, m)
	}
	if m, _ := r.Read(make([]byte, 1)); m > 0 {
		return nil, nil, read, fmt.Errorf("data continue past the last tensor's %d bytes", end)
	}
	raw = make([][]byte, len(s.names))
	for i, ok := range p.seen {
		if !ok {
			continue
		}
		b := data[spans[i].begin:spans[i].end:spans[i].end]
		for j := 0; j < len(b); j += 4 {
			v := math.Float32frombits(binary.LittleEndian.Uint32(b[j:]))
			if v-v != 0 {
				return nil, nil, read, fmt.Errorf("tensor %q holds %v at element %d: %w", s.names[i], v, j/4, ErrNotFinite)
			}
		}
		raw[i] = b
	}
	return raw, p.values, read, nil
}

// decode sets dst from the little-endian float32 values of b, which
// holds len(dst) of them.
func decode(dst []float32, b []byte) {
	for j := range dst {
		dst[j] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*j:]))
	}
}
