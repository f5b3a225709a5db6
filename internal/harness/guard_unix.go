//go:build unix

package harness

import (
	"runtime/debug"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// GuardSupported reports whether guard pages work on this system.
const GuardSupported = true

// GuardAfter returns a slice of n float32 whose last element ends exactly
// where a PROT_NONE page begins, so that touching s[n] (or any byte past
// it) faults. The mapping is released when the test ends.
func GuardAfter(t testing.TB, n int) []float32 {
	t.Helper()
	mem, page := guardMap(t, n, false)
	return floats(mem, len(mem)-page-4*n, n)
}

// GuardBefore returns a slice of n float32 that starts exactly where a
// PROT_NONE page ends, so that touching s[-1] faults.
func GuardBefore(t testing.TB, n int) []float32 {
	t.Helper()
	mem, page := guardMap(t, n, true)
	return floats(mem, page, n)
}

// floats returns the n float32 that start at byte off of mem. It uses
// pointer arithmetic rather than &mem[off] because off may be len(mem)
// when n is 0.
func floats(mem []byte, off, n int) []float32 {
	p := unsafe.Add(unsafe.Pointer(unsafe.SliceData(mem)), off)
	return unsafe.Slice((*float32)(p), n)
}

// guardMap maps room for n float32 plus one guard page, at the start
// (before) or at the end of the mapping, and protects the guard page.
func guardMap(t testing.TB, n int, before bool) ([]byte, int) {
	page := unix.Getpagesize()
	data := (4*n + page - 1) / page * page
	mem, err := unix.Mmap(-1, 0, data+page, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		t.Fatalf("harness: mmap %d bytes: %v", data+page, err)
	}
	t.Cleanup(func() { unix.Munmap(mem) })
	guard := mem[data:]
	if before {
		guard = mem[:page]
	}
	if err := unix.Mprotect(guard, unix.PROT_NONE); err != nil {
		t.Fatalf("harness: mprotect: %v", err)
	}
	return mem, page
}

// NoFault runs f with faults turned into panics (debug.SetPanicOnFault)
// and fails the test, naming what, if f touched a guard page.
func NoFault(t testing.TB, what string, f func()) {
	t.Helper()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(interface{ Addr() uintptr }); ok {
				t.Fatalf("%s: memory fault at %#x (outside its slices): %v", what, e.Addr(), r)
			}
			panic(r)
		}
	}()
	f()
}
