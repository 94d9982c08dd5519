package zipbundle

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestInspectRefusesMaliciousZips checks Inspect refuses, naming the entry, what Extract refuses.
func TestInspectRefusesMaliciousZips(t *testing.T) {
	ok := craftedZip{name: "fine.py", content: "ok"}
	tests := []struct {
		name    string
		entries []craftedZip
		wantErr []string // nil: accepted
	}{
		{name: "plain", entries: []craftedZip{ok, {name: "pkg/"}, {name: "pkg/m.py", content: "x"}}},
		{name: "parent traversal", entries: []craftedZip{ok, {name: "../evil", content: "x"}}, wantErr: []string{`"../evil"`, `".."`}},
		{name: "traversal in the middle", entries: []craftedZip{{name: "a/../../evil", content: "x"}}, wantErr: []string{`"a/../../evil"`}},
		{name: "trailing parent", entries: []craftedZip{{name: "a/..", content: "x"}}, wantErr: []string{`"a/.."`}},
		{name: "absolute path", entries: []craftedZip{{name: "/etc/cron.d/evil", content: "x"}}, wantErr: []string{`"/etc/cron.d/evil"`, "absolute"}},
		{name: "absolute directory", entries: []craftedZip{{name: "/tmp/"}}, wantErr: []string{`"/tmp/"`, "absolute"}},
		{name: "drive letter", entries: []craftedZip{{name: "C:/evil", content: "x"}}, wantErr: []string{`"C:/evil"`, "drive letter"}},
		{name: "backslash traversal", entries: []craftedZip{{name: `..\evil`, content: "x"}}, wantErr: []string{"backslash"}},
		{name: "symlink entry", entries: []craftedZip{{name: "link", mode: fs.ModeSymlink | 0o777, content: "/etc/passwd"}}, wantErr: []string{`"link"`, "symbolic link"}},
		{name: "duplicate", entries: []craftedZip{ok, {name: "fine.py", content: "again"}}, wantErr: []string{`"fine.py"`, "duplicate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			zipPath := buildZip(t, tt.entries)
			b, err := Inspect(zipPath)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				if d := cmp.Diff([]any{2, int64(3)}, []any{b.Files, b.UnzippedSize}); d != "" {
					t.Errorf("files, size (-want +got)\n%s", d)
				}
				return
			}
			checkErr(t, err, append(tt.wantErr, zipPath))
			if b != nil {
				t.Errorf("Inspect returned %+v with its error", b)
			}
		})
	}
}

// TestWriteRefusesLinksOutside adds the link shapes TestWriteSymlinks does not cover: a link to a
// sibling of the source, a chain of links inside that ends outside, and a directory link outside.
// The error names the link as found in the source.
func TestWriteRefusesLinksOutside(t *testing.T) {
	tests := []struct {
		name    string
		nodes   []node // under <tmp>/src; "../outside/secret" exists
		wantErr []string
	}{
		{name: "sibling file", nodes: []node{{name: "pkg/leak.txt", link: "../../outside/secret"}}, wantErr: []string{"leak.txt", "outside/secret", "outside the source directory"}},
		{name: "chain ending outside", nodes: []node{{name: "a", link: "b"}, {name: "b", link: "../outside/secret"}}, wantErr: []string{`src/a"`, "outside the source directory"}},
		{name: "directory outside", nodes: []node{{name: "d", link: "../outside"}}, wantErr: []string{`src/d"`, "outside the source directory"}},
		{name: "absolute inside path of another tree", nodes: []node{{name: "abs", link: "@OUTSIDE@/secret"}}, wantErr: []string{"abs", "outside the source directory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			outside := filepath.Join(tmp, "outside")
			makeTree(t, outside, []node{{name: "secret", content: "do not ship"}}, time.Now())
			src := filepath.Join(tmp, "src")
			nodes := append([]node{{name: "ok.py", content: "x"}}, tt.nodes...)
			for i := range nodes {
				nodes[i].link = strings.ReplaceAll(nodes[i].link, "@OUTSIDE@", outside)
			}
			makeTree(t, src, nodes, time.Now())
			out := filepath.Join(tmp, "out.zip")
			_, err := Write(context.Background(), out, []Source{{Dir: src}})
			checkErr(t, err, tt.wantErr)
			if _, statErr := os.Stat(out); !errors.Is(statErr, fs.ErrNotExist) {
				t.Errorf("%s exists after a refused Write", out)
			}
		})
	}
}

// FuzzExtractNames builds zips from arbitrary entry names (one per line of names; a name ending in
// "@" is made a symbolic link) and checks that Inspect and Extract agree, that a refused zip
// writes nothing, and that an accepted one writes only below the target directory.
func FuzzExtractNames(f *testing.F) {
	for _, s := range []string{
		"a.py\npkg/\npkg/m.py",
		"../evil",
		"a/../../evil",
		"/abs",
		"C:/x",
		`a\b`,
		"a\na",
		"f\nf/g",
		"link@",
		"./a\na//b\n.",
		"ü/ñ.py\n x \n-",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, names string) {
		var entries []craftedZip
		for i, n := range strings.Split(names, "\n") {
			if i == 16 {
				break
			}
			e := craftedZip{name: n, content: "c"}
			if strings.HasSuffix(n, "@") && len(n) > 1 {
				e.name, e.mode, e.content = strings.TrimSuffix(n, "@"), fs.ModeSymlink|0o777, "/etc/passwd"
			}
			if strings.HasSuffix(e.name, "/") {
				e.content = ""
			}
			entries = append(entries, e)
		}
		zipPath := buildZip(t, entries)
		_, inspectErr := Inspect(zipPath)
		parent := t.TempDir()
		dst := filepath.Join(parent, "out")
		extractErr := Extract(context.Background(), zipPath, dst)
		if (inspectErr == nil) != (extractErr == nil) {
			t.Fatalf("Inspect and Extract disagree on %q: %v / %v", names, inspectErr, extractErr)
		}
		if extractErr != nil {
			if got := dirEntries(t, parent); len(got) != 0 {
				t.Fatalf("refused zip %q wrote %q", names, got)
			}
			return
		}
		if got := dirEntries(t, parent); !cmp.Equal([]string{"out"}, got) {
			t.Fatalf("zip %q wrote %q next to the target", names, got)
		}
		err := filepath.WalkDir(dst, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.Type()&fs.ModeSymlink != 0 {
				t.Errorf("zip %q made a symbolic link %s", names, p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzInspectBytes feeds arbitrary bytes to Inspect and Extract: they must return an error or a
// result, never panic, and never write outside the target.
func FuzzInspectBytes(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	for _, s := range []string{"a.py", "../x", "d/f"} {
		f.Add(zipBytes(f, s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		zipPath := filepath.Join(t.TempDir(), "in.zip")
		if err := os.WriteFile(zipPath, data, 0o644); err != nil {
			t.Fatal(err)
		}
		b, err := Inspect(zipPath)
		if err == nil && (b.Files < 0 || b.Size != int64(len(data))) {
			t.Errorf("Inspect = %+v for %d bytes", b, len(data))
		}
		parent := t.TempDir()
		if err := Extract(context.Background(), zipPath, filepath.Join(parent, "out")); err == nil {
			if got := dirEntries(t, parent); !cmp.Equal([]string{"out"}, got) {
				t.Fatalf("wrote %q next to the target", got)
			}
		}
	})
}

// zipBytes is a one-entry zip holding name.
func zipBytes(tb testing.TB, name string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(name)
	if err == nil {
		_, err = w.Write([]byte("hello"))
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
