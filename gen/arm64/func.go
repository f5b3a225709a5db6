package arm64

import (
	"fmt"
	"strings"
)

// Kind is the Go type of a function argument.
type Kind uint8

// The argument types the kernels take.
const (
	Slice   Kind = iota // []float32: base, len, cap
	Int                 // int
	Uint                // uint
	Float32             // float32
	Float64             // float64 (a result)
)

// size and align of a Kind in Go's ABI0 argument frame on arm64.
func (k Kind) size() int  { return [...]int{24, 8, 8, 4, 8}[k] }
func (k Kind) align() int { return [...]int{8, 8, 8, 4, 8}[k] }

// GoType is the type as a Go declaration writes it.
func (k Kind) GoType() string {
	return [...]string{"[]float32", "int", "uint", "float32", "float64"}[k]
}

// Arg is one argument of a function.
type Arg struct {
	Name string
	Kind Kind
}

// Word is an instruction emitted as WORD $Enc because Go's assembler lacks
// it, with GNU its disassembly, as the comment after it says.
type Word struct {
	Enc uint32
	GNU string
}

// File is one assembly file: functions in the order they were added.
type File struct {
	funcs []*Func
}

// Func is one assembly function: a leaf with no stack frame (NOSPLIT,
// $0), its arguments in Go's ABI0 frame.
type Func struct {
	Name string
	Args []Arg
	Doc  []string // the Go declaration's doc comment, one line each

	offsets map[string]int
	size    int
	result  *Kind // the one result, if any, named ret at retOff
	retOff  int
	body    strings.Builder
	words   []Word
}

// Func starts a function named name (without the package's middle dot)
// that takes args.
func (file *File) Func(name string, doc []string, args ...Arg) *Func {
	f := &Func{Name: name, Args: args, Doc: doc, offsets: map[string]int{}}
	off := 0
	for _, a := range args {
		off = (off + a.Kind.align() - 1) / a.Kind.align() * a.Kind.align()
		f.offsets[a.Name] = off
		off += a.Kind.size()
	}
	f.size = off // go vet wants the exact size, not rounded up
	file.funcs = append(file.funcs, f)
	return f
}

// Funcs are the file's functions, in order.
func (file *File) Funcs() []*Func { return file.funcs }

// Words returns every WORD the file's functions emit.
func (file *File) Words() []Word {
	var ws []Word
	for _, f := range file.funcs {
		ws = append(ws, f.words...)
	}
	return ws
}

// Assembly returns the file's text: header (the generated-code line
// first, then the build constraint) and every function.
func (file *File) Assembly(header string) string {
	var b strings.Builder
	b.WriteString(header)
	b.WriteString("#include \"textflag.h\"\n")
	for _, f := range file.funcs {
		fmt.Fprintf(&b, "\n// func %s(%s)%s\nTEXT ·%s(SB), NOSPLIT, $0-%d\n", f.Name, f.Signature(), f.Results(), f.Name, f.size)
		b.WriteString(f.body.String())
	}
	return b.String()
}

// Signature is the parameter list of the Go declaration.
func (f *Func) Signature() string {
	ps := make([]string, len(f.Args))
	for i, a := range f.Args {
		ps[i] = a.Name + " " + a.Kind.GoType()
	}
	return strings.Join(ps, ", ")
}

// Returns gives the function one result of kind k, unnamed (go vet calls
// it ret), after the arguments at the next multiple of 8 bytes, as Go's
// ABI0 places results.
func (f *Func) Returns(k Kind) {
	if f.result != nil {
		panic(fmt.Sprintf("arm64: %s has a result already", f.Name))
	}
	f.result = &k
	f.retOff = (f.size + 7) / 8 * 8
	f.size = f.retOff + k.size()
}

// Results is what the Go declaration writes after the parameter list:
// "" or " float64".
func (f *Func) Results() string {
	if f.result == nil {
		return ""
	}
	return " " + f.result.GoType()
}

// ReturnFloat64 stores the low lane of v, a float64, as the result.
func (f *Func) ReturnFloat64(v V) {
	if f.result == nil || *f.result != Float64 {
		panic(fmt.Sprintf("arm64: %s does not return a float64", f.Name))
	}
	f.op("FMOVD", v.F(), fmt.Sprintf("ret+%d(FP)", f.retOff))
}

func (f *Func) arg(name string, kind Kind) int {
	off, ok := f.offsets[name]
	if !ok {
		panic(fmt.Sprintf("arm64: %s has no argument %s", f.Name, name))
	}
	for _, a := range f.Args {
		if a.Name == name && a.Kind != kind {
			panic(fmt.Sprintf("arm64: %s: argument %s is a %s", f.Name, name, a.Kind.GoType()))
		}
	}
	return off
}

// op writes one instruction in Go syntax.
func (f *Func) op(mnemonic string, operands ...any) {
	s := make([]string, len(operands))
	for i, o := range operands {
		s[i] = fmt.Sprint(o)
	}
	if len(s) == 0 {
		fmt.Fprintf(&f.body, "\t%s\n", mnemonic)
		return
	}
	fmt.Fprintf(&f.body, "\t%-7s %s\n", mnemonic, strings.Join(s, ", "))
}

// word writes enc as a WORD with its GNU disassembly as the comment.
func (f *Func) word(enc uint32, gnu string, args ...any) {
	w := Word{enc, fmt.Sprintf(gnu, args...)}
	f.words = append(f.words, w)
	fmt.Fprintf(&f.body, "\tWORD    $0x%08x // %s\n", w.Enc, w.GNU)
}

// Comment writes a comment line, to say why.
func (f *Func) Comment(lines ...string) {
	for _, l := range lines {
		fmt.Fprintf(&f.body, "\t// %s\n", l)
	}
}

// Label places a label; labels are local to the function.
func (f *Func) Label(name string) { fmt.Fprintf(&f.body, "%s:\n", name) }

// Base loads the base pointer of slice argument name into r.
func (f *Func) Base(name string, r R) {
	f.op("MOVD", fmt.Sprintf("%s_base+%d(FP)", name, f.arg(name, Slice)), r)
}

// Len loads the length of slice argument name into r.
func (f *Func) Len(name string, r R) {
	f.op("MOVD", fmt.Sprintf("%s_len+%d(FP)", name, f.arg(name, Slice)+8), r)
}

// Int loads int or uint argument name into r.
func (f *Func) Int(name string, r R) {
	kind := Int
	for _, a := range f.Args {
		if a.Name == name && a.Kind == Uint {
			kind = Uint
		}
	}
	f.op("MOVD", fmt.Sprintf("%s+%d(FP)", name, f.arg(name, kind)), r)
}

// Float loads float32 argument name into the low lane of v.
func (f *Func) Float(name string, v V) {
	f.op("FMOVS", fmt.Sprintf("%s+%d(FP)", name, f.arg(name, Float32)), v.F())
}
