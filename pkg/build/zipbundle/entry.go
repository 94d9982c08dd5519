package zipbundle

import (
	"archive/zip"
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math"
	"os"
	"unicode/utf8"
)

// Zip header constants (APPNOTE.TXT): version 2.0 needed to extract deflate, the UTF-8 name flag.
const (
	zipVersion20 = 20
	flagUTF8     = 0x800
)

// header returns the deterministic header of e: no extra fields, a fixed DOS timestamp and a
// normalized Unix mode in the external attributes.
func header(e entry, r *result, date, clock uint16) *zip.FileHeader {
	fh := &zip.FileHeader{
		Name:               e.name,
		CreatorVersion:     zipVersion20,
		ReaderVersion:      zipVersion20,
		Method:             r.method,
		ModifiedDate:       date,
		ModifiedTime:       clock,
		CRC32:              r.crc,
		CompressedSize64:   uint64(r.csize),
		UncompressedSize64: uint64(r.size),
	}
	if !isASCII(e.name) && utf8.ValidString(e.name) {
		fh.Flags |= flagUTF8
	}
	mode := fs.FileMode(0o644)
	switch {
	case e.dir:
		mode = fs.ModeDir | 0o755
	case e.exec:
		mode = 0o755
	}
	fh.SetMode(mode) // sets the Unix creator and the external attributes
	return fh
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// writeEntry writes one prepared entry to zw.
func writeEntry(ctx context.Context, zw *zip.Writer, e entry, r *result, date, clock uint16, buf []byte) error {
	if r.size >= math.MaxUint32 || r.csize >= math.MaxUint32 {
		return fmt.Errorf("bundling %q: %d bytes is too large for a zip entry without zip64", e.origin, r.size)
	}
	w, err := zw.CreateRaw(header(e, r, date, clock))
	if err != nil {
		return fmt.Errorf("adding %q: %w", e.name, err)
	}
	switch {
	case e.dir:
		return nil
	case r.raw != nil:
		src, err := r.raw()
		if err != nil {
			return fmt.Errorf("adding %q: %w", e.origin, err)
		}
		n, err := io.CopyBuffer(w, ctxReader{ctx: ctx, r: src}, buf)
		if err != nil {
			return fmt.Errorf("adding %q: %w", e.origin, err)
		}
		if n != r.csize {
			return fmt.Errorf("adding %q: %d stored bytes, %d expected", e.origin, n, r.csize)
		}
		return nil
	case r.spill != "":
		return copyFile(ctx, w, r.spill, e.name)
	case r.fromSource:
		return copySource(ctx, w, e, r)
	default:
		if _, err := w.Write(r.data); err != nil {
			return fmt.Errorf("adding %q: %w", e.name, err)
		}
		return nil
	}
}

// copyFile copies the file name into the entry being written.
func copyFile(ctx context.Context, w io.Writer, name, entryName string) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("adding %q: %w", entryName, err)
	}
	defer f.Close()
	if _, err := io.Copy(w, ctxReader{ctx: ctx, r: f}); err != nil {
		return fmt.Errorf("adding %q from %q: %w", entryName, name, err)
	}
	return nil
}

// copySource stores e's source file uncompressed, checking it still matches what was measured.
func copySource(ctx context.Context, w io.Writer, e entry, r *result) error {
	f, err := os.Open(e.path)
	if err != nil {
		return fmt.Errorf("reading %q: %w", e.origin, err)
	}
	defer f.Close()
	h := crc32.NewIEEE()
	n, err := io.Copy(io.MultiWriter(w, h), io.LimitReader(ctxReader{ctx: ctx, r: f}, r.size+1))
	if err != nil {
		return fmt.Errorf("adding %q: %w", e.origin, err)
	}
	if n != r.size || h.Sum32() != r.crc {
		return fmt.Errorf("adding %q: %w", e.origin, errChanged)
	}
	return nil
}
