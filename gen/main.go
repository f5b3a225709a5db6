// Command gen writes simdnn's assembly and its Go stubs into package asm:
// for each kernel family NAME, asm/NAME_amd64.{s,go} from gen/NAME.go with
// avo, and asm/NAME_arm64.{s,go} from gen/NAME_neon.go with the emitter in
// gen/arm64 (avo does not target arm64); and asm/levels_{amd64,arm64}.go,
// the CPU features of each level (gen/levels.go).
//
// Run it from this directory; the committed files are exactly its output:
//
//	go generate ./...      (same as: go run . -out ../asm)
package main

//go:generate go run . -out ../asm

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/pass"
	"github.com/mmcloughlin/avo/printer"
)

// family is one pair of output files: name_amd64.s and name_amd64.go.
type family struct {
	name  string
	build func(c *build.Context)
}

// families lists every file pair the generator writes.
var families = []family{
	{"relu", reluFamily},
	{"leakyrelu", leakyReLUFamily},
	{"clamp", clampFamily},
	{"exp", expFamily},
	{"tanh", tanhFamily},
	{"sigmoid", sigmoidFamily},
	{"softmax", softmaxFamily},
	{"mse", mseFamily},
	{"sumsq", sumsqFamily},
	{"bias", biasFamily},
	{"axpy", axpyFamily},
	{"scale", scaleFamily},
	{"sgd", sgdFamily},
	{"adam", adamFamily},
	{"sgemm", sgemmFamily},
	{"sgemm_small", sgemmSmallFamily},
	{"sgemm_pack", packFamily},
	{"instruments", instrumentsFamily},
}

// printerConfig names the generator, not its command line, in the
// "Code generated" line, so that the output does not depend on how or
// from where the generator was invoked.
var printerConfig = printer.Config{
	Name: "github.com/simdnn/simdnn/gen",
	Pkg:  "asm",
}

func main() {
	// avo's build package registers its own flags on flag.CommandLine.
	fs := flag.NewFlagSet("gen", flag.ExitOnError)
	out := fs.String("out", "../asm", "directory to write the asm package's generated files into")
	fs.Parse(os.Args[1:])
	log.SetFlags(0)
	log.SetPrefix("gen: ")
	for _, f := range families {
		if err := write(*out, f); err != nil {
			log.Fatal(err)
		}
	}
	if err := writeNEON(*out); err != nil {
		log.Fatal(err)
	}
	if err := writeLevels(*out); err != nil {
		log.Fatal(err)
	}
}

// write builds one family in a fresh avo context and writes its assembly
// and stub files into dir. Nothing is written unless both compile.
func write(dir string, f family) error {
	c := build.NewContext()
	// amd64 comes from the file names; purego removes all assembly.
	c.ConstraintExpr("!purego")
	labelCount = 0 // a family's labels do not depend on the families before it
	f.build(c)

	var asm, stubs buffer
	cfg := &build.Config{
		ErrOut: os.Stderr,
		Passes: []pass.Interface{
			pass.FunctionPass(interleaveCopies),
			pass.Compile,
			pass.FunctionPass(checkISA),
			&pass.Output{Writer: &asm, Printer: printer.NewGoAsm(printerConfig)},
			&pass.Output{Writer: &stubs, Printer: printer.NewStubs(printerConfig)},
		},
	}
	if build.Main(cfg, c) != 0 {
		return fmt.Errorf("%s: avo failed (see above)", f.name)
	}
	if err := checkVEX(asm.String()); err != nil {
		return fmt.Errorf("%s: %v", f.name, err)
	}
	base := filepath.Join(dir, f.name+"_amd64")
	if err := os.WriteFile(base+".s", asm.Bytes(), 0o644); err != nil {
		return err
	}
	return os.WriteFile(base+".go", stubs.Bytes(), 0o644)
}

// highReg matches the vector registers 16–31, which only EVEX encodes.
var highReg = regexp.MustCompile(`\b[XY](1[6-9]|2[0-9]|3[01])\b`)

// checkVEX fails if an AVX2 function uses X16–X31 or Y16–Y31: avo's
// allocator takes them when more than 16 vector values are live, and the
// assembler then emits EVEX instructions that AVX2 CPUs lack.
func checkVEX(asm string) error {
	fn := ""
	for _, line := range strings.Split(asm, "\n") {
		if strings.HasPrefix(line, "TEXT ") {
			fn = strings.Fields(line)[1]
		}
		if strings.Contains(fn, "AVX2") && highReg.MatchString(line) {
			return fmt.Errorf("%s needs more than 16 vector registers: %s", fn, strings.TrimSpace(line))
		}
	}
	return nil
}

// buffer is a bytes.Buffer that pass.Output may close.
type buffer struct{ bytes.Buffer }

// Close does nothing: the bytes stay readable after avo's output pass.
func (*buffer) Close() error { return nil }

var _ io.WriteCloser = (*buffer)(nil)
