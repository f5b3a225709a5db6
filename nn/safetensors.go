package nn

import (
	"fmt"
	"io"
)

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
	return s.tensorSet().writeTo(w, map[string]string{"format": "pt", "simdnn.model": s.String()})
}

// tensorSet returns the model's parameters as a tensorSet.
func (s *Sequential) tensorSet() *tensorSet {
	set := &tensorSet{
		owner:   fmt.Sprintf("the model's %v", s),
		member:  fmt.Sprintf("a parameter of %v", s),
		members: fmt.Sprintf("parameters of %v", s),
	}
	for i, p := range s.params {
		set.add(s.names[i], p.Shape, p.Value, false)
	}
	return set
}

// checkFinite returns an error wrapping ErrNotFinite, naming the tensor
// as a saved model names it, if a parameter is NaN or ±Inf.
func (s *Sequential) checkFinite() error { return s.tensorSet().checkFinite() }

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
	set := s.tensorSet()
	raw, _, n, err := set.readFrom(r)
	if err != nil {
		return n, err
	}
	for i, b := range raw {
		decode(set.dst[i], b)
	}
	return n, nil
}
