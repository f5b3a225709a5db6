package nn

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// maxHeader is the largest header, in bytes, that ReadFrom accepts. The
// format's reference implementation (the Rust safetensors crate) refuses
// headers over 100,000,000 bytes; the header of a model of this package
// takes about 100 bytes per tensor (name, dtype, shape, offsets) and 25
// per layer in the description of the metadata, so 16 MiB holds over
// 100,000 layers, far beyond any real model, and leaves room for the
// metadata other writers add. The parser's memory does not grow with the
// header; the cap bounds its time.
const maxHeader = 16 << 20

const (
	// maxName is the number of bytes of a string the parser keeps: longer
	// names are read to their end and shown truncated.
	maxName = 256
	// maxRank is the number of dimensions of a shape the parser keeps.
	maxRank = 8
	// maxListed is the number of unknown tensors an error names.
	maxListed = 5
)

// span is a tensor's [begin, end) byte range in the data section.
type span struct{ begin, end uint64 }

// headerParser reads a safetensors header from a stream and keeps only
// what loading a tensorSet needs: the data range of each of the set's
// tensors, the metadata values the set asks for, and the count and first
// few names of the tensors that are not in the set. Its memory is fixed,
// whatever the header holds.
//
// It accepts the JSON the format allows and nothing else: an object whose
// keys are tensor names, each mapped to an object of exactly the fields
// "dtype" (a string), "shape" (an array of non-negative integers) and
// "data_offsets" (an array of two), spelled so and each present once;
// and one optional "__metadata__" mapping strings to strings. Strings
// must be valid UTF-8 with valid escapes (no lone surrogates), numbers
// integers without sign, fraction or exponent, as the reference
// implementation's types (usize) require. Whitespace may follow the
// object (the format pads the header with spaces).
type headerParser struct {
	r     *bufio.Reader
	cr    *countingReader
	set   *tensorSet
	index map[string]int

	spans   []span
	seen    []bool
	meta    bool
	values  map[string]string // the metadata values set.meta asks for
	unknown int
	listed  []string

	str  []byte // the last string read, its first maxName bytes
	long bool   // whether that string was longer
	cur  []byte // the name of the tensor being read, as str holds it
	curL bool
	curI int // the index of that tensor in the set, or −1
}

func newHeaderParser(set *tensorSet, cr *countingReader) *headerParser {
	p := &headerParser{
		r:      bufio.NewReaderSize(cr, 4096),
		cr:     cr,
		set:    set,
		index:  make(map[string]int, len(set.names)),
		spans:  make([]span, len(set.names)),
		seen:   make([]bool, len(set.names)),
		values: map[string]string{},
		str:    make([]byte, 0, maxName),
		cur:    make([]byte, 0, maxName),
	}
	for i, name := range set.names {
		p.index[name] = i
	}
	return p
}

// countingReader counts the bytes read through it, and records whether
// its reader has ended.
type countingReader struct {
	r   io.Reader
	n   int64
	eof bool
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	if err == io.EOF {
		c.eof = true
	}
	return n, err
}

// errf returns a syntax error at the parser's position in the header.
func (p *headerParser) errf(format string, args ...any) error {
	pos := p.cr.n - int64(p.r.Buffered())
	return fmt.Errorf("header: byte %d: %s", pos, fmt.Sprintf(format, args...))
}

// parse reads the whole header, up to the end of its stream.
func (p *headerParser) parse() error {
	c, err := p.next()
	if err != nil {
		return err
	}
	if c != '{' {
		return p.errf("the header is not a JSON object")
	}
	if c, err = p.next(); err != nil {
		return err
	}
	for c != '}' {
		if c != '"' {
			return p.errf("want a tensor name, found %q", c)
		}
		if err := p.readString(); err != nil {
			return err
		}
		if err := p.expect(':'); err != nil {
			return err
		}
		if !p.long && string(p.str) == "__metadata__" {
			if p.meta {
				return p.errf(`the header holds "__metadata__" twice`)
			}
			p.meta = true
			err = p.metadata()
		} else {
			err = p.tensor()
		}
		if err != nil {
			return err
		}
		if c, err = p.listNext('}'); err != nil {
			return err
		}
	}
	// Only whitespace may follow the object.
	for {
		c, err := p.r.ReadByte()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if !isSpace(c) {
			return p.errf("data after the JSON object")
		}
	}
}

