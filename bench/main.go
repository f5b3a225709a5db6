// Command bench runs every simdnn kernel, and a training step of the MNIST
// MLP, on every implementation this CPU can run and prints one Markdown
// table per kernel family: each figure, then its ratio to the pure-Go
// implementation and to its baseline measured in the same run — the
// streaming baseline y = 2·x over as many elements (the optimizer updates:
// a stream of as many arrays), or for flops the FMA peak of the
// implementation's vector width, and for Sgemm gonum's blas32.Gemm (and,
// built with -tags openblas, OpenBLAS's cblas_sgemm on one thread). It
// draws the Sgemm and elementwise figures in PNG plots, and with -json
// writes every figure in machine-readable form.
//
//	go run ./bench [-sizes 4096,65536,1048576,16777216] [-gemm 64,256,1024]
//	               [-train 64,256] [-infer 1,8,64] [-kernels 'ReLU|Sgemm'] [-impl avx2,generic]
//	               [-threads 1] [-benchtime 100ms] [-out bench/out] [-json results.json]
//
// Each implementation is measured in a child process of its own, started
// with SIMDNN_KERNELS set, because the kernels package chooses its
// implementation once at init.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/simdnn/simdnn/kernels"
)

// result is one kernel's throughput on one implementation, as a child
// process reports it to the parent, one JSON object per line. A child's
// first line carries only Total, the number of results to come.
type result struct {
	Impl   string  `json:"impl"`
	Kernel string  `json:"kernel,omitempty"`
	Size   string  `json:"size,omitempty"`
	Value  float64 `json:"value,omitempty"`
	Unit   string  `json:"unit,omitempty"`
	Total  int     `json:"total,omitempty"`
}

