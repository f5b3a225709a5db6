// Package freelist is a pool of reusable buffers that, unlike sync.Pool
// alone, hands a warm buffer to every goroutine that asks while no more
// than GOMAXPROCS are in use at once: the GEMM drivers' promise that a
// steady-state call allocates nothing holds even when the call is split
// over goroutines that run on different Ps (sync.Pool keeps one item per
// P that other Ps cannot take, so a stripe that lands on a P with an empty
// cache would allocate).
package freelist

import (
	"runtime"
	"sync"
)

// List keeps up to GOMAXPROCS items for reuse and gives any more to a
// sync.Pool, which the garbage collector may empty: memory held for good
// is bounded by what GOMAXPROCS goroutines use at once. The zero value is
// an empty list.
type List[T any] struct {
	mu    sync.Mutex
	items []*T
	spill sync.Pool
}

// Get returns a kept item, or a new zero T if there is none.
func (l *List[T]) Get() *T {
	l.mu.Lock()
	if n := len(l.items); n > 0 {
		x := l.items[n-1]
		l.items[n-1] = nil
		l.items = l.items[:n-1]
		l.mu.Unlock()
		return x
	}
	l.mu.Unlock()
	if x, ok := l.spill.Get().(*T); ok {
		return x
	}
	return new(T)
}

// numCPU bounds the list without a call to runtime.GOMAXPROCS, which
// takes a lock: Put asks GOMAXPROCS only when the list holds more.
var numCPU = runtime.NumCPU()

// Put returns x to the list, to be reused by a later Get.
func (l *List[T]) Put(x *T) {
	l.mu.Lock()
	if n := len(l.items); n < numCPU || n < runtime.GOMAXPROCS(0) {
		l.items = append(l.items, x)
		l.mu.Unlock()
		return
	}
	l.mu.Unlock()
	l.spill.Put(x)
}
