package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mmcloughlin/avo/ir"
)

// A level is one SIMD implementation of package kernels: the instruction
// set extensions its generated functions may use. This is the one
// description of each level. The generator checks every function it
// writes against it (checkISA), ends each function's doc comment with it,
// and writes it into package asm (asm/levels_ARCH.go) as the cpuid
// features that kernels' dispatch selects the level by and the tests skip
// by.
type level struct {
	name   string   // as kernels.Impl names it
	goName string   // the variable in package asm that lists its features
	what   string   // the extensions, for people
	isa    []string // the extensions beyond the architecture's baseline, as avo and cpuid both name them
}

var (
	avx2Level   = level{name: "avx2", goName: "AVX2", what: "AVX, AVX2 and FMA3", isa: []string{"AVX", "AVX2", "FMA3"}}
	avx512Level = level{name: "avx512", goName: "AVX512", what: "the avx2 level's and AVX-512F", isa: []string{"AVX", "AVX2", "FMA3", "AVX512F"}}
	neonLevel   = level{name: "neon", goName: "NEON", what: "ASIMD", isa: []string{"ASIMD"}}
)

// amd64Baseline is what every amd64 CPU has, which avo may report as
// required: MMX+ is its name for the SSE prefetches.
var amd64Baseline = []string{"CMOV", "SSE", "SSE2", "MMX+"}

// AVX-512's opmask and ZMM forms need only AVX-512F; the VL, BW and DQ
// subsets would add forms the kernels do not use, and would keep the level
// off CPUs that lack them for no gain. checkISA holds the kernels to that.

// requires is the last line of the doc comment of every function of the
// level.
func (l level) requires() string {
	return fmt.Sprintf("It belongs to the %s level (%s: asm.%s); the caller checks the CPU.", l.name, l.what, l.goName)
}

// levelOf returns the level of the amd64 function named name, from its
// suffix.
func levelOf(name string) (level, bool) {
	switch {
	case strings.HasSuffix(name, avx512Level.goName):
		return avx512Level, true
	case strings.HasSuffix(name, avx2Level.goName):
		return avx2Level, true
	}
	return level{}, false
}

// checkISA fails unless every extension fn needs, as avo computes it
// from its instructions, belongs to its level or to the baseline.
func checkISA(fn *ir.Function) error {
	l, ok := levelOf(fn.Name)
	if !ok {
		return fmt.Errorf("%s: its name ends in no level's suffix (%s, %s)", fn.Name, avx2Level.goName, avx512Level.goName)
	}
	for _, ext := range fn.ISA {
		if !slices.Contains(l.isa, ext) && !slices.Contains(amd64Baseline, ext) {
			return fmt.Errorf("%s needs %s, which is outside the %s level (%s)", fn.Name, ext, l.name, strings.Join(l.isa, ", "))
		}
	}
	return nil
}

// writeLevels writes asm/levels_amd64.go and asm/levels_arm64.go: each
// level's extensions as cpuid features.
func writeLevels(dir string) error {
	for _, f := range []struct {
		arch   string
		levels []level
	}{{"amd64", []level{avx2Level, avx512Level}}, {"arm64", []level{neonLevel}}} {
		var b strings.Builder
		b.WriteString(neonHeader)
		b.WriteString("package asm\n\nimport \"github.com/klauspost/cpuid/v2\"\n\n")
		b.WriteString("// The CPU features each level's functions use, as cpuid names them: a\n")
		b.WriteString("// level's functions may run where cpuid.CPU.Supports(level...) holds.\n")
		b.WriteString("var (\n")
		for i, l := range f.levels {
			if i > 0 {
				b.WriteString("\n")
			}
			ids := make([]string, len(l.isa))
			for j, ext := range l.isa {
				ids[j] = "cpuid." + ext
			}
			fmt.Fprintf(&b, "\t// %s is the %s level: %s.\n", l.goName, l.name, strings.Join(l.isa, ", "))
			fmt.Fprintf(&b, "\t%s = []cpuid.FeatureID{%s}\n", l.goName, strings.Join(ids, ", "))
		}
		b.WriteString(")\n")
		if err := os.WriteFile(filepath.Join(dir, "levels_"+f.arch+".go"), []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	return nil
}
