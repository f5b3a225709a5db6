package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/klauspost/cpuid/v2"
)

// writeMarkdown writes the report as a Markdown document: the conditions
// of the run stated once (the command, the CPU, Go, the implementations),
// then the tables. It is how docs/bench.md is made, so that anyone can
// make it again on their machine and compare.
func writeMarkdown(w io.Writer, args []string, names []string, rs []result) {
	tags := ""
	if openblasSgemm != nil {
		tags = " -tags openblas"
	}
	fmt.Fprintf(w, "# simdnn's benchmarks\n\n")
	fmt.Fprintf(w, "Written by `go run%s ./bench %s`.\n\n", tags, strings.Join(args, " "))
	fmt.Fprintf(w, "Every ratio is to a figure measured in the same run, on the machine\n")
	fmt.Fprintf(w, "below; the README's Speed section explains the baselines.\n\n")
	fmt.Fprintf(w, "| | |\n|---|---|\n")
	fmt.Fprintf(w, "| CPU | %s |\n", cpuDescription())
	fmt.Fprintf(w, "| Go | %s %s/%s |\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(w, "| implementations | %s |\n", strings.Join(names, ", "))
	if openblasSgemm != nil {
		fmt.Fprintf(w, "| OpenBLAS | one thread, the kernel it picks for this CPU (`OPENBLAS_CORETYPE=%s`) |\n", orDefault(os.Getenv("OPENBLAS_CORETYPE"), "unset"))
	}
	fmt.Fprintln(w)
	printTables(w, names, rs)
}

// cpuDescription names the CPU as cpuid reports it: brand, vendor's
// family and model, logical cores, and the data caches the GEMM blocking
// is sized from.
func cpuDescription() string {
	c := cpuid.CPU
	kb := func(b int) string {
		if b <= 0 {
			return "?"
		}
		if b >= 1<<20 {
			return fmt.Sprintf("%d MB", b>>20)
		}
		return fmt.Sprintf("%d KB", b>>10)
	}
	return fmt.Sprintf("%s (%s family %d model %d), %d logical cores; L1d %s, L2 %s, L3 %s",
		strings.TrimSpace(c.BrandName), c.VendorString, c.Family, c.Model, c.LogicalCores,
		kb(c.Cache.L1D), kb(c.Cache.L2), kb(c.Cache.L3))
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// shellQuote returns s as a shell word: unchanged if it is made of
// characters no shell treats specially, else in single quotes.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,_/-+=:") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