// listNext reads what follows an element of an object or array that
// closes with end: a comma and the next element's first byte, or end.
func (p *headerParser) listNext(end byte) (byte, error) {
	c, err := p.next()
	switch {
	case err != nil:
		return 0, err
	case c == end:
		return c, nil
	case c != ',':
		return 0, p.errf("want ',' or %q, found %q", end, c)
	}
	c, err = p.next()
	if err == nil && c == end {
		return 0, p.errf("a trailing comma")
	}
	return c, err
}

// metadata reads the object of "__metadata__": strings to strings.
func (p *headerParser) metadata() error {
	if err := p.expect('{'); err != nil {
		return err
	}
	c, err := p.next()
	if err != nil {
		return err
	}
	for c != '}' {
		if c != '"' {
			return p.errf("__metadata__: want a key, found %q", c)
		}
		if err := p.readString(); err != nil {
			return err
		}
		if err := p.expect(':'); err != nil {
			return err
		}
		var key string
		wanted := !p.long && p.set.meta[string(p.str)]
		if wanted {
			key = string(p.str)
		}
		if err := p.expect('"'); err != nil {
			return p.or(err, "__metadata__: the value of %s is not a string", p.quoted(p.str, p.long))
		}
		if err := p.readString(); err != nil {
			return err
		}
		if wanted {
			if _, dup := p.values[key]; dup {
				return p.errf("__metadata__: %q twice", key)
			}
			if p.long {
				return p.errf("__metadata__: the value of %q is longer than %d bytes", key, maxName)
			}
			p.values[key] = string(p.str)
		}
		if c, err = p.listNext('}'); err != nil {
			return err
		}
	}
	return nil
}

// tensor reads the entry of the tensor whose name p.str holds.
func (p *headerParser) tensor() error {
	p.cur, p.curL = append(p.cur[:0], p.str...), p.long
	i, known := p.index[string(p.cur)]
	known = known && !p.curL
	p.curI = -1
	if known {
		if p.seen[i] {
			return p.errf("the header names %q twice", p.set.names[i])
		}
		p.seen[i] = true
		p.curI = i
	} else {
		p.unknown++
		if len(p.listed) < maxListed {
			p.listed = append(p.listed, p.quoted(p.cur, p.curL))
		}
	}
	if err := p.expect('{'); err != nil {
		return p.or(err, "tensor %s: the entry is not an object", p.name())
	}
	var have [3]bool
	fields := [3]string{"dtype", "shape", "data_offsets"}
	c, err := p.next()
	if err != nil {
		return err
	}
	for c != '}' {
		if c != '"' {
			return p.errf("tensor %s: want a field name, found %q", p.name(), c)
		}
		if err := p.readString(); err != nil {
			return err
		}
		f := -1
		for j, field := range fields {
			if !p.long && string(p.str) == field {
				f = j
			}
		}
		switch {
		case f < 0:
			return p.errf("tensor %s: unknown field %s (the fields are dtype, shape and data_offsets)", p.name(), p.quoted(p.str, p.long))
		case have[f]:
			return p.errf("tensor %s: field %q twice", p.name(), fields[f])
		}
		have[f] = true
		if err := p.expect(':'); err != nil {
			return err
		}
		switch f {
		case 0:
			if err := p.expect('"'); err != nil {
				return p.or(err, "tensor %s: dtype is not a string", p.name())
			}
			if err := p.readString(); err != nil {
				return err
			}
			if known && (p.long || string(p.str) != "F32") {
				return fmt.Errorf("tensor %s has dtype %s, want F32", p.name(), p.quoted(p.str, p.long))
			}
		case 1:
			if err := p.shape(i, known); err != nil {
				return err
			}
		case 2:
			var off [2]uint64
			if err := p.expect('['); err != nil {
				return p.or(err, "tensor %s: data_offsets is not an array", p.name())
			}
			for j := range off {
				if off[j], err = p.uint("data_offsets"); err != nil {
					return err
				}
				want := byte(',')
				if j == 1 {
					want = ']'
				}
				if err := p.expect(want); err != nil {
					return p.or(err, "tensor %s: data_offsets must be [begin, end]", p.name())
				}
			}
			if known {
				n := uint64(4 * len(p.set.dst[i]))
				if off[0] > off[1] || off[1]-off[0] != n {
					return fmt.Errorf("tensor %s has data offsets [%d, %d), want %d bytes", p.name(), off[0], off[1], n)
				}
				p.spans[i] = span{off[0], off[1]}
			}
		}
		if c, err = p.listNext('}'); err != nil {
			return err
		}
	}
	for j, ok := range have {
		if !ok {
			return p.errf("tensor %s has no field %q", p.name(), fields[j])
		}
	}
	return nil
}

