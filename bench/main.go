// Command bench runs every simdnn kernel on every implementation this CPU
// can run and prints a Markdown table of their throughput, with the ratio
// of each SIMD implementation to the pure-Go one and of every figure to the
// streaming baseline y = 2·x over as many elements, all measured in the
// same run.
//
//	go run ./bench [-sizes 4096,65536,1048576,16777216] [-gemm 256] [-benchtime 100ms] [-impl avx2,generic]
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
	"strconv"
	"strings"
	"testing"

	"github.com/simdnn/simdnn/kernels"
)

// result is one kernel's throughput on one implementation, as a child
// process reports it to the parent, one JSON object per line.
type result struct {
	Impl   string  `json:"impl"`
	Kernel string  `json:"kernel"`
	Size   string  `json:"size"`
	Value  float64 `json:"value"`
	Unit   string  `json:"unit"`
}

func main() {
	var (
		sizeList  = flag.String("sizes", "4096,65536,1048576,16777216", "comma-separated elements per elementwise call")
		gemm      = flag.Int("gemm", 256, "size of the square Sgemm")
		benchtime = flag.String("benchtime", "100ms", "time per kernel, size and implementation, as go test's -benchtime")
		impls     = flag.String("impl", "", "comma-separated implementations to run (default: every one available)")
		child     = flag.Bool("child", false, "measure the implementation SIMDNN_KERNELS chose and print JSON lines (used internally)")
	)
	testing.Init()
	flag.Parse()
	if err := flag.Set("test.benchtime", *benchtime); err != nil {
		fatalf("bad -benchtime: %v", err)
	}
	sizes, err := parseSizes(*sizeList)
	if err != nil || *gemm < 1 {
		fatalf("-sizes must list positive integers (%v) and -gemm be at least 1", err)
	}
	if *child {
		measure(os.Stdout, sizes, *gemm)
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
	printTable(os.Stdout, names, all)
}

// defaultSizes are the element counts of the Go benchmarks: in L1, in L2,
// in L3 or beyond, and in memory.
var defaultSizes = []int{1 << 12, 1 << 16, 1 << 20, 1 << 24}

// parseSizes parses the -sizes list.
func parseSizes(list string) ([]int, error) {
	var sizes []int
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

// printTable prints one row per kernel and size and, per implementation,
// its throughput, its ratio to generic when generic was measured too, and
// its ratio to the baseline: the fastest y = 2·x of any implementation at
// that size, the streaming speed the machine reached in this run.
func printTable(w io.Writer, names []string, rs []result) {
	type key struct{ impl, kernel, size string }
	type row struct{ kernel, size string }
	byKey := map[key]result{}
	base := map[string]float64{}
	var order []row
	seen := map[row]bool{}
	for _, r := range rs {
		byKey[key{r.Impl, r.Kernel, r.Size}] = r
		if r.Kernel == baseline {
			base[r.Size] = max(base[r.Size], r.Value)
		}
		if k := (row{r.Kernel, r.Size}); !seen[k] {
			seen[k] = true
			order = append(order, k)
		}
	}
	fmt.Fprintf(w, "simdnn kernels, one goroutine; best implementation here: %s. ×base is the ratio to the fastest %q at the same size.\n\n", kernels.Available()[0], baseline)
	fmt.Fprintf(w, "| kernel | size | unit |")
	cols := 0
	for _, name := range names {
		fmt.Fprintf(w, " %s | ×base |", name)
		cols += 2
		if name != "generic" {
			fmt.Fprintf(w, " ×generic |")
			cols++
		}
	}
	fmt.Fprintf(w, "\n|---|---|---|%s\n", strings.Repeat("---:|", cols))
	for _, k := range order {
		fmt.Fprintf(w, "| %s | %s | %s |", k.kernel, k.size, byKey[key{names[0], k.kernel, k.size}].Unit)
		gen, haveGen := byKey[key{"generic", k.kernel, k.size}]
		for _, name := range names {
			r := byKey[key{name, k.kernel, k.size}]
			fmt.Fprintf(w, " %.3g |", r.Value)
			if b := base[k.size]; b > 0 && r.Unit == "elem/ns" {
				fmt.Fprintf(w, " %.2f |", r.Value/b)
			} else {
				fmt.Fprintf(w, " – |")
			}
			if name != "generic" {
				if haveGen {
					fmt.Fprintf(w, " %.2f× |", r.Value/gen.Value)
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
