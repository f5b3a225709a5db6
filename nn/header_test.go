package nn

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// goodFile returns the header and the data of smallModel(seed) as WriteTo
// writes them.
func goodFile(seed uint64) (header string, data []byte) {
	var b bytes.Buffer
	if _, err := smallModel(seed).WriteTo(&b); err != nil {
		panic(err)
	}
	n := binary.LittleEndian.Uint64(b.Bytes())
	return string(b.Bytes()[8 : 8+n]), b.Bytes()[8+n:]
}

// smallTensors is the tensor entries of smallModel's header, without the
// braces.
const smallTensors = `"0.weight":{"dtype":"F32","shape":[4,3],"data_offsets":[0,48]},` +
	`"0.bias":{"dtype":"F32","shape":[4],"data_offsets":[48,64]},` +
	`"2.weight":{"dtype":"F32","shape":[2,4],"data_offsets":[64,96]},` +
	`"2.bias":{"dtype":"F32","shape":[2],"data_offsets":[96,104]}`

// file returns a safetensors file of the given header and data.
func file(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	return append(append(b, header...), data...)
}

// repeatTo returns prefix, then item(i) for i = 0, 1, ... joined by sep,
// then suffix, as long as the whole stays within size bytes.
func repeatTo(size int, prefix, sep, suffix string, item func(i int) string) string {
	var b strings.Builder
	b.Grow(size)
	b.WriteString(prefix)
	for i := 0; ; i++ {
		s := item(i)
		if b.Len()+len(sep)+len(s)+len(suffix) > size {
			break
		}
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(s)
	}
	b.WriteString(suffix)
	return b.String()
}

