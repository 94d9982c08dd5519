package image

import (
	"archive/tar"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// tarDir writes the tree under dir as a tar at dst, names prefixed with prefix ("" or "./").
func tarDir(t *testing.T, dir, dst, prefix string) {
	t.Helper()
	f, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		h, err := tar.FileInfoHeader(info, "")
		if err != nil {
			return err
		}
		h.Name = prefix + filepath.ToSlash(rel)
		if d.IsDir() {
			h.Name += "/"
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		src, err := os.Open(p)
		if err != nil {
			return err
		}
		defer src.Close()
		_, err = io.Copy(tw, src)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
}

// imageSummary is what must survive a round trip through disk.
type imageSummary struct {
	Config   v1.Hash
	Layers   []v1.Hash // uncompressed (diff IDs)
	Platform string
}

func summarize(t *testing.T, img v1.Image) imageSummary {
	t.Helper()
	cfgName, err := img.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	return imageSummary{
		Config:   cfgName,
		Layers:   cf.RootFS.DiffIDs,
		Platform: v1.Platform{OS: cf.OS, Architecture: cf.Architecture}.String(),
	}
}

func TestLoad(t *testing.T) {
	amdImg := platformImage(t, amd64)
	armImg := platformImage(t, arm64)
	multi := indexOf(t, entry{x: amdImg, platform: &amd64}, entry{x: armImg, platform: &arm64},
		entry{x: platformImage(t, unknown), platform: &unknown})

	// writeLayout writes the multi-platform index (nested in index.json, as buildx does) as a layout.
	writeLayout := func(t *testing.T, dir string) {
		t.Helper()
		p, err := layout.Write(dir, indexOf(t))
		if err != nil {
			t.Fatal(err)
		}
		if err := p.AppendIndex(multi); err != nil {
			t.Fatal(err)
		}
	}
	tag, err := name.NewTag("lithops/runtime:test")
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		write   func(t *testing.T, dir string) string // writes the input, returns the path to load
		want    v1.Platform
		wantImg v1.Image
		wantErr string
	}{
		{
			name: "OCI layout directory",
			write: func(t *testing.T, dir string) string {
				writeLayout(t, filepath.Join(dir, "layout"))
				return filepath.Join(dir, "layout")
			},
			want: amd64, wantImg: amdImg,
		},
		{
			name: "OCI archive",
			write: func(t *testing.T, dir string) string {
				writeLayout(t, filepath.Join(dir, "layout"))
				tarDir(t, filepath.Join(dir, "layout"), filepath.Join(dir, "image.tar"), "")
				return filepath.Join(dir, "image.tar")
			},
			want: arm64, wantImg: armImg,
		},
		{
			name: "OCI archive with ./ names",
			write: func(t *testing.T, dir string) string {
				writeLayout(t, filepath.Join(dir, "layout"))
				tarDir(t, filepath.Join(dir, "layout"), filepath.Join(dir, "image.tar"), "./")
				return filepath.Join(dir, "image.tar")
			},
			want: amd64, wantImg: amdImg,
		},
		{
			name: "docker archive",
			write: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "image.tar")
				if err := tarball.WriteToFile(p, tag, amdImg); err != nil {
					t.Fatal(err)
				}
				return p
			},
			want: amd64, wantImg: amdImg,
		},
		{
			name: "docker archive of the wrong platform",
			write: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "image.tar")
				if err := tarball.WriteToFile(p, tag, armImg); err != nil {
					t.Fatal(err)
				}
				return p
			},
			want: amd64, wantErr: "the image is linux/arm64, but the runtime needs linux/amd64",
		},
		{
			name: "not an image",
			write: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "notes.txt")
				if err := os.WriteFile(p, []byte(strings.Repeat("hello ", 200)), 0o644); err != nil {
					t.Fatal(err)
				}
				return p
			},
			want: amd64, wantErr: "notes.txt",
		},
		{
			name:  "missing",
			write: func(t *testing.T, dir string) string { return filepath.Join(dir, "nope.tar") },
			want:  amd64, wantErr: "no such file",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.write(t, t.TempDir())
			got, err := Load(p, tt.want)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Load() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load() error = %v", err)
			}
			if err := validate.Image(got); err != nil {
				t.Errorf("loaded image does not validate: %v", err)
			}
			if diff := cmp.Diff(summarize(t, tt.wantImg), summarize(t, got)); diff != "" {
				t.Errorf("Load() image (-want +got):\n%s", diff)
			}
		})
	}
}
