package zipbundle

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"hash/crc32"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/flate"
)

// lyingZip is a zip with one deflated entry whose directory claims claimed bytes (and their
// CRC-32) for actual bytes of zeros: what a crafted wheel carries.
func lyingZip(t *testing.T, name string, claimed, actual int64) *zip.Reader {
	t.Helper()
	var stream bytes.Buffer
	fw, _ := flate.NewWriter(&stream, flate.BestSpeed)
	zeros := make([]byte, 1<<20)
	for left := actual; left > 0; left -= int64(len(zeros)) {
		fw.Write(zeros[:min(left, int64(len(zeros)))])
	}
	fw.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(make([]byte, claimed)),
		CompressedSize64: uint64(stream.Len()), UncompressedSize64: uint64(claimed)})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(stream.Bytes())
	zw.Close()
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	return zr
}

// TestWriteRefusesAnEntryWhoseDirectoryLies: a wheel's central directory says 11 KiB for an entry
// whose data decompresses to 300 MB. Copied as stored, the bundle would report 11 KiB unzipped
// and pass the platform's limits; it must fail naming the entry, having decompressed no more
// than the 11 KiB (+1 byte) claimed. A truthful entry copies as before.
func TestWriteRefusesAnEntryWhoseDirectoryLies(t *testing.T) {
	for _, tc := range []struct {
		name            string
		claimed, actual int64
		wantErr         string
	}{
		{"bomb", 11 << 10, 300 << 20, "says 11264 bytes, its data holds more"},
		{"short", 11 << 10, 5 << 10, "says 11264 bytes, its data holds 5120"},
		{"truthful", 11 << 10, 11 << 10, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			zf := lyingZip(t, "pkg/data.bin", tc.claimed, tc.actual).File[0]
			file := File{Name: "pkg/data.bin", Raw: zf.OpenRaw, Method: zf.Method, CRC32: zf.CRC32,
				Size: int64(zf.UncompressedSize64), CompressedSize: int64(zf.CompressedSize64)}
			dst := filepath.Join(t.TempDir(), "out.zip")
			b, err := Write(context.Background(), dst, []Source{{Prefix: "python/", Files: []File{file}}})
			if tc.wantErr == "" {
				if err != nil || b.UnzippedSize != tc.actual {
					t.Fatalf("truthful entry: %v, unzipped %d", err, b.UnzippedSize)
				}
				return
			}
			if err == nil {
				t.Fatalf("the bundle was written, reporting %d bytes unzipped for %d bytes of data", b.UnzippedSize, tc.actual)
			}
			if !errors.Is(err, errLyingEntry) || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "data.bin") {
				t.Errorf("error %q, want %q naming the entry", err, tc.wantErr)
			}
		})
	}
}

// TestVerifyRawBoundsDecompression: checking the 300 MB entry reads no more of its data than the
// claimed size needs (a bounded count, not a timing).
func TestVerifyRawBoundsDecompression(t *testing.T) {
	zf := lyingZip(t, "bomb.bin", 11<<10, 300<<20).File[0]
	var read int64
	f := File{Method: zf.Method, CRC32: zf.CRC32, Size: int64(zf.UncompressedSize64), CompressedSize: int64(zf.CompressedSize64),
		Raw: func() (io.Reader, error) {
			r, err := zf.OpenRaw()
			return readerFunc(func(p []byte) (int, error) { n, err := r.Read(p); read += int64(n); return n, err }), err
		}}
	if err := verifyRaw(context.Background(), &f, "bomb.bin"); !errors.Is(err, errLyingEntry) {
		t.Fatalf("verifyRaw: %v", err)
	}
	if read >= int64(zf.CompressedSize64) {
		t.Errorf("read all %d compressed bytes of the 300 MB entry; decompression must stop past the claimed 11 KiB", read)
	}
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }
