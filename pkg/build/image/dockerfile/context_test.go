package dockerfile

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

// tarTree writes the tree under dir as a tar at dst.
func tarTree(t *testing.T, dir, dst string) {
	t.Helper()
	f, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	if err := tw.AddFS(os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
}

// snapshot describes a tree: path -> "dir", "link -> target" or the file's mode and content.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			got[rel] = "dir " + info.Mode().String()
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			got[rel] = "link -> " + target
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			got[rel] = info.Mode().String() + " " + string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// tree creates files ("content"), directories (trailing /) and symlinks ("-> target") under dir.
func tree(t *testing.T, dir string, entries map[string]string) {
	t.Helper()
	for name, v := range entries {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case strings.HasSuffix(name, "/"):
			err = os.MkdirAll(p, 0o755)
		case strings.HasPrefix(v, "-> "):
			err = os.Symlink(strings.TrimPrefix(v, "-> "), p)
		default:
			err = os.WriteFile(p, []byte(v), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestCheckSymlinks(t *testing.T) {
	tests := []struct {
		name    string
		entries func(ctx string) map[string]string
		wantErr string // "" = accepted; else a substring
	}{
		{name: "no symlinks", entries: func(string) map[string]string { return map[string]string{"a.txt": "a", "sub/b.txt": "b"} }},
		{
			name: "symlinks inside",
			entries: func(ctx string) map[string]string {
				return map[string]string{"a.txt": "a", "sub/up": "-> ../a.txt", "abs": "-> " + filepath.Join(ctx, "a.txt"), "dir": "-> sub"}
			},
		},
		{
			name:    "relative symlink leaving the context",
			entries: func(string) map[string]string { return map[string]string{"sub/secret": "-> ../../outside.txt"} },
			wantErr: filepath.Join("sub", "secret") + `" -> "../../outside.txt"`,
		},
		{
			name:    "absolute symlink outside",
			entries: func(string) map[string]string { return map[string]string{"passwd": "-> /etc/passwd"} },
			wantErr: `passwd" -> "/etc/passwd"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.TempDir()
			tree(t, ctx, tt.entries(ctx))
			err := checkSymlinks(ctx)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("checkSymlinks() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "outside") {
				t.Fatalf("checkSymlinks() = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestScratchContext(t *testing.T) {
	dir := t.TempDir()
	zip := filepath.Join(dir, "function.zip")
	if err := os.WriteFile(zip, []byte("PK zip"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		entries func(ctx string) map[string]string
		files   map[string]string
		want    func(ctx string) map[string]string // the copy's tree
		wantErr string
	}{
		{
			name: "files added, links made relative",
			entries: func(ctx string) map[string]string {
				return map[string]string{"Dockerfile": "FROM x", "sub/b.txt": "b", "sub/up": "-> ../Dockerfile", "abs": "-> " + filepath.Join(ctx, "sub", "b.txt")}
			},
			files: map[string]string{"lithops_lambda.zip": zip, "deep/er/f.zip": zip},
			want: func(string) map[string]string {
				return map[string]string{
					".": "dir drwxr-xr-x", "Dockerfile": "-rw-r--r-- FROM x", "sub": "dir drwxr-xr-x", "sub/b.txt": "-rw-r--r-- b",
					"sub/up": "link -> ../Dockerfile", "abs": "link -> sub/b.txt",
					"lithops_lambda.zip": "-rw------- PK zip", "deep": "dir drwxr-xr-x", "deep/er": "dir drwxr-xr-x", "deep/er/f.zip": "-rw------- PK zip",
				}
			},
		},
		{
			name:    "added file replaces a context file",
			entries: func(string) map[string]string { return map[string]string{"lithops_lambda.zip": "old"} },
			files:   map[string]string{"lithops_lambda.zip": zip},
			want: func(string) map[string]string {
				return map[string]string{".": "dir drwxr-xr-x", "lithops_lambda.zip": "-rw------- PK zip"}
			},
		},
		{
			name:    "added file under a symlinked directory is refused",
			entries: func(string) map[string]string { return map[string]string{"real/": "", "linked": "-> real"} },
			files:   map[string]string{"linked/f.zip": zip},
			wantErr: `"linked" is not a directory`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := filepath.Join(t.TempDir(), "ctx")
			if err := os.Mkdir(ctx, 0o755); err != nil {
				t.Fatal(err)
			}
			tree(t, ctx, tt.entries(ctx))
			before := snapshot(t, ctx)
			work := t.TempDir()
			got, err := scratchContext(ctx, work, tt.files, discard)
			if diff := cmp.Diff(before, snapshot(t, ctx)); diff != "" {
				t.Errorf("user context changed (-before +after):\n%s", diff)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("scratchContext() error = %v, want one containing %q", err, tt.wantErr)
				}
				if entries, _ := os.ReadDir(work); len(entries) != 0 {
					t.Errorf("work dir holds %d entries after a failure, want none", len(entries))
				}
				return
			}
			if err != nil {
				t.Fatalf("scratchContext() error = %v", err)
			}
			want := map[string]string{}
			for k, v := range tt.want(ctx) {
				want[filepath.FromSlash(k)] = v
			}
			if diff := cmp.Diff(want, snapshot(t, got)); diff != "" {
				t.Errorf("scratch context (-want +got):\n%s", diff)
			}
		})
	}
}

// TestBuildLeavesContextAlone checks, with a faked tool, that the build sees the context files in a
// scratch copy, that the copy is removed afterwards and that the user's directory is untouched.
func TestBuildLeavesContextAlone(t *testing.T) {
	df, work := project(t)
	ctx := filepath.Dir(df)
	tree(t, ctx, map[string]string{"app/handler.py": "print(1)", "app/link.py": "-> handler.py"})
	zip := filepath.Join(t.TempDir(), "function.zip")
	if err := os.WriteFile(zip, []byte("PK"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, ctx)
	amd := v1.Platform{OS: "linux", Architecture: "amd64"}
	var seen map[string]string
	var buildCtx string
	rec := &recorder{t: t, img: platformImage(t, amd), fail: func(argv []string) error {
		if argv[1] == "build" {
			buildCtx = argv[len(argv)-1]
			seen = snapshot(t, buildCtx)
		}
		return nil
	}}
	b := New(WithRunner(rec.run), WithLookPath(onPath("buildah")))
	_, _, err := b.Build(context.Background(), Spec{Dockerfile: df, Platform: amd, WorkDir: work,
		ContextFiles: map[string]string{"lithops_lambda.zip": zip}, Tool: "buildah"})
	if err != nil {
		t.Fatalf("Build() error = %v", err)
	}
	if diff := cmp.Diff(before, snapshot(t, ctx)); diff != "" {
		t.Errorf("user context changed (-before +after):\n%s", diff)
	}
	want := map[string]string{"lithops_lambda.zip": "-rw-r--r-- PK"}
	for k, v := range before {
		want[k] = v
	}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("build context seen by the tool (-want +got):\n%s", diff)
	}
	if buildCtx == ctx || !strings.HasPrefix(buildCtx, work) {
		t.Errorf("build context = %q, want a scratch copy under %q", buildCtx, work)
	}
	if _, err := os.Stat(buildCtx); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("scratch context %q still exists after the build (stat: %v)", buildCtx, err)
	}
}

func TestBuildRefusesOutsideSymlink(t *testing.T) {
	df, work := project(t)
	tree(t, filepath.Dir(df), map[string]string{"creds": "-> /root/.aws/credentials"})
	rec := &recorder{t: t}
	_, _, err := New(WithRunner(rec.run), WithLookPath(onPath("buildah"))).Build(context.Background(),
		Spec{Dockerfile: df, Platform: v1.Platform{OS: "linux", Architecture: "amd64"}, WorkDir: work})
	if err == nil || !strings.Contains(err.Error(), filepath.Join(filepath.Dir(df), "creds")) {
		t.Fatalf("Build() error = %v, want one naming the symlink", err)
	}
	if len(rec.calls) != 0 {
		t.Errorf("commands ran before the context was checked: %q", rec.calls)
	}
}
