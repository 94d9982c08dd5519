package image

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Blob is a layer compressed into a file, with its digests: what [Assemble] writes with
// [WithLayerDir], and what a build cache keeps and hands back in [LayerSpec.Blob].
type Blob struct {
	// Path is the gzip-compressed layer tar.
	Path string `json:"-"`
	// Digest is the compressed file's digest (the registry blob's), DiffID the uncompressed tar's.
	Digest v1.Hash `json:"digest"`
	DiffID v1.Hash `json:"diffID"`
	// Size is the compressed size.
	Size      int64           `json:"size"`
	MediaType types.MediaType `json:"mediaType"`
}

// WithLayerDir makes Assemble write each layer it builds from a directory once, compressed, into a
// file in dir, computing both digests on the way, and read the layer from that file afterwards (a
// push reads the file instead of compressing the directory again). [Blobs] returns the files.
// The image digest is the same as without it.
func WithLayerDir(dir string) Option {
	return func(o *options) { o.layerDir = dir }
}

// Blobs returns the layers of img that are files ([LayerSpec.Blob] or [WithLayerDir]), in order.
func Blobs(img v1.Image) ([]Blob, error) {
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	var out []Blob
	for _, l := range layers {
		if f, ok := l.(*fileLayer); ok {
			out = append(out, f.blob)
		}
	}
	return out, nil
}

// writeBlob streams a layer's tar through gzip into a file of dir, hashing the tar and the gzip
// stream as they pass: one read of the directory, one compression.
func writeBlob(ctx context.Context, live *liveness, spec LayerSpec, modTime time.Time, mediaType types.MediaType, level int, dir string) (*Blob, layerResult, error) {
	entries, err := collectLayer(ctx, spec)
	if err != nil {
		return nil, layerResult{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, layerResult{}, fmt.Errorf("creating the layer directory %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, ".layer-*.tmp")
	if err != nil {
		return nil, layerResult{}, fmt.Errorf("creating a layer file in %s: %w", dir, err)
	}
	fail := func(err error) (*Blob, layerResult, error) {
		f.Close()
		os.Remove(f.Name())
		return nil, layerResult{}, err
	}
	compressed := sha256.New()
	counter := &countWriter{}
	// The same writer stack as go-containerregistry's (compress/gzip at level behind a 128 KiB
	// buffer), so the bytes, and the digest, are those of a layer it compresses itself.
	bw := bufio.NewWriterSize(io.MultiWriter(f, compressed, counter), 2<<16)
	gw, err := gzip.NewWriterLevel(bw, level)
	if err != nil {
		return fail(err)
	}
	uncompressed := sha256.New()
	src := &layerSource{entries: entries, modTime: modTime, alive: live.err}
	if err := src.write(io.MultiWriter(gw, uncompressed)); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return fail(ctxErr)
		}
		return fail(fmt.Errorf("writing the layer of %q: %w", spec.Dir, err))
	}
	if err := gw.Close(); err != nil {
		return fail(err)
	}
	if err := bw.Flush(); err != nil {
		return fail(fmt.Errorf("writing the layer file: %w", err))
	}
	if err := f.Close(); err != nil {
		return fail(fmt.Errorf("writing the layer file: %w", err))
	}
	b := &Blob{
		Digest:    v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(compressed.Sum(nil))},
		DiffID:    v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(uncompressed.Sum(nil))},
		Size:      counter.n,
		MediaType: mediaType,
	}
	b.Path = filepath.Join(dir, b.Digest.Hex+".tar.gz")
	if err := os.Rename(f.Name(), b.Path); err != nil {
		os.Remove(f.Name())
		return nil, layerResult{}, fmt.Errorf("writing the layer file: %w", err)
	}
	var size int64
	for _, e := range entries {
		size += e.size
	}
	return b, layerResult{layer: &fileLayer{blob: *b}, entries: len(entries), bytes: size}, nil
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

// fileLayer is a v1.Layer read from a Blob's file.
type fileLayer struct{ blob Blob }

func (l *fileLayer) Digest() (v1.Hash, error)            { return l.blob.Digest, nil }
func (l *fileLayer) DiffID() (v1.Hash, error)            { return l.blob.DiffID, nil }
func (l *fileLayer) Size() (int64, error)                { return l.blob.Size, nil }
func (l *fileLayer) MediaType() (types.MediaType, error) { return l.blob.MediaType, nil }

func (l *fileLayer) Compressed() (io.ReadCloser, error) {
	f, err := os.Open(l.blob.Path)
	if err != nil {
		return nil, fmt.Errorf("opening layer %s: %w", l.blob.Digest, err)
	}
	return f, nil
}

func (l *fileLayer) Uncompressed() (io.ReadCloser, error) {
	f, err := os.Open(l.blob.Path)
	if err != nil {
		return nil, fmt.Errorf("opening layer %s: %w", l.blob.Digest, err)
	}
	zr, err := gzip.NewReader(bufio.NewReaderSize(f, 1<<16))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("reading layer %s: %w", l.blob.Digest, err)
	}
	return &gunzipReadCloser{Reader: zr, f: f}, nil
}

type gunzipReadCloser struct {
	*gzip.Reader
	f *os.File
}

func (g *gunzipReadCloser) Close() error { return errors.Join(g.Reader.Close(), g.f.Close()) }

// checkBlob verifies that a blob handed back in a LayerSpec is there, as large as recorded and of
// the layer media type the base needs.
func checkBlob(b *Blob, mediaType types.MediaType) error {
	fi, err := os.Stat(b.Path)
	if err != nil {
		return fmt.Errorf("layer file %s: %w", b.Path, err)
	}
	if fi.Size() != b.Size {
		return fmt.Errorf("layer file %s has %d bytes, %d recorded", b.Path, fi.Size(), b.Size)
	}
	if b.MediaType != mediaType {
		return fmt.Errorf("layer file %s is a %s, the base image needs %s", b.Path, b.MediaType, mediaType)
	}
	return nil
}
