package arm64

import (
	"encoding/binary"

	"golang.org/x/arch/arm64/arm64asm"
)

// Disassemble decodes enc with golang.org/x/arch/arm64asm, a decoder
// written independently of this package's encoders, and returns the
// instruction in GNU syntax, as a WORD's comment should give it.
func Disassemble(enc uint32) (string, error) {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], enc)
	inst, err := arm64asm.Decode(b[:])
	if err != nil {
		return "", err
	}
	return arm64asm.GNUSyntax(inst), nil
}
