package main

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
)

// The IDX format of the MNIST files (http://yann.lecun.com/exdb/mnist/):
// a magic number whose third byte is the element type (0x08: unsigned
// byte) and fourth the number of dimensions, the dimensions as big-endian
// uint32s, then the elements.

// maxIDXDims bounds the dimensions a file may declare.
const maxIDXDims = 4

// readIDX reads an IDX file of unsigned bytes, gzip-compressed when its
// name ends in .gz, and returns its dimensions and elements. The
// dimensions' product must fit in an int, and the file must hold exactly
// that many elements, its compressed stream intact to its end (a gzip
// file's checksum and length are checked); memory grows with the data actually present, so a
// header that claims terabytes costs nothing.
func readIDX(path string) (dims []int, data []byte, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	var r io.Reader = bufio.NewReader(f)
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(r)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		defer gz.Close()
		r = gz
	}
	dims, data, err = decodeIDX(r)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return dims, data, nil
}

// decodeIDX reads an IDX stream of unsigned bytes.
func decodeIDX(r io.Reader) ([]int, []byte, error) {
	var magic [4]byte
	if _, err := io.ReadFull(r, magic[:]); err != nil {
		return nil, nil, fmt.Errorf("reading the IDX header: %w", err)
	}
	if magic[0] != 0 || magic[1] != 0 {
		return nil, nil, fmt.Errorf("not an IDX file (magic % x)", magic)
	}
	if magic[2] != 0x08 {
		return nil, nil, fmt.Errorf("IDX element type 0x%02x, want 0x08 (unsigned byte)", magic[2])
	}
	nd := int(magic[3])
	if nd == 0 || nd > maxIDXDims {
		return nil, nil, fmt.Errorf("IDX file with %d dimensions, want 1 to %d", nd, maxIDXDims)
	}
	raw := make([]byte, 4*nd)
	if _, err := io.ReadFull(r, raw); err != nil {
		return nil, nil, fmt.Errorf("reading the IDX dimensions: %w", err)
	}
	dims := make([]int, nd)
	n := 1
	for i := range dims {
		dims[i] = int(binary.BigEndian.Uint32(raw[4*i:]))
		if dims[i] != 0 && n > math.MaxInt32/dims[i] {
			return nil, nil, fmt.Errorf("IDX dimensions %v hold more than 2³¹ elements", dims[:i+1])
		}
		n *= dims[i]
	}
	data, err := io.ReadAll(io.LimitReader(r, int64(n)))
	if err != nil {
		return nil, nil, err
	}
	if len(data) != n {
		return nil, nil, fmt.Errorf("truncated: IDX dimensions %v need %d bytes, %d present", dims, n, len(data))
	}
	// Read to the end of the stream: a gzip stream checks its trailer
	// (checksum and length) there, and a stream cut after the data fails
	// only there.
	m, err := io.ReadFull(r, make([]byte, 1))
	switch {
	case m > 0:
		return nil, nil, fmt.Errorf("data continue past the %d bytes of IDX dimensions %v", n, dims)
	case err != io.EOF:
		return nil, nil, fmt.Errorf("after the %d bytes of IDX data: %w", n, err)
	}
	return dims, data, nil
}
