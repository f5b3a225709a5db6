package nn

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzReadFrom feeds arbitrary bytes to the model loader: it must return
// an error or load, never panic or hang; an error leaves the model as it
// was, and a load leaves it holding what a save of it writes back, from
// a header that encoding/json finds valid.
func FuzzReadFrom(f *testing.F) {
	var good bytes.Buffer
	smallModel(1).WriteTo(&good)
	f.Add(good.Bytes())
	f.Add(good.Bytes()[:good.Len()/2])
	f.Add([]byte{})
	f.Add([]byte("\x10\x00\x00\x00\x00\x00\x00\x00{\"a\":1}        "))
	header, data := goodFile(1)
	f.Add(file(`{"__metadata__":{"k":"\u00e9\ud83d\ude00"},`+smallTensors+"}", data))
	f.Add(file(strings.Replace(header, `"dtype"`, `"DTYPE"`, 1), data))
	f.Add(file(strings.Replace(header, `[0,48]`, `[0,48,48]`, 1), data))
	f.Fuzz(func(t *testing.T, b []byte) {
		m := smallModel(2)
		before := paramValues(m)
		if _, err := m.ReadFrom(bytes.NewReader(b)); err != nil {
			equalBits(t, "after a failed load", paramValues(m), before)
			return
		}
		if n := binary.LittleEndian.Uint64(b); !json.Valid(b[8 : 8+n]) {
			t.Fatalf("loaded a header that is not valid JSON: %q", b[8:8+n])
		}
		var again bytes.Buffer
		if _, err := m.WriteTo(&again); err != nil {
			t.Fatal(err)
		}
		m2 := smallModel(3)
		if _, err := m2.ReadFrom(&again); err != nil {
			t.Fatalf("a saved model does not load: %v", err)
		}
		equalBits(t, "round trip", paramValues(m2), paramValues(m))
	})
}
