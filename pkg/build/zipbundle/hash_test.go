package zipbundle

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash/crc64"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/need"
)

// independentBundle computes a Bundle's identities from the file on disk with the standard library.
func independentBundle(t *testing.T, path string, files int, unzipped int64) *Bundle {
	t.Helper()
	data := mustRead(t, path)
	sum := sha256.Sum256(data)
	return &Bundle{
		Path: path, Size: int64(len(data)), UnzippedSize: unzipped, Files: files,
		SHA256:     hex.EncodeToString(sum[:]),
		CodeSHA256: base64.StdEncoding.EncodeToString(sum[:]),
		CRC64:      crc64.Checksum(data, crc64.MakeTable(crc64.ECMA)),
	}
}

func TestBundleHashes(t *testing.T) {
	src := t.TempDir()
	makeTree(t, src, sampleTree, time.Now())
	b := mustWrite(t, filepath.Join(t.TempDir(), "out.zip"), []Source{{Dir: src}})
	want := independentBundle(t, b.Path, 5, int64(len(strings.Repeat("def f():\n    return 42\n", 200))+4+len("#!/bin/sh\necho hi\n")+len("import pkg\n")))
	if diff := cmp.Diff(want, b); diff != "" {
		t.Errorf("Write's Bundle (-want +got):\n%s", diff)
	}
	inspected, err := Inspect(b.Path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, inspected); diff != "" {
		t.Errorf("Inspect's Bundle (-want +got):\n%s", diff)
	}
	if got, want := b.CRC64String(), strconv.FormatUint(want.CRC64, 10); got != want {
		t.Errorf("CRC64String() = %q, want %q", got, want)
	}
}

func TestCRC64String(t *testing.T) {
	// Go's hash/crc64 with the ECMA table is the reflected, inverted variant (catalogued as
	// CRC-64/XZ) that OSS and FC call crc64ecma: the check value of "123456789" is 0x995DC9BBDF1939FA.
	b := Bundle{CRC64: crc64.Checksum([]byte("123456789"), crc64.MakeTable(crc64.ECMA))}
	if got, want := b.CRC64String(), "11051210869376104954"; got != want {
		t.Errorf("CRC64String() = %q, want %q", got, want)
	}
}

func TestPythonZipfileReadsBundle(t *testing.T) {
	py := need.Python(t, "3")
	src := t.TempDir()
	makeTree(t, src, sampleTree, time.Now())
	big := make([]byte, 5<<20) // spilled and stored: random data does not shrink
	if _, err := rand.Read(big); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "big.bin"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	b := mustWrite(t, filepath.Join(t.TempDir(), "out.zip"), []Source{{Dir: src}}, WithModTime(time.Unix(1700000000, 0)))
	script := `
import json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    print(json.dumps({"bad": z.testzip(), "entries": [
        [i.filename, oct(i.external_attr >> 16), i.create_system, list(i.date_time), len(i.extra)]
        for i in z.infolist()]}))
`
	out, err := exec.Command(py, "-c", script, b.Path).Output()
	if err != nil {
		t.Fatalf("python3 zipfile: %v", err)
	}
	var got struct {
		Bad     *string
		Entries [][]any
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("decoding %s: %v", out, err)
	}
	if got.Bad != nil {
		t.Errorf("testzip() found a bad entry: %q", *got.Bad)
	}
	stamp := []any{2023.0, 11.0, 14.0, 22.0, 13.0, 20.0}
	entry := func(name, mode string) []any { return []any{name, mode, 3.0, stamp, 0.0} }
	want := [][]any{
		entry("big.bin", "0o100644"),
		entry("bin/", "0o40755"),
		entry("bin/tool", "0o100755"),
		entry("empty/", "0o40755"),
		entry("pkg/", "0o40755"),
		entry("pkg/__init__.py", "0o100644"),
		entry("pkg/core.py", "0o100644"),
		entry("pkg/data/", "0o40755"),
		entry("pkg/data/table.bin", "0o100644"),
		entry("top.py", "0o100644"),
	}
	if diff := cmp.Diff(want, got.Entries); diff != "" {
		t.Errorf("entries as Python sees them (-want +got):\n%s", diff)
	}
}

func TestLargeFiles(t *testing.T) {
	src := t.TempDir()
	random := make([]byte, 20<<20)
	if _, err := rand.Read(random); err != nil {
		t.Fatal(err)
	}
	text := []byte(strings.Repeat("numpy scipy pandas lithops\n", (20<<20)/27))
	if err := os.WriteFile(filepath.Join(src, "random.so"), random, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "text.py"), text, 0o644); err != nil {
		t.Fatal(err)
	}
	// A 1 MiB window forces the two large entries through one at a time.
	out := t.TempDir()
	b := mustWrite(t, filepath.Join(out, "big.zip"), []Source{{Dir: src}}, withSpill(4<<20, 1<<20))
	if diff := cmp.Diff(independentBundle(t, b.Path, 2, int64(len(random)+len(text))), b); diff != "" {
		t.Errorf("Bundle (-want +got):\n%s", diff)
	}
	// Stored when compression does not pay, deflated otherwise: a bit over 20 MiB in all.
	if min, max := int64(len(random)), int64(len(random))+int64(len(text))/20; b.Size < min || b.Size > max {
		t.Errorf("zip size %d, want between %d and %d", b.Size, min, max)
	}
	if diff := cmp.Diff([]string{"big.zip"}, dirEntries(t, out)); diff != "" {
		t.Errorf("output directory (-want +got):\n%s", diff)
	}
	dst := t.TempDir()
	if err := Extract(context.Background(), b.Path, dst); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(readTree(t, src), readTree(t, dst)); diff != "" {
		t.Errorf("extracted tree (-want +got):\n%s", diff)
	}
	// The in-memory path gives the same bytes.
	again := mustWrite(t, filepath.Join(t.TempDir(), "mem.zip"), []Source{{Dir: src}}, withSpill(1<<30, 1<<30))
	if again.SHA256 != b.SHA256 {
		t.Errorf("in-memory build SHA256 %s, spilled build %s", again.SHA256, b.SHA256)
	}
}

func TestCancel(t *testing.T) {
	src := t.TempDir()
	makeTree(t, src, sampleTree, time.Now())
	big := make([]byte, 6<<20)
	if err := os.WriteFile(filepath.Join(src, "zz.bin"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		// cancelAt is the entry after which to cancel; -1 cancels before Write.
		cancelAt int
	}{
		{name: "before", cancelAt: -1},
		{name: "after the first entry", cancelAt: 0},
		{name: "after the fifth entry", cancelAt: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancelAt < 0 {
				cancel()
			}
			dir := t.TempDir()
			_, err := Write(ctx, filepath.Join(dir, "out.zip"), []Source{{Dir: src}},
				withSpill(1<<20, 64<<20), withAfterEntry(func(i int) {
					if i == tt.cancelAt {
						cancel()
					}
				}))
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Write error = %v, want context.Canceled", err)
			}
			if got := dirEntries(t, dir); len(got) != 0 {
				t.Errorf("files left behind: %q", got)
			}
		})
	}
}
