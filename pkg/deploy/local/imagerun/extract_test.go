package imagerun

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestExtractRefusesEscapes(t *testing.T) {
	// outside stands for the host: nothing may be written there.
	outside := t.TempDir()
	tests := []struct {
		name    string
		entries []entry
		// raw feeds the tar to extractTar directly, bypassing go-containerregistry's own
		// checks (mutate.Extract already refuses some of these itself).
		raw       bool
		wantErr   string // "" for a successful extraction
		wantIsOur bool   // the error wraps ErrUnsafeEntry
	}{
		{
			name:    "dot-dot path (go-containerregistry refuses it)",
			entries: []entry{{name: "../escape.txt", body: []byte("x")}},
			wantErr: `"../escape.txt"`,
		},
		{
			name:      "dot-dot path",
			entries:   []entry{{name: "a/../../escape.txt", body: []byte("x")}},
			raw:       true,
			wantErr:   `entry "a/../../escape.txt": unsafe image filesystem entry: the path leaves the rootfs`,
			wantIsOur: true,
		},
		{
			name: "through an absolute symlink (go-containerregistry drops the entry)",
			entries: []entry{
				{name: "evil", typ: tar.TypeSymlink, link: outside},
				{name: "evil/pwned", body: []byte("x")},
			},
		},
		{
			name: "through an absolute symlink",
			raw:  true,
			entries: []entry{
				{name: "evil", typ: tar.TypeSymlink, link: outside},
				{name: "evil/pwned", body: []byte("x")},
			},
			wantErr:   `entry "evil/pwned": unsafe image filesystem entry: its path goes through the symlink "evil" -> "` + outside + `"`,
			wantIsOur: true,
		},
		{
			name: "through a symlink to /",
			raw:  true,
			entries: []entry{
				{name: "root", typ: tar.TypeSymlink, link: "/"},
				{name: "root" + outside + "/pwned", body: []byte("x")},
			},
			wantErr:   `entry "root` + outside + `/pwned": unsafe image filesystem entry: its path goes through the symlink "root" -> "/"`,
			wantIsOur: true,
		},
		{
			name: "hardlink through a symlink",
			raw:  true,
			entries: []entry{
				{name: "evil", typ: tar.TypeSymlink, link: outside},
				{name: "h", typ: tar.TypeLink, link: "evil/target"},
			},
			wantErr:   `entry "h": unsafe image filesystem entry: its path goes through the symlink "evil"`,
			wantIsOur: true,
		},
		{
			name:      "hardlink to a dot-dot path",
			entries:   []entry{{name: "h", typ: tar.TypeLink, link: "../../etc/passwd"}},
			raw:       true,
			wantErr:   `entry "h": hardlink target: entry "../../etc/passwd": unsafe image filesystem entry`,
			wantIsOur: true,
		},
		{
			name: "absolute symlinks stay links, inside the rootfs",
			entries: []entry{
				{name: "usr/bin/", typ: tar.TypeDir},
				{name: "usr/bin/python3.12", body: []byte("#!"), mode: 0o755},
				{name: "usr/bin/python", typ: tar.TypeSymlink, link: "/usr/bin/python3.12"},
				{name: "etc/", typ: tar.TypeDir},
				{name: "etc/hosts-link", typ: tar.TypeLink, link: "usr/bin/python3.12"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "rootfs")
			if err := os.Mkdir(root, 0o755); err != nil {
				t.Fatal(err)
			}
			var err error
			if tc.raw {
				err = extractTar(bytes.NewReader(tarBytes(t, tc.entries)), root, slog.New(slog.DiscardHandler))
			} else {
				err = extractImage(image(t, v1.Config{}, layer(t, tc.entries...)), root, slog.New(slog.DiscardHandler))
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("extract: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("extract error %v, want it to contain %s", err, tc.wantErr)
			case tc.wantIsOur && !errors.Is(err, ErrUnsafeEntry):
				t.Errorf("extract error %v does not wrap ErrUnsafeEntry", err)
			}
			if left, _ := os.ReadDir(outside); len(left) != 0 {
				t.Errorf("extraction wrote outside the rootfs: %s holds %v", outside, left)
			}
			if _, err := os.Lstat(filepath.Join(filepath.Dir(root), "escape.txt")); err == nil {
				t.Error("extraction wrote escape.txt next to the rootfs")
			}
		})
	}
}

func TestExtractContents(t *testing.T) {
	root := filepath.Join(t.TempDir(), "rootfs")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	lower := layer(t,
		entry{name: "app/", typ: tar.TypeDir, mode: 0o555}, // read-only: its mode is applied last
		entry{name: "app/run.sh", body: []byte("#!/bin/sh\n"), mode: 0o755},
		entry{name: "app/old.txt", body: []byte("old")},
		entry{name: "cache/", typ: tar.TypeDir},
		entry{name: "cache/a", body: []byte("a")},
		entry{name: "dev/", typ: tar.TypeDir},
		entry{name: "dev/null", typ: tar.TypeChar},
	)
	upper := layer(t,
		entry{name: "app/.wh.old.txt"},
		entry{name: "cache/.wh..wh..opq"},
		entry{name: "cache/b", body: []byte("b")},
		entry{name: "app/link", typ: tar.TypeSymlink, link: "run.sh"},
	)
	if err := extractImage(image(t, v1.Config{}, lower, upper), root, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("extract: %v", err)
	}
	got := map[string]string{}
	err := filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil || p == root {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			got[rel] = "-> " + target
		case fi.IsDir():
			got[rel] = fi.Mode().Perm().String()
		default:
			b, _ := os.ReadFile(p)
			got[rel] = fi.Mode().Perm().String() + " " + string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"app":        "-r-xr-xr-x",
		"app/run.sh": "-rwxr-xr-x #!/bin/sh\n",
		"app/link":   "-> run.sh",
		"cache":      "-rwxr-xr-x",
		"cache/b":    "-rw-r--r-- b",
		"dev":        "-rwxr-xr-x", // device nodes are skipped
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rootfs (-want +got):\n%s", diff)
	}
	_ = os.Chmod(filepath.Join(root, "app"), 0o755) // let t.TempDir clean up as non-root
}

// tarBytes is the uncompressed tar of entries (see layer).
func tarBytes(t *testing.T, entries []entry) []byte {
	t.Helper()
	rc, err := layer(t, entries...).Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
