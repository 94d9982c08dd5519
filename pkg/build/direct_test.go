package build_test

import (
	"archive/zip"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/pip"
)

// unpacking hides the installer's planning, so the builder installs the tree on disk and zips it.
type unpacking struct{ inst *pip.Installer }

func (u unpacking) InstallRequirements(ctx context.Context, req pip.InstallRequest) (*pip.Report, error) {
	return u.inst.InstallRequirements(ctx, req)
}

func (u unpacking) InstallLithops(ctx context.Context, version, target string, p pip.Platform, ep string) error {
	return u.inst.InstallLithops(ctx, version, target, p, ep)
}

// zipEntry is what a zip says of an entry, but how it is compressed.
type zipEntry struct {
	Name       string
	CRC32      uint32
	Size       uint64
	Mode       os.FileMode
	CreatorVer uint16
	Modified   time.Time
}

func zipEntries(t *testing.T, path string) []zipEntry {
	t.Helper()
	r, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []zipEntry
	for _, f := range r.File {
		out = append(out, zipEntry{f.Name, f.CRC32, f.UncompressedSize64, f.Mode(), f.CreatorVersion, f.Modified})
		// Every entry reads back (CRC checked by the reader).
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, rc); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		rc.Close()
	}
	return out
}

// TestDirectZipMatchesUnpackedTree: the zips written straight from the wheels hold exactly the
// entries (names, order, content, sizes, modes, times) of the zips of the tree the wheel installer
// unpacks, for both layouts, and report the same distributions.
func TestDirectZipMatchesUnpackedTree(t *testing.T) {
	offline(t)
	reqs := filepath.Join(t.TempDir(), "requirements.txt")
	os.WriteFile(reqs, []byte("acme-text-utils\nlithops==3.7.0\n"), 0o644)
	for _, tt := range layouts {
		t.Run(tt.name, func(t *testing.T) {
			spec := func() build.ZipSpec { return zipSpec(t, tt.layout, tt.backend, reqs) }
			ds := spec()
			direct, err := build.NewZipBuilder(pip.NewInstaller(pip.WithWheelInstaller(0)), nil).Build(context.Background(), ds)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(ds.WorkDir, "dependencies")); err == nil {
				t.Fatal("the direct build unpacked the tree")
			}
			s := spec()
			unpacked, err := build.NewZipBuilder(unpacking{pip.NewInstaller(pip.WithWheelInstaller(0))}, nil).Build(context.Background(), s)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(s.WorkDir, "dependencies", "acmetext")); err != nil {
				t.Fatalf("the comparison build did not unpack the tree: %v", err)
			}
			pairs := [][2]string{{direct.Function.Path, unpacked.Function.Path}}
			if direct.Layer != nil {
				pairs = append(pairs, [2]string{direct.Layer.Path, unpacked.Layer.Path})
			}
			for _, p := range pairs {
				got, want := zipEntries(t, p[0]), zipEntries(t, p[1])
				if d := cmp.Diff(want, got); d != "" {
					t.Errorf("%s (-unpacked +direct)\n%s", filepath.Base(p[0]), d)
				}
				if len(got) < 20 {
					t.Errorf("%s: only %d entries", filepath.Base(p[0]), len(got))
				}
			}
			if d := cmp.Diff(unpacked.Dependencies, direct.Dependencies); d != "" {
				t.Errorf("dependencies (-unpacked +direct)\n%s", d)
			}
			if d := cmp.Diff(unpacked.Modules, direct.Modules); d != "" {
				t.Errorf("modules (-unpacked +direct)\n%s", d)
			}
		})
	}
}
