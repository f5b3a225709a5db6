package kernels

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// testImpls returns the implementations the tests run: every table this
// CPU can run, those of every tuning included, or, when SIMDNN_KERNELS
// chose one, only the active one.
//
// Under the race detector it leaves out the tunings' alternate tables.
// The detector sees Go code only, and an alternate differs from the
// table kept for its level only in assembly kernels, which it cannot
// instrument; every other test run covers the alternates. Without them
// the race run of this package fits its ten minutes on a 2-core Ice
// Lake Xeon, which has four tables and two more GEMM block variants.
func testImpls() []*impl {
	if os.Getenv("SIMDNN_KERNELS") != "" {
		return []*impl{active}
	}
	if raceBuild {
		return available
	}
	return tables()
}

// forEachImpl runs f once per implementation under test, as a subtest
// named after it, with that implementation active. Tests that use it must
// not run in parallel with each other.
func forEachImpl(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	forEachImplIn(t, testImpls(), f)
}

// forEachImplIn is forEachImpl over the implementations impls.
func forEachImplIn(t *testing.T, impls []*impl, f func(t *testing.T)) {
	t.Helper()
	for _, im := range impls {
		t.Run(im.label(), func(t *testing.T) {
			old := active
			active = im
			defer func() { active = old }()
			f(t)
		})
	}
}

// TestExpectedImpl fails when SIMDNN_EXPECT names an implementation other
// than the one dispatch chose, so that CI's runs under emulated CPUs
// cannot quietly test the wrong code.
func TestExpectedImpl(t *testing.T) {
	want := os.Getenv("SIMDNN_EXPECT")
	if want == "" {
		t.Skip("SIMDNN_EXPECT not set")
	}
	if got := Impl(); got != want {
		t.Fatalf("Impl() = %q, SIMDNN_EXPECT = %q (available: %q)", got, want, Available())
	}
}

func TestChoose(t *testing.T) {
	avx512 := &impl{name: "avx512"}
	avx2 := &impl{name: "avx2"}
	old := archLevels
	archLevels = []string{"generic", "avx2", "avx512"}
	defer func() { archLevels = old }()

	for _, tc := range []struct {
		want string
		have []*impl
		got  string
	}{
		{"", []*impl{avx512, avx2, &generic}, "avx512"},
		{"", []*impl{&generic}, "generic"},
		{"avx2", []*impl{avx512, avx2, &generic}, "avx2"},
		{"generic", []*impl{avx512, avx2, &generic}, "generic"},
		{"avx512", []*impl{avx2, &generic}, "avx2"},          // CPU lacks AVX-512
		{"avx512", []*impl{&generic}, "generic"},             // nor AVX2
		{"avx2", []*impl{&generic}, "generic"},               // lower, never higher
		{"neon", []*impl{avx512, avx2, &generic}, "generic"}, // another arch
	} {
		got, err := choose(tc.want, tc.have)
		if err != nil || got.name != tc.got {
			t.Errorf("choose(%q, ...) = %v, %v; want %s", tc.want, got, err, tc.got)
		}
	}
	if _, err := choose("avx3", []*impl{&generic}); err == nil {
		t.Errorf("choose(%q) accepted an unknown level", "avx3")
	}
}

func TestAvailable(t *testing.T) {
	names := Available()
	if len(names) == 0 || names[len(names)-1] != "generic" {
		t.Fatalf("Available() = %q, want generic last", names)
	}
	if os.Getenv("SIMDNN_KERNELS") == "" && Impl() != names[0] {
		t.Fatalf("Impl() = %q, want the best available %q", Impl(), names[0])
	}
}

func TestSplitTuning(t *testing.T) {
	a := &impl{name: "avx512", tuning: "amd"}
	i := &impl{name: "avx512", tuning: "intel"}
	v := &impl{name: "avx2"}
	g := &impl{name: "generic"}
	for _, tc := range []struct {
		tuning          string
		kept, alternate []*impl
	}{
		{"amd", []*impl{a, v, g}, []*impl{i}},
		{"intel", []*impl{i, v, g}, []*impl{a}},
		{"", []*impl{a, v, g}, []*impl{i}}, // no tuning: the level's first
	} {
		kept, alt := splitTuning([]*impl{a, i, v, g}, tc.tuning)
		if !slices.Equal(kept, tc.kept) || !slices.Equal(alt, tc.alternate) {
			t.Errorf("splitTuning(%q) = %v, %v; want %v, %v", tc.tuning, kept, alt, tc.kept, tc.alternate)
		}
	}
	if got, err := chooseTuning("", "intel"); got != "intel" || err != nil {
		t.Errorf(`chooseTuning("", "intel") = %q, %v`, got, err)
	}
	if got, err := chooseTuning("amd", "intel"); got != "amd" || err != nil {
		t.Errorf(`chooseTuning("amd", "intel") = %q, %v`, got, err)
	}
	if _, err := chooseTuning("zen", "amd"); err == nil {
		t.Errorf("chooseTuning accepted an unknown tuning")
	}
}

// TestTuning checks that the active table is the tuning SIMDNN_TUNING
// names, or this CPU's, and that Tuning reports it.
func TestTuning(t *testing.T) {
	want := os.Getenv("SIMDNN_TUNING")
	if want == "" {
		want = cpuTuning()
	}
	for _, im := range available {
		others := 0
		for _, alt := range alternates {
			if alt.name == im.name {
				others++
			}
		}
		if others > 0 && im.tuning != want {
			t.Errorf("%s: the table kept is tuned for %q, want %q", im.name, im.tuning, want)
		}
	}
	got := Tuning()
	if active.tuning != "" && !strings.HasPrefix(got, active.tuning+": ") {
		t.Errorf("Tuning() = %q, want it to start with %q", got, active.tuning)
	}
	if active.blocks.kc > 0 && !strings.Contains(got, fmt.Sprintf("kc %d,", active.blocks.kc)) {
		t.Errorf("Tuning() = %q does not state kc = %d", got, active.blocks.kc)
	}
	t.Log(got)
}