// shape reads a shape and, for a tensor of the set (known, index i),
// checks it is the one the set wants.
func (p *headerParser) shape(i int, known bool) error {
	if err := p.expect('['); err != nil {
		return p.or(err, "tensor %s: shape is not an array", p.name())
	}
	var dims [maxRank]uint64
	rank := 0
	c, err := p.next()
	if err != nil {
		return err
	}
	for c != ']' {
		if err := p.r.UnreadByte(); err != nil {
			return err
		}
		d, err := p.uint("shape")
		if err != nil {
			return err
		}
		if rank < maxRank {
			dims[rank] = d
		}
		rank++
		if c, err = p.listNext(']'); err != nil {
			return err
		}
	}
	if !known {
		return nil
	}
	want := p.set.shapes[i]
	ok := rank == len(want)
	for j := 0; ok && j < rank; j++ {
		ok = dims[j] == uint64(want[j])
	}
	if !ok {
		var b strings.Builder
		b.WriteByte('[')
		for j := range min(rank, maxRank) {
			if j > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprint(&b, dims[j])
		}
		if rank > maxRank {
			fmt.Fprintf(&b, " … (%d dimensions)", rank)
		}
		b.WriteByte(']')
		return fmt.Errorf("tensor %s has shape %s, %s wants %v", p.name(), b.String(), p.set.owner, want)
	}
	return nil
}

// uint reads a non-negative integer, after optional whitespace.
func (p *headerParser) uint(field string) (uint64, error) {
	c, err := p.next()
	if err != nil {
		return 0, err
	}
	if c < '0' || c > '9' {
		return 0, p.errf("tensor %s: %s holds %q, want a non-negative integer", p.name(), field, c)
	}
	v := uint64(c - '0')
	for {
		d, err := p.r.ReadByte()
		if err == io.EOF {
			return v, nil
		}
		if err != nil {
			return 0, err
		}
		switch {
		case d >= '0' && d <= '9':
			if v == 0 {
				return 0, p.errf("tensor %s: %s holds a number with a leading zero", p.name(), field)
			}
			if v > (math.MaxUint64-uint64(d-'0'))/10 {
				return 0, p.errf("tensor %s: %s holds a number beyond 2⁶⁴", p.name(), field)
			}
			v = 10*v + uint64(d-'0')
		case d == '.' || d == 'e' || d == 'E':
			return 0, p.errf("tensor %s: %s holds a number that is not an integer", p.name(), field)
		default:
			return v, p.r.UnreadByte()
		}
	}
}

// next returns the next byte that is not whitespace.
func (p *headerParser) next() (byte, error) {
	for {
		c, err := p.r.ReadByte()
		if err != nil {
			return 0, unexpectedEOF(err)
		}
		if !isSpace(c) {
			return c, nil
		}
	}
}

// expect reads the next byte that is not whitespace, which must be c.
func (p *headerParser) expect(c byte) error {
	got, err := p.next()
	if err != nil {
		return err
	}
	if got != c {
		return p.errf("want %q, found %q", c, got)
	}
	return nil
}

