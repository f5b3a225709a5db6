// Command bench runs every simdnn kernel on every implementation this CPU
// can run and prints a Markdown table of their throughput, with the ratio
// of each SIMD implementation to the pure-Go one measured in the same run.
//
//	go run ./bench [-n 65536] [-gemm 256] [-benchtime 200ms] [-impl avx2,generic]
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
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/simdnn/simdnn/kernels"
)

// result is one kernel's throughput on one implementation, as a child
// process reports it to the parent, one JSON object per line.
type result struct {
	Impl   string  `json:"impl"`
	Kernel string  `json:"kernel"`
	Value  float64 `json:"value"`
	Unit   string  `json:"unit"`
}

func main() {
	var (
		n         = flag.Int("n", 1<<16, "elements per elementwise call (rows of 1024 for the row-wise kernels)")
		gemm      = flag.Int("gemm", 256, "size of the square Sgemm")
		benchtime = flag.String("benchtime", "200ms", "time per kernel per implementation, as go test's -benchtime")
		impls     = flag.String("impl", "", "comma-separated implementations to run (default: every one available)")
		child     = flag.Bool("child", false, "measure the implementation SIMDNN_KERNELS chose and print JSON lines (used internally)")
	)
	testing.Init()
	flag.Parse()
	if err := flag.Set("test.benchtime", *benchtime); err != nil {
		fatalf("bad -benchtime: %v", err)
	}
	if *n < 1024 || *gemm < 1 {
		fatalf("-n must be at least 1024 and -gemm at least 1")
	}
	if *child {
		measure(os.Stdout, *n, *gemm)
		return
	}

	names := kernels.Available()
	if *impls != "" {
		names = strings.Split(*impls, ",")
	}
	var all []result
	for _, name := range names {
		fmt.Fprintf(os.Stderr, "measuring %s ...\n", name)
		rs, err := runChild(name, os.Args[1:])
		if err != nil {
			fatalf("%s: %v", name, err)
		}
		all = append(all, rs...)
	}
	printTable(os.Stdout, names, all, *n, *gemm)
}

// runChild re-executes this program with SIMDNN_KERNELS=name and -child,
// and collects the results it prints.
func runChild(name string, args []string) ([]result, error) {
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
		rs = append(rs, r)
	}
	if err := cmd.Wait(); err != nil {
		return nil, err
	}
	return rs, sc.Err()
}

// printTable prints one row per kernel and, per implementation, its
// throughput and its ratio to generic when generic was measured too.
func printTable(w io.Writer, names []string, rs []result, n, gemm int) {
	type key struct{ impl, kernel string }
	byKey := map[key]result{}
	var order []string
	for _, r := range rs {
		if _, seen := byKey[key{names[0], r.Kernel}]; r.Impl == names[0] && !seen {
			order = append(order, r.Kernel)
		}
		byKey[key{r.Impl, r.Kernel}] = r
	}
	fmt.Fprintf(w, "simdnn kernels, one goroutine: elementwise n=%d, row-wise %d×1024, Sgemm %d³; best implementation here: %s\n\n", n, n/1024, gemm, kernels.Available()[0])
	fmt.Fprintf(w, "| kernel | unit |")
	for _, name := range names {
		fmt.Fprintf(w, " %s |", name)
		if name != "generic" {
			fmt.Fprintf(w, " %s / generic |", name)
		}
	}
	fmt.Fprintf(w, "\n|---|---|%s\n", strings.Repeat("---:|", 2*len(names)-1))
	for _, k := range order {
		fmt.Fprintf(w, "| %s | %s |", k, byKey[key{names[0], k}].Unit)
		base, haveBase := byKey[key{"generic", k}]
		for _, name := range names {
			r := byKey[key{name, k}]
			fmt.Fprintf(w, " %.3g |", r.Value)
			if name != "generic" {
				if haveBase {
					fmt.Fprintf(w, " %.2f× |", r.Value/base.Value)
				} else {
					fmt.Fprintf(w, " – |")
				}
			}
		}
		fmt.Fprintln(w)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
	os.Exit(1)
}
