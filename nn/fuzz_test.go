package nn

import (
	"bytes"
	"testing"
)

// FuzzReadFrom feeds arbitrary bytes to the model loader: it must return
// an error or load, never panic or hang; an error leaves the model as it
// was, and a load leaves it holding what a save of it writes back.
func FuzzReadFrom(f *testing.F) {
	var good bytes.Buffer
	smallModel(1).WriteTo(&good)
	f.Add(good.Bytes())
	f.Add(good.Bytes()[:good.Len()/2])
	f.Add([]byte{})
	f.Add([]byte("\x10\x00\x00\x00\x00\x00\x00\x00{\"a\":1}        "))
	f.Fuzz(func(t *testing.T, b []byte) {
		m := smallModel(2)
		before := paramValues(m)
		if _, err := m.ReadFrom(bytes.NewReader(b)); err != nil {
			equalBits(t, "after a failed load", paramValues(m), before)
			return
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
