package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/simdnn/simdnn/gen/arm64"
)

// wordLine is a WORD as the emitter writes it: the encoding, then the
// instruction in GNU syntax as a comment.
var wordLine = regexp.MustCompile(`^\tWORD +\$0x([0-9a-f]{8}) // (.*)$`)

// TestNEONWords reads every WORD in the text of every generated arm64
// file, decodes it with golang.org/x/arch/arm64asm, and checks that it
// is the instruction its comment names; a WORD line that does not parse
// fails too, and so would a word the emitter made but did not write.
func TestNEONWords(t *testing.T) {
	for _, fam := range neonFamilies {
		file, asm, _ := buildNEON(fam)
		checked := 0
		for i, line := range strings.Split(asm, "\n") {
			if !strings.Contains(line, "WORD") {
				continue
			}
			m := wordLine.FindStringSubmatch(line)
			if m == nil {
				t.Errorf("%s_arm64.s:%d: unexpected WORD line %q", fam.name, i+1, line)
				continue
			}
			enc, _ := strconv.ParseUint(m[1], 16, 32)
			if got, err := arm64.Disassemble(uint32(enc)); err != nil || got != m[2] {
				t.Errorf("%s_arm64.s:%d: %s decodes as %q, %v", fam.name, i+1, strings.TrimSpace(line), got, err)
			}
			checked++
		}
		if want := len(file.Words()); checked != want {
			t.Errorf("%s_arm64.s: %d WORD lines, the emitter made %d", fam.name, checked, want)
		}
		t.Logf("%s_arm64.s: %d WORDs decoded", fam.name, checked)
	}
}
