package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// gzipped returns b compressed with gzip.
func gzipped(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A gzip file cut anywhere after its IDX data (before its final deflate
// block, or in or before its trailer), or whose checksum is wrong, is an
// error: the reader reads the stream to its end, where gzip checks the
// trailer.
func TestReadIDXGzipTrailer(t *testing.T) {
	dir := t.TempDir()
	pixels := make([]byte, 100*28*28)
	for i := range pixels {
		pixels[i] = byte(i * i >> 5)
	}
	raw := idx(8, []uint32{100, 28, 28}, pixels)
	// Flushing after the data marks where the stream holds all of them
	// and nothing after: its final block and trailer follow.
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	afterData := buf.Len()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	gz := buf.Bytes()
	write := func(name string, b []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	if dims, data, err := readIDX(write("good.gz", gz)); err != nil || len(dims) != 3 || !bytes.Equal(data, pixels) {
		t.Fatalf("the intact file: %v %v %v", dims, data, err)
	}
	badCRC := bytes.Clone(gz)
	badCRC[len(badCRC)-8] ^= 1 // the CRC-32 is the trailer's first 4 bytes
	for name, b := range map[string][]byte{
		"after data":   gz[:afterData],
		"no trailer":   gz[:len(gz)-8],
		"half trailer": gz[:len(gz)-4],
		"one byte cut": gz[:len(gz)-1],
		"bad CRC":      badCRC,
	} {
		if _, _, err := readIDX(write(strings.ReplaceAll(name, " ", "-")+".gz", b)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
