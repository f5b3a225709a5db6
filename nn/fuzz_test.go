package nn

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
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

// FuzzReadCheckpoint feeds arbitrary bytes to the checkpoint loader: it
// must return an error or load, never panic or hang; an error leaves the
// Trainer as it was, and a load leaves it in a state a save writes back
// and a Fit can start from.
func FuzzReadCheckpoint(f *testing.F) {
	run := newResumeRun(func() Optimizer { return NewAdam(0.01) })
	tr := run.trainer(1)
	tr.OnStep = func(s StepInfo) error {
		if s.Step == 3 {
			return errStop
		}
		return nil
	}
	tr.Fit(run.data)
	var good bytes.Buffer
	if _, err := tr.WriteCheckpoint(&good); err != nil {
		f.Fatal(err)
	}
	f.Add(good.Bytes())
	f.Add(good.Bytes()[:good.Len()/2])
	f.Add([]byte{})
	n := binary.LittleEndian.Uint64(good.Bytes())
	header := string(good.Bytes()[8 : 8+n])
	f.Add(file(strings.Replace(header, `"state.0.step":"3"`, `"state.0.step":"x"`, 1), good.Bytes()[8+n:]))
	f.Add(file(strings.Replace(header, `"simdnn.epoch_steps":"3"`, `"simdnn.epoch_steps":"9"`, 1), good.Bytes()[8+n:]))
	f.Fuzz(func(t *testing.T, b []byte) {
		tr := run.trainer(2)
		before := paramValues(tr.Model)
		if _, err := tr.ReadCheckpoint(bytes.NewReader(b)); err != nil {
			equalBits(t, "after a failed load", paramValues(tr.Model), before)
			if tr.resume != nil || tr.steps != 0 {
				t.Fatal("a failed load changed the Trainer's position")
			}
			return
		}
		var again bytes.Buffer
		if _, err := tr.WriteCheckpoint(&again); err != nil {
			t.Fatalf("a loaded checkpoint does not save: %v", err)
		}
		tr2 := run.trainer(2)
		if _, err := tr2.ReadCheckpoint(&again); err != nil {
			t.Fatalf("a saved checkpoint does not load: %v", err)
		}
		equalBits(t, "round trip", paramValues(tr2.Model), paramValues(tr.Model))
		tr.Epochs = tr.pos.epoch // at most one epoch, whatever the file says
		if _, err := tr.Fit(run.data); err != nil && !strings.Contains(err.Error(), "this run has") && !errors.Is(err, ErrNotFinite) {
			t.Fatalf("Fit after a load: %v", err)
		}
	})
}
