package zipbundle

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/klauspost/compress/flate"
)

// Write bundles sources into the zip file dst and describes the result.
//
// The sources merge into one tree; the same archive path from two sources is an error (directories
// merge). Entries are sorted by path, directories included as "name/" entries; every entry carries
// the same timestamp and a normalized Unix mode (0755 for directories and files with any execute
// bit, 0644 otherwise). __pycache__ directories and *.pyc files are left out. A symbolic link that
// resolves inside its source directory is stored as what it points to; one pointing outside, and
// sockets, devices and pipes, are errors.
//
// Entries are compressed in parallel and written in order, so the output depends only on the tree
// and the options. The zip is written to a temporary file next to dst and renamed over dst on
// success; on failure or cancellation nothing is left behind.
func Write(ctx context.Context, dst string, sources []Source, opts ...Option) (*Bundle, error) {
	o := makeOptions(opts...)
	if _, err := flate.NewWriter(io.Discard, o.level); err != nil {
		return nil, fmt.Errorf("writing %q: compression level %d: %w", dst, o.level, err)
	}
	if len(sources) == 0 {
		return nil, fmt.Errorf("writing %q: no sources", dst)
	}
	entries, err := collect(ctx, sources, &o)
	if err != nil {
		return nil, fmt.Errorf("writing %q: %w", dst, err)
	}
	b, err := writeFile(ctx, dst, entries, &o)
	if err != nil {
		return nil, fmt.Errorf("writing %q: %w", dst, err)
	}
	o.logger.Debug("wrote zip bundle", "path", dst, "files", b.Files, "size", b.Size,
		"unzipped_size", b.UnzippedSize, "sha256", b.SHA256)
	return b, nil
}

// writeFile writes entries to a temporary file and renames it to dst.
func writeFile(ctx context.Context, dst string, entries []entry, o *options) (_ *Bundle, err error) {
	dir := filepath.Dir(dst)
	f, err := os.CreateTemp(dir, "."+filepath.Base(dst)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("creating temporary file: %w", err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, removeTemp(f))
		}
	}()

	d := newDigester()
	zw := zip.NewWriter(io.MultiWriter(f, d))
	p := pipeline{opts: o, entries: entries, spillDir: dir}
	stats, err := p.run(ctx, zw)
	if err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("finishing %q: %w", f.Name(), err)
	}
	if err := f.Chmod(0o644); err != nil {
		return nil, fmt.Errorf("setting the mode of %q: %w", f.Name(), err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("closing %q: %w", f.Name(), err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := os.Rename(f.Name(), dst); err != nil {
		return nil, fmt.Errorf("renaming %q: %w", f.Name(), err)
	}
	b := &Bundle{Path: dst, UnzippedSize: stats.unzipped, Files: stats.files}
	d.fill(b)
	return b, nil
}

// removeTemp closes and removes a temporary file after a failure.
func removeTemp(f *os.File) error {
	f.Close() // the file may already be closed; the removal is what matters
	if err := os.Remove(f.Name()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing %q: %w", f.Name(), err)
	}
	return nil
}
