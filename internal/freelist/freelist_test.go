package freelist

import (
	"runtime"
	"sync"
	"testing"
)

func TestReuse(t *testing.T) {
	var l List[[64]byte]
	a := l.Get()
	a[0] = 7
	l.Put(a)
	if b := l.Get(); b != a {
		t.Fatalf("Get after Put returned a new item, not the one put back")
	}
}

// TestConcurrentReuse checks the point of the package: once warm, up to
// GOMAXPROCS goroutines taking and returning items at once allocate
// nothing, whichever P each runs on.
func TestConcurrentReuse(t *testing.T) {
	if testing.Short() && runtime.GOMAXPROCS(0) < 2 {
		t.Skip("needs GOMAXPROCS ≥ 2")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	var l List[[1 << 10]byte]
	round := func() {
		var wg sync.WaitGroup
		got := make(chan *[1 << 10]byte, 4)
		for range 4 {
			wg.Go(func() { got <- l.Get() })
		}
		wg.Wait()
		close(got)
		for x := range got {
			l.Put(x)
		}
	}
	round()
	seen := map[*[1 << 10]byte]bool{}
	for range 50 {
		var wg sync.WaitGroup
		var mu sync.Mutex
		for range 4 {
			wg.Go(func() {
				x := l.Get()
				mu.Lock()
				seen[x] = true
				mu.Unlock()
				defer l.Put(x)
			})
		}
		wg.Wait()
	}
	if len(seen) > 4 {
		t.Errorf("%d distinct items served to at most 4 goroutines at once, want at most 4", len(seen))
	}
}
