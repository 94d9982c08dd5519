package zipbundle

import (
	"context"
	"sync"
)

// window is a byte budget for the entries in flight. One goroutine acquires; any may release.
type window struct {
	mu   sync.Mutex
	free int64
	wake chan struct{}
}

func newWindow(size int64) *window {
	return &window{free: size, wake: make(chan struct{}, 1)}
}

// acquire takes n bytes of the budget, waiting until they are free or ctx is done. n must not
// exceed the window's size.
func (w *window) acquire(ctx context.Context, n int64) error {
	for {
		w.mu.Lock()
		if w.free >= n {
			w.free -= n
			w.mu.Unlock()
			return nil
		}
		w.mu.Unlock()
		select {
		case <-w.wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// release returns n bytes to the budget.
func (w *window) release(n int64) {
	w.mu.Lock()
	w.free += n
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}
