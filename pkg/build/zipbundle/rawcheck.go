package zipbundle

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/klauspost/compress/flate"
)

// errLyingEntry reports an entry of another zip whose bytes do not match its directory: a
// corrupted or crafted wheel (its central directory may claim 11 KiB for 300 MB of data).
var errLyingEntry = errors.New("its data does not match the size and CRC-32 its zip's directory gives (a corrupted or crafted archive): rebuild or re-download it")

// verifyRaw checks an entry copied as another zip stores it before its bytes are copied: the
// stored bytes are decompressed, at most one byte past the size the directory gives, and their
// size and CRC-32 must be the directory's. So the sizes the bundle reports (and the platform's
// limits are checked against) are the bytes a reader gets, and decompression is bounded.
func verifyRaw(ctx context.Context, f *File, origin string) error {
	src, err := f.Raw()
	if err != nil {
		return fmt.Errorf("reading %q: %w", origin, err)
	}
	counted := &countingReader{r: ctxReader{ctx: ctx, r: src}}
	var data io.Reader = counted
	switch f.Method {
	case zip.Store:
	case zip.Deflate:
		fr := flate.NewReader(counted)
		defer fr.Close()
		data = fr
	default:
		return fmt.Errorf("reading %q: compression method %d is not supported", origin, f.Method)
	}
	h := crc32.NewIEEE()
	n, err := io.Copy(h, io.LimitReader(data, f.Size+1))
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("reading %q: %w: %v", origin, errLyingEntry, err)
	}
	switch {
	case n > f.Size:
		return fmt.Errorf("reading %q: its zip's directory says %d bytes, its data holds more (decompression stopped there): %w", origin, f.Size, errLyingEntry)
	case n < f.Size:
		return fmt.Errorf("reading %q: its zip's directory says %d bytes, its data holds %d: %w", origin, f.Size, n, errLyingEntry)
	case h.Sum32() != f.CRC32:
		return fmt.Errorf("reading %q: CRC-32 %08x, its zip's directory says %08x: %w", origin, h.Sum32(), f.CRC32, errLyingEntry)
	case counted.n != f.CompressedSize && f.Method == zip.Store:
		return fmt.Errorf("reading %q: %d stored bytes, its zip's directory says %d: %w", origin, counted.n, f.CompressedSize, errLyingEntry)
	}
	return nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
