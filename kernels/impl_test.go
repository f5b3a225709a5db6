package kernels

import (
	"os"
	"testing"
)

// testImpls returns the implementations the tests run: every one this CPU
// can run, or, when SIMDNN_KERNELS chose one, only that one.
func testImpls() []*impl {
	if os.Getenv("SIMDNN_KERNELS") != "" {
		return []*impl{active}
	}
	return available
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
		t.Run(im.name, func(t *testing.T) {
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