// The loader's memory does not grow with the header: headers up to the
// limit made of millions of metadata keys, of padding, of one huge
// string, of many unknown tensors or of a huge shape cost a few
// kilobytes beyond the model's own size, legal or not.
func TestReadFromHeaderMemory(t *testing.T) {
	if asanBuild() {
		t.Skip("allocation figures mean nothing under -asan")
	}
	size := maxHeader
	if testing.Short() {
		size = 1 << 20
	}
	_, data := goodFile(1)
	key := func(i int) string { return fmt.Sprintf(`"k%d":""`, i) }
	cases := []struct {
		name   string
		header string
		legal  bool
	}{
		{"metadata keys", repeatTo(size, `{"__metadata__":{`, ",", `},`+smallTensors+`}`, key), true},
		{"padding", "{" + smallTensors + "}" + strings.Repeat(" ", size-len(smallTensors)-2), true},
		{"leading whitespace", strings.Repeat("\n", size-len(smallTensors)-2) + "{" + smallTensors + "}", true},
		{"one metadata value", `{"__metadata__":{"k":"` + strings.Repeat("v", size-len(smallTensors)-26) + `"},` + smallTensors + "}", true},
		{"escaped metadata value", `{"__metadata__":{"k":"` + strings.Repeat(`\u00e9`, (size-len(smallTensors)-26)/6) + `"},` + smallTensors + "}", true},
		{"unknown tensors", repeatTo(size, "{"+smallTensors+",", ",", "}", func(i int) string {
			return fmt.Sprintf(`"x%d":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}`, i)
		}), false},
		{"one long name", `{"` + strings.Repeat("n", size-100) + `":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, false},
		{"huge shape", repeatTo(size, `{"0.weight":{"dtype":"F32","shape":[`, ",", `],"data_offsets":[0,48]}}`, func(int) string { return "1" }), false},
		{"huge unknown shape", repeatTo(size, `{"x":{"dtype":"F32","shape":[`, ",", `],"data_offsets":[0,48]}}`, func(int) string { return "7" }), false},
	}
	for _, c := range cases {
		if len(c.header) > size || len(c.header) < size-64 {
			t.Fatalf("%s: header of %d bytes, want about %d", c.name, len(c.header), size)
		}
		if json.Valid([]byte(c.header)) != true {
			t.Fatalf("%s: the header is not valid JSON", c.name)
		}
		b := file(c.header, data)
		m := smallModel(2)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		_, err := m.ReadFrom(bytes.NewReader(b))
		elapsed := time.Since(start)
		runtime.ReadMemStats(&after)
		alloc := after.TotalAlloc - before.TotalAlloc
		t.Logf("%s: %d-byte header, %v, %d bytes allocated in %d allocations; err = %.120v", c.name, len(c.header), elapsed, alloc, after.Mallocs-before.Mallocs, err)
		if (err == nil) != c.legal {
			t.Errorf("%s: err = %v, want legal = %v", c.name, err, c.legal)
		}
		// The model's data are 104 bytes; the parser's buffers a few KB.
		if alloc > 32<<10 {
			t.Errorf("%s: ReadFrom allocated %d bytes for a %d-byte header, want at most 32 KiB", c.name, alloc, len(c.header))
		}
	}
}

// A header longer than the limit is refused from its length alone.
func TestReadFromHeaderLimit(t *testing.T) {
	header, data := goodFile(1)
	for _, n := range []uint64{maxHeader + 1, 100_000_000, 1 << 63} {
		b := binary.LittleEndian.AppendUint64(nil, n)
		b = append(append(b, header...), data...)
		_, err := smallModel(2).ReadFrom(bytes.NewReader(b))
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("header length %d exceeds the limit of %d bytes", n, maxHeader)) {
			t.Errorf("header length %d: err = %v", n, err)
		}
	}
	// At the limit it is parsed.
	padded := header + strings.Repeat(" ", maxHeader-len(header))
	if _, err := smallModel(2).ReadFrom(bytes.NewReader(file(padded, data))); err != nil {
		t.Errorf("a header of exactly %d bytes: %v", maxHeader, err)
	}
}

// An error about unknown tensors names a handful and counts the rest,
// however many there are.
func TestReadFromErrorNamesFew(t *testing.T) {
	const n = 100_000
	_, data := goodFile(1)
	var b strings.Builder
	b.WriteString("{" + smallTensors)
	for i := range n {
		fmt.Fprintf(&b, `,"extra.%06d":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}`, i)
	}
	b.WriteString("}")
	_, err := smallModel(2).ReadFrom(bytes.NewReader(file(b.String(), data)))
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if len(msg) > 400 || strings.Count(msg, "extra.") > maxListed || !strings.Contains(msg, fmt.Sprintf("and %d more", n-maxListed)) || !strings.Contains(msg, `"extra.000000"`) {
		t.Errorf("error of %d bytes: %.600s", len(msg), msg)
	}
	// One unknown tensor, and a name too long to print whole.
	long := strings.Repeat("z", 10_000)
	for _, c := range []struct{ name, want string }{
		{"x", `tensor "x" is not a parameter of`},
		{long, `tensor "` + long[:maxName] + `"… is not a parameter`},
	} {
		h := "{" + smallTensors + `,"` + c.name + `":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`
		_, err := smallModel(2).ReadFrom(bytes.NewReader(file(h, data)))
		if err == nil || !strings.Contains(err.Error(), c.want) || len(err.Error()) > 600 {
			t.Errorf("unknown tensor %.20q: err = %.700v", c.name, err)
		}
	}
}

// The header parser takes the format's JSON exactly: field names as the
// format spells them, each once, two data offsets, integer numbers, valid
// strings; and it accepts what JSON allows in the layout.
func TestReadFromStrictHeader(t *testing.T) {
	header, data := goodFile(1)
	rep := func(old, new string) string {
		if !strings.Contains(header, old) {
			t.Fatalf("the header lacks %s", old)
		}
		return strings.Replace(header, old, new, 1)
	}
	w0 := `"0.weight":{"dtype":"F32","shape":[4,3],"data_offsets":[0,48]}`
	for name, h := range map[string]string{
		"DTYPE":                 rep(`"dtype":"F32","shape":[4,3]`, `"DTYPE":"F32","shape":[4,3]`),
		"Shape":                 rep(`"shape":[4,3]`, `"Shape":[4,3]`),
		"Data_Offsets":          rep(`"data_offsets":[0,48]`, `"Data_Offsets":[0,48]`),
		"three offsets":         rep(`[0,48]`, `[0,48,48]`),
		"one offset":            rep(`[0,48]`, `[48]`),
		"no offsets":            rep(`[0,48]`, `[]`),
		"repeated field":        rep(`"dtype":"F32","shape":[4,3]`, `"dtype":"F32","dtype":"F32","shape":[4,3]`),
		"unknown field":         rep(`"dtype":"F32","shape":[4,3]`, `"dtype":"F32","extra":1,"shape":[4,3]`),
		"missing field":         rep(`"dtype":"F32","shape":[4,3],`, `"shape":[4,3],`),
		"fraction":              rep(`[0,48]`, `[0,48.0]`),
		"exponent":              rep(`[0,48]`, `[0,4.8e1]`),
		"negative":              rep(`"shape":[4,3]`, `"shape":[4,-3]`),
		"minus zero":            rep(`[0,48]`, `[-0,48]`),
		"leading zero":          rep(`[0,48]`, `[0,048]`),
		"offset beyond 2^64":    rep(`[0,48]`, `[0,18446744073709551664]`),
		"string number":         rep(`[0,48]`, `[0,"48"]`),
		"null dtype":            rep(`"dtype":"F32","shape":[4,3]`, `"dtype":null,"shape":[4,3]`),
		"nested shape":          rep(`"shape":[4,3]`, `"shape":[[4],3]`),
		"trailing comma":        rep(`[4,3]`, `[4,3,]`),
		"object trailing comma": "{" + smallTensors + ",}",
		"metadata number":       `{"__metadata__":{"format":1},` + smallTensors + "}",
		"metadata twice":        `{"__metadata__":{},"__metadata__":{},` + smallTensors + "}",
		"metadata not object":   `{"__metadata__":"pt",` + smallTensors + "}",
		"lone surrogate":        `{"__metadata__":{"k":"\ud800"},` + smallTensors + "}",
		"lone low surrogate":    `{"__metadata__":{"k":"\udc00x"},` + smallTensors + "}",
		"bad escape":            `{"__metadata__":{"k":"\x"},` + smallTensors + "}",
		"control character":     "{\"__metadata__\":{\"k\":\"a\tb\"}," + smallTensors + "}",
		"invalid UTF-8":         "{\"__metadata__\":{\"k\":\"\xff\"}," + smallTensors + "}",
		"duplicate tensor":      "{" + w0 + "," + smallTensors + "}",
		"escaped duplicate":     `{"0.\u0077eight":{"dtype":"F32","shape":[4,3],"data_offsets":[0,48]},` + smallTensors + "}",
		"not an object":         "[" + smallTensors + "]",
		"data after":            "{" + smallTensors + "}x",
		"second object":         "{" + smallTensors + "}{}",
		"unclosed":              "{" + smallTensors + strings.Repeat(" ", 8),
		"single quotes":         strings.ReplaceAll("{"+smallTensors+"}", `"`, `'`),
	} {
		_, err := smallModel(2).ReadFrom(bytes.NewReader(file(h, data)))
		if err == nil {
			t.Errorf("%s: accepted %s", name, h)
		} else if len(err.Error()) > 600 {
			t.Errorf("%s: error of %d bytes", name, len(err.Error()))
		}
	}
	// The layouts JSON allows load, and give the same parameters.
	want := paramValues(smallModel(1))
	for name, h := range map[string]string{
		"as written":       header,
		"whitespace":       " {\n\t\"0.weight\" : { \"dtype\" : \"F32\" , \"shape\" : [ 4 , 3 ] , \"data_offsets\" : [ 0 , 48 ] } ,\r\n" + smallTensors[len(w0)+1:] + " }\n  ",
		"field order":      rep(`{"dtype":"F32","shape":[4,3],"data_offsets":[0,48]}`, `{"data_offsets":[0,48],"shape":[4,3],"dtype":"F32"}`),
		"no metadata":      "{" + smallTensors + "}",
		"metadata last":    "{" + smallTensors + `,"__metadata__":{"format":"pt","a\"b":"\u00e9\ud83d\ude00/\/"}}`,
		"escaped name":     strings.Replace("{"+smallTensors+"}", `"0.weight"`, `"0.\u0077eight"`, 1),
		"tensor order":     "{" + smallTensors[len(w0)+1:] + "," + w0 + "}",
		"empty metadata":   `{"__metadata__":{},` + smallTensors + "}",
		"unicode metadata": `{"__metadata__":{"é":"日本"},` + smallTensors + "}",
	} {
		m := smallModel(2)
		if _, err := m.ReadFrom(bytes.NewReader(file(h, data))); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		equalBits(t, name, paramValues(m), want)
	}
}