func main() {
	// The program's own flags, on a set of their own: testing.Init
	// registers go test's thirty-odd -test.* flags on flag.CommandLine,
	// which -h would otherwise list first.
	fs := flag.NewFlagSet("bench", flag.ExitOnError)
	var (
		sizeList  = fs.String("sizes", "4096,65536,1048576,16777216", "comma-separated elements per elementwise call")
		gemmList  = fs.String("gemm", "64,256,1024", "comma-separated sides of the square Sgemm")
		trainList = fs.String("train", "64,256", "comma-separated batch sizes of the MNIST MLP's training step (empty: none)")
		inferList = fs.String("infer", "1,8,64", "comma-separated batch sizes of the MNIST MLP's forward pass (empty: none)")
		kernelRE  = fs.String("kernels", "", "regular expression: measure only the kernels it matches (and their baselines)")
		benchtime = fs.String("benchtime", "100ms", "time per kernel, size and implementation, as go test's -benchtime")
		impls     = fs.String("impl", "", "comma-separated implementations to run (default: every one available)")
		threads   = fs.Int("threads", 1, "goroutines per Sgemm (kernels.SetThreads; 0: GOMAXPROCS)")
		outDir    = fs.String("out", filepath.Join("bench", "out"), "directory for the PNG plots (empty: no plots)")
		jsonPath  = fs.String("json", "", "also write every result to this file as JSON")
		mdPath    = fs.String("markdown", "", "also write the tables to this file as a Markdown document that states the CPU, Go and the command (docs/bench.md)")
		quiet     = fs.Bool("quiet", false, "no progress bar")
		child     = fs.Bool("child", false, "measure the implementation SIMDNN_KERNELS chose and print JSON lines (used internally)")
	)
	fs.Parse(os.Args[1:])
	testing.Init()
	if err := flag.Set("test.benchtime", *benchtime); err != nil {
		fatalf("bad -benchtime: %v", err)
	}
	sizes, err := parseSizes(*sizeList)
	if err != nil {
		fatalf("-sizes: %v", err)
	}
	gemms, err := parseSizes(*gemmList)
	if err != nil {
		fatalf("-gemm: %v", err)
	}
	trains, err := parseSizes(*trainList)
	if err != nil {
		fatalf("-train: %v", err)
	}
	infers, err := parseSizes(*inferList)
	if err != nil {
		fatalf("-infer: %v", err)
	}
	var filter *regexp.Regexp
	if *kernelRE != "" {
		if filter, err = regexp.Compile(*kernelRE); err != nil {
			fatalf("-kernels: %v", err)
		}
	}
	if *child {
		kernels.SetThreads(*threads)
		if *threads > 0 {
			// gonum's Gemm spreads over GOMAXPROCS goroutines: hold it
			// to the same number as simdnn's Sgemm.
			runtime.GOMAXPROCS(*threads)
		}
		measure(os.Stdout, sizes, gemms, trains, infers, filter)
		return
	}

	names := kernels.Available()
	if *impls != "" {
		names = strings.Split(*impls, ",")
	}
	var bar *progressbar.ProgressBar
	// A bar on a terminal only: written to a log, its redraws are noise.
	showBar := !*quiet && term.IsTerminal(int(os.Stderr.Fd()))
	progress := func(total int) {
		if !showBar {
			return
		}
		if total > 0 { // a child's first line
			if bar != nil {
				return
			}
			bar = progressbar.NewOptions(total*len(names),
				progressbar.OptionSetWriter(os.Stderr),
				progressbar.OptionSetDescription("measuring"),
				progressbar.OptionShowCount(),
				progressbar.OptionClearOnFinish(),
			)
			return
		}
		if bar != nil {
			bar.Add(1)
		}
	}
	var all []result
	for _, name := range names {
		if bar != nil {
			bar.Describe("measuring " + name)
		}
		rs, err := runChild(name, os.Args[1:], progress)
		if err != nil {
			fatalf("%s: %v", name, err)
		}
		all = append(all, rs...)
	}
	if bar != nil {
		bar.Finish()
	}
	printTables(os.Stdout, names, all)
	if *jsonPath != "" {
		b, _ := json.MarshalIndent(all, "", "  ")
		if err := os.WriteFile(*jsonPath, append(b, '\n'), 0o644); err != nil {
			fatalf("%v", err)
		}
	}
	if *mdPath != "" {
		var b strings.Builder
		var args []string
		fs.Visit(func(f *flag.Flag) {
			if f.Name != "markdown" && f.Name != "quiet" {
				args = append(args, "-"+f.Name+" "+shellQuote(f.Value.String()))
			}
		})
		writeMarkdown(&b, args, names, all)
		if err := os.WriteFile(*mdPath, []byte(b.String()), 0o644); err != nil {
			fatalf("%v", err)
		}
	}
	if *outDir != "" {
		files, err := plotResults(*outDir, names, all)
		if err != nil {
			fatalf("plots: %v", err)
		}
		fmt.Printf("\nplots: %s\n", strings.Join(files, ", "))
	}
}

// defaultSizes are the element counts of the Go benchmarks: in L1, in L2,
// in L3 or beyond, and in memory.
var defaultSizes = []int{1 << 12, 1 << 16, 1 << 20, 1 << 24}

// parseSizes parses a comma-separated list of positive integers; an empty
// list is none.
func parseSizes(list string) ([]int, error) {
	var sizes []int
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	for _, f := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bad size %q", f)
		}
		sizes = append(sizes, n)
	}
	return sizes, nil
}

// runChild re-executes this program with SIMDNN_KERNELS=name and -child,
// and collects the results it prints.
func runChild(name string, args []string, progress func(total int)) ([]result, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, append(args, "-child")...)
	cmd.Env = append(os.Environ(), "SIMDNN_KERNELS="+name)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	var rs []result
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		var r result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("child output %q: %v", sc.Text(), err)
		}
		if r.Impl != name {
			return nil, fmt.Errorf("asked for %s, the child ran %s (does this CPU have it?)", name, r.Impl)
		}
		progress(r.Total)
		if r.Total == 0 {
			rs = append(rs, r)
		}
	}
	if err := cmd.Wait(); err != nil {
		return nil, err
	}
	return rs, sc.Err()
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
	os.Exit(1)
}
