package zipbundle

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"

	"github.com/klauspost/compress/flate"
)

// compressor compresses entries for one worker, reusing its flate state.
type compressor struct {
	level          int
	spillThreshold int64
	spillDir       string
	fw             *flate.Writer
}

func newCompressor(level int, spillThreshold int64, spillDir string) *compressor {
	return &compressor{level: level, spillThreshold: spillThreshold, spillDir: spillDir}
}

// flate returns the worker's flate writer reset to write to w.
func (c *compressor) flate(w io.Writer) (*flate.Writer, error) {
	if c.fw == nil {
		fw, err := flate.NewWriter(w, c.level)
		if err != nil {
			return nil, fmt.Errorf("compression level %d: %w", c.level, err)
		}
		c.fw = fw
		return fw, nil
	}
	c.fw.Reset(w)
	return c.fw, nil
}

// compress fills r with e compressed, or stored when compression does not shrink it.
func (c *compressor) compress(ctx context.Context, e entry, r *result) error {
	r.method = zip.Store
	switch {
	case e.dir:
		return nil
	case e.file != nil && e.file.Raw != nil:
		// Copied as the other zip stores it when written, once its bytes are checked against the
		// sizes and CRC-32 that zip's directory gives (they become this entry's header).
		f := e.file
		if err := verifyRaw(ctx, f, e.origin); err != nil {
			return err
		}
		r.method, r.crc, r.size, r.csize, r.raw = f.Method, f.CRC32, f.Size, f.CompressedSize, f.Raw
		return nil
	case e.file != nil:
		return c.fromBytes(e, e.file.Data, r)
	case e.size < c.spillThreshold:
		return c.inMemory(e, r)
	default:
		return c.spilled(ctx, e, r)
	}
}

// inMemory compresses a small file into a buffer.
func (c *compressor) inMemory(e entry, r *result) error {
	data, err := os.ReadFile(e.path)
	if err != nil {
		return fmt.Errorf("reading %q: %w", e.origin, err)
	}
	return c.fromBytes(e, data, r)
}

// fromBytes compresses content held in memory.
func (c *compressor) fromBytes(e entry, data []byte, r *result) error {
	r.crc = crc32.ChecksumIEEE(data)
	r.size = int64(len(data))
	r.data, r.csize = data, r.size
	if len(data) == 0 || c.level == flate.NoCompression {
		return nil
	}
	var buf bytes.Buffer
	buf.Grow(len(data) / 2)
	fw, err := c.flate(&buf)
	if err != nil {
		return err
	}
	if _, err := fw.Write(data); err != nil {
		return fmt.Errorf("compressing %q: %w", e.origin, err)
	}
	if err := fw.Close(); err != nil {
		return fmt.Errorf("compressing %q: %w", e.origin, err)
	}
	if buf.Len() < len(data) {
		r.method, r.data, r.csize = zip.Deflate, buf.Bytes(), int64(buf.Len())
	}
	return nil
}

// spilled compresses a large file into a temporary file. When that does not shrink it the
// temporary file is dropped and the entry is stored from its source.
func (c *compressor) spilled(ctx context.Context, e entry, r *result) (err error) {
	src, err := os.Open(e.path)
	if err != nil {
		return fmt.Errorf("reading %q: %w", e.origin, err)
	}
	defer src.Close()
	tmp, err := os.CreateTemp(c.spillDir, ".zipbundle-*.spill")
	if err != nil {
		return fmt.Errorf("creating a temporary file for %q: %w", e.origin, err)
	}
	r.spill = tmp.Name() // from here on the pipeline removes it
	defer func() {
		if cerr := tmp.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("writing %q: %w", tmp.Name(), cerr)
		}
	}()

	bw := bufio.NewWriterSize(tmp, 256<<10)
	fw, err := c.flate(bw)
	if err != nil {
		return err
	}
	h := crc32.NewIEEE()
	n, err := io.Copy(io.MultiWriter(fw, h), ctxReader{ctx: ctx, r: src})
	if err != nil {
		return fmt.Errorf("compressing %q: %w", e.origin, err)
	}
	if err := fw.Close(); err != nil {
		return fmt.Errorf("compressing %q: %w", e.origin, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing %q: %w", tmp.Name(), err)
	}
	csize, err := tmp.Seek(0, io.SeekCurrent)
	if err != nil {
		return fmt.Errorf("writing %q: %w", tmp.Name(), err)
	}
	r.crc, r.size = h.Sum32(), n
	if csize < n {
		r.method, r.csize = zip.Deflate, csize
		return nil
	}
	r.fromSource, r.csize = true, n
	return removeSpill(r)
}

// ctxReader stops reading once its context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// errChanged reports a source file that changed while it was bundled.
var errChanged = errors.New("file changed while bundling")