// readString reads a string whose opening quote has been read into
// p.str (its first maxName bytes) and p.long.
func (p *headerParser) readString() error {
	p.str, p.long = p.str[:0], false
	for {
		c, err := p.r.ReadByte()
		if err != nil {
			return unexpectedEOF(err)
		}
		switch {
		case c == '"':
			return nil
		case c == '\\':
			r, err := p.escape()
			if err != nil {
				return err
			}
			p.add(r)
		case c < 0x20:
			return p.errf("control character %q in a string", c)
		case c < utf8.RuneSelf:
			p.add(rune(c))
		default:
			if err := p.r.UnreadByte(); err != nil {
				return err
			}
			r, size, err := p.r.ReadRune()
			if err != nil {
				return unexpectedEOF(err)
			}
			if r == utf8.RuneError && size == 1 {
				return p.errf("a string is not valid UTF-8")
			}
			p.add(r)
		}
	}
}

// escape reads an escape sequence after its backslash.
func (p *headerParser) escape() (rune, error) {
	c, err := p.r.ReadByte()
	if err != nil {
		return 0, unexpectedEOF(err)
	}
	switch c {
	case '"', '\\', '/':
		return rune(c), nil
	case 'b':
		return '\b', nil
	case 'f':
		return '\f', nil
	case 'n':
		return '\n', nil
	case 'r':
		return '\r', nil
	case 't':
		return '\t', nil
	case 'u':
		r, err := p.hex4()
		if err != nil || !utf16.IsSurrogate(r) {
			return r, err
		}
		if r >= 0xdc00 {
			return 0, p.errf("a lone surrogate \\u%04x in a string", r)
		}
		if b, err := p.r.ReadByte(); err != nil || b != '\\' {
			return 0, p.errf("a lone surrogate \\u%04x in a string", r)
		}
		if b, err := p.r.ReadByte(); err != nil || b != 'u' {
			return 0, p.errf("a lone surrogate \\u%04x in a string", r)
		}
		lo, err := p.hex4()
		if err != nil {
			return 0, err
		}
		if lo < 0xdc00 || lo > 0xdfff {
			return 0, p.errf("a lone surrogate \\u%04x in a string", r)
		}
		return utf16.DecodeRune(r, lo), nil
	}
	return 0, p.errf("invalid escape \\%c in a string", c)
}

// hex4 reads the four hex digits of a \u escape.
func (p *headerParser) hex4() (rune, error) {
	var r rune
	for range 4 {
		c, err := p.r.ReadByte()
		if err != nil {
			return 0, unexpectedEOF(err)
		}
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, p.errf("invalid \\u escape in a string")
		}
		r = r<<4 | rune(d)
	}
	return r, nil
}

// add appends r to p.str while it fits in maxName bytes.
func (p *headerParser) add(r rune) {
	if len(p.str)+utf8.RuneLen(r) > maxName {
		p.long = true
		return
	}
	p.str = utf8.AppendRune(p.str, r)
}

// name returns the name of the tensor being read, for a message.
func (p *headerParser) name() string {
	if p.curI >= 0 {
		return fmt.Sprintf("%q", p.set.names[p.curI])
	}
	return p.quoted(p.cur, p.curL)
}

// or returns nil for a nil err, err itself when the header ended early,
// and otherwise the syntax error the format describes.
func (p *headerParser) or(err error, format string, args ...any) error {
	if err == nil || errors.Is(err, io.ErrUnexpectedEOF) {
		return err
	}
	return p.errf(format, args...)
}

// quoted returns s quoted for a message, marked when it was truncated.
func (p *headerParser) quoted(s []byte, long bool) string {
	if long {
		return fmt.Sprintf("%q…", s)
	}
	return fmt.Sprintf("%q", s)
}

// notInSet returns the error for the tensors of the header that are not
// in the set: the first few by name, and how many more.
func (p *headerParser) notInSet() error {
	if p.unknown == 1 {
		return fmt.Errorf("tensor %s is not %s", p.listed[0], p.set.member)
	}
	more := ""
	if n := p.unknown - len(p.listed); n > 0 {
		more = fmt.Sprintf(" and %d more", n)
	}
	return fmt.Errorf("tensors %s%s are not %s", strings.Join(p.listed, ", "), more, p.set.members)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func unexpectedEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
