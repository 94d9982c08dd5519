package zipbundle

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// pipeline compresses entries on several goroutines and writes them in order.
//
// A producer hands entries to the workers in order, first taking each entry's uncompressed size
// (capped at the window) from a byte window; the writer (the calling goroutine) waits for the
// entries in order, writes each to the archive with CreateRaw and gives its bytes back. The
// entries in flight are therefore always a contiguous run starting at the writer's, all handed
// out, so the one the writer waits for always completes. Small files are compressed into memory,
// large ones into temporary files in spillDir.
type pipeline struct {
	opts     *options
	entries  []entry
	spillDir string
	results  []result
}

// result is a compressed entry ready to write.
type result struct {
	done   chan struct{}
	err    error
	method uint16
	crc    uint32
	size   int64 // uncompressed
	csize  int64 // as stored
	// data holds the stored bytes of an entry compressed in memory.
	data []byte
	// spill is the temporary file holding the stored bytes of a large compressed entry.
	spill string
	// fromSource says the entry is stored uncompressed, read again from its source file.
	fromSource bool
	// raw opens the entry's bytes as another zip stores them, copied as they are.
	raw func() (io.Reader, error)
}

// stats sums what the pipeline wrote.
type stats struct {
	unzipped int64
	files    int
}

// run writes every entry to zw.
func (p *pipeline) run(ctx context.Context, zw *zip.Writer) (stats, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p.results = make([]result, len(p.entries))
	for i := range p.results {
		p.results[i].done = make(chan struct{})
	}
	win := newWindow(p.opts.window)
	jobs := make(chan int)
	var wg sync.WaitGroup
	wg.Go(func() { p.produce(ctx, win, jobs) })
	for range max(p.opts.concurrency, 1) {
		wg.Go(func() { p.work(ctx, jobs) })
	}

	st, err := p.consume(ctx, zw, win)
	cancel()
	wg.Wait()
	return st, errors.Join(err, p.cleanup())
}

// weight is the share of the window entry i takes while in flight.
func (p *pipeline) weight(i int) int64 {
	if f := p.entries[i].file; f != nil && f.Raw != nil {
		return 0 // copied from its zip when written: nothing held meanwhile
	}
	return min(p.entries[i].size, p.opts.window)
}

func (p *pipeline) produce(ctx context.Context, win *window, jobs chan<- int) {
	defer close(jobs)
	for i := range p.entries {
		if win.acquire(ctx, p.weight(i)) != nil {
			return
		}
		select {
		case jobs <- i:
		case <-ctx.Done():
			return
		}
	}
}

func (p *pipeline) work(ctx context.Context, jobs <-chan int) {
	c := newCompressor(p.opts.level, p.opts.spillThreshold, p.spillDir)
	for i := range jobs {
		r := &p.results[i]
		if err := ctx.Err(); err != nil {
			r.err = err
		} else {
			r.err = c.compress(ctx, p.entries[i], r)
		}
		close(r.done)
	}
}

// consume writes the entries in order as they become ready.
func (p *pipeline) consume(ctx context.Context, zw *zip.Writer, win *window) (stats, error) {
	date, clock := dosTime(p.opts.modTime)
	buf := make([]byte, 256<<10) // for the entries copied from other zips, one after another
	var st stats
	for i, e := range p.entries {
		r := &p.results[i]
		select {
		case <-r.done:
		case <-ctx.Done():
			return st, ctx.Err()
		}
		if r.err != nil {
			return st, r.err
		}
		if err := writeEntry(ctx, zw, e, r, date, clock, buf); err != nil {
			return st, err
		}
		r.data = nil
		if err := removeSpill(r); err != nil {
			return st, err
		}
		win.release(p.weight(i))
		if !e.dir {
			st.files++
			st.unzipped += r.size
		}
		if p.opts.afterEntry != nil {
			p.opts.afterEntry(i)
		}
	}
	return st, nil
}

// cleanup removes the temporary files of entries that were never written. It runs after every
// worker has stopped.
func (p *pipeline) cleanup() error {
	var errs []error
	for i := range p.results {
		errs = append(errs, removeSpill(&p.results[i]))
	}
	return errors.Join(errs...)
}

func removeSpill(r *result) error {
	if r.spill == "" {
		return nil
	}
	name := r.spill
	r.spill = ""
	if err := os.Remove(name); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing %q: %w", name, err)
	}
	return nil
}
