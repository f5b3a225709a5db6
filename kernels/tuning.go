package kernels

import (
	"fmt"
	"os"
	"slices"
	"strings"
)

// A tuning is one microarchitecture's choice among kernels of the same
// level that compute the same functions within the same documented
// bounds and differ only in speed from one CPU to another. A level that
// has such alternatives builds one table per tuning (tuned); init keeps
// the table of the tuning chosen for this CPU in available and the others
// in alternates, which the tests run as well, so that a kernel tuned for
// one vendor is verified on the other's CPUs too.
//
// The tunings:
//
//   - "amd": AVX-512's Tanh and Sigmoid divide with VDIVPS. On a Zen 4
//     it measured 11% faster in Sigmoid and 6% in Tanh than the
//     reciprocal (Zen 5: 12% and 11%): AMD's divider keeps up with the
//     other 20 or so instructions per 16 lanes, and the reciprocal's
//     four instructions only add to them. AVX-512's Exp runs three of
//     its additions as FMAs by 1.0, with the same bits, to balance AMD's
//     separate add and multiply pipes: 8% faster on a Zen 4
//     (gen/exp.go, addOnFMA).
//   - "intel": Exp keeps its additions as additions: Intel's 512-bit
//     adds and FMAs share ports, so moving additions buys nothing, and
//     on an Ice Lake-SP Xeon (family 6, model 106) the plain adds
//     measured 4–6% faster.
//     Tanh takes a reciprocal (VRCP14PS) and corrects it with three
//     FMA-unit instructions (gen/vmath.go, quotient); Sigmoid divides
//     with VDIVPS, as on AMD. On that Xeon, 4K elements, the two
//     quotients alternated every 100 calls for 150–200 rounds, the
//     machine ran in two states: in the more frequent one (a busy host,
//     which slows VDIVPS most) Tanh's reciprocal was 4–5% faster and
//     Sigmoid's quotients even (2.50 and 2.49 elements/ns); in the
//     other, VDIVPS was faster in both, 9% in Tanh (3.19 against 2.92)
//     and 10% in Sigmoid (3.26 against 2.97). VDIVPS is therefore never
//     slower in Sigmoid, and Tanh keeps the reciprocal for the state
//     it was measured in most. Sapphire Rapids and later are not
//     measured: they take Ice Lake's choices. To measure again,
//     alternate SIMDNN_TUNING=amd and intel runs of go test ./bench
//     -run '^$' -bench 'Kernels/kernel=(Exp|Tanh|Sigmoid)/size=4096$'
//     -cpu 1.
//
// Every other vendor gets "amd", the tuning measured on two of its
// microarchitectures. The GEMM block sizes are not a tuning: every CPU
// derives them from its caches by one rule (blocksFor).
var knownTunings = []string{"amd", "intel"}

// tuned returns im's tables that differ by tuning: one copy of im per
// entry of variants, each named by its tuning and changed by its func.
func tuned(im impl, variants map[string]func(*impl)) []*impl {
	var out []*impl
	for _, name := range knownTunings {
		change, ok := variants[name]
		if !ok {
			continue
		}
		t := im
		t.tuning = name
		change(&t)
		out = append(out, &t)
	}
	return out
}

// chooseTuning returns the tuning named by want (SIMDNN_TUNING), or
// cpu's (cpuTuning) when want is empty.
func chooseTuning(want, cpu string) (string, error) {
	if want == "" {
		return cpu, nil
	}
	if !slices.Contains(knownTunings, want) {
		return "", fmt.Errorf("simdnn/kernels: SIMDNN_TUNING=%q is not one of %q", want, knownTunings)
	}
	return want, nil
}

// splitTuning keeps, of each level's tables in all (which lists a
// level's tables one after another), the one tuned as tuning, or the
// first when none is, in the order of all; the others are returned as
// alternates.
func splitTuning(all []*impl, tuning string) (kept, alternates []*impl) {
	for i := 0; i < len(all); {
		j := i + 1
		for j < len(all) && all[j].name == all[i].name {
			j++
		}
		level := all[i:j]
		pick := 0
		for k, im := range level {
			if im.tuning == tuning {
				pick = k
			}
		}
		for k, im := range level {
			if k == pick {
				kept = append(kept, im)
			} else {
				alternates = append(alternates, im)
			}
		}
		i = j
	}
	return kept, alternates
}

// tables returns every table this CPU can run: available, with each
// level's alternates after the table kept for it; generic stays last.
func tables() []*impl {
	var all []*impl
	for _, im := range available {
		all = append(all, im)
		for _, alt := range alternates {
			if alt.name == im.name {
				all = append(all, alt)
			}
		}
	}
	return all
}

// label names the table in test and benchmark output: its level, and its
// tuning where the level has more than one.
func (im *impl) label() string {
	if im.tuning == "" {
		return im.name
	}
	return im.name + "-" + im.tuning
}

// Tuning describes the choices the active implementation makes for this
// CPU beyond its instruction set: the tuning of the kernels whose speed
// depends on the microarchitecture ("amd" or "intel", which the
// environment variable SIMDNN_TUNING, read once at init, overrides for
// testing and benchmarking), and the block sizes of its Sgemm, derived
// from the data caches cpuid reports. For example:
//
//	amd: Tanh and Sigmoid divide by VDIVPS; Exp runs three additions as FMAs; Sgemm blocks kc 256, mc 510, nc 8192 (L1d 32 KiB, L2 1 MiB, L3 32 MiB)
func Tuning() string {
	var parts []string
	if active.tuning != "" {
		parts = append(parts, active.tuning+": "+active.tuningNote)
	}
	if b := active.blocks; b.kc > 0 {
		parts = append(parts, fmt.Sprintf("Sgemm blocks kc %d, mc %d, nc %d (%s)", b.kc, b.mc, b.nc, cacheSizes()))
	}
	if len(parts) == 0 {
		return "none: " + active.name + " has no per-CPU choices"
	}
	return strings.Join(parts, "; ")
}

// tuningFromEnv is SIMDNN_TUNING's choice, or this CPU's.
func tuningFromEnv() string {
	t, err := chooseTuning(os.Getenv("SIMDNN_TUNING"), cpuTuning())
	if err != nil {
		panic(err)
	}
	return t
}
