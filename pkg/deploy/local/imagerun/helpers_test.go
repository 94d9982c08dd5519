package imagerun

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

var (
	buildDir     string
	buildOnce    sync.Once
	bootstrapBin []byte
	buildErr     error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "imagerun-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	buildDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// bootstrap builds testdata/bootstrap as a static binary (once) and returns its bytes.
func bootstrap(t *testing.T) []byte {
	t.Helper()
	buildOnce.Do(func() {
		out := filepath.Join(buildDir, "bootstrap")
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "build", "-buildvcs=false", "-o", out, "./testdata/bootstrap")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if b, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./testdata/bootstrap: %v\n%s", err, b)
			return
		}
		bootstrapBin, buildErr = os.ReadFile(out)
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return bootstrapBin
}

// entry is one tar entry of a test layer.
type entry struct {
	name string
	typ  byte // tar.TypeReg when 0
	body []byte
	mode int64
	link string
}

// layer makes an uncompressed layer from entries.
func layer(t *testing.T, entries ...entry) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Mode: e.mode, Linkname: e.link,
			ModTime: time.Unix(1700000000, 0), Format: tar.FormatPAX}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Mode == 0 {
			h.Mode = 0o644
			if h.Typeflag == tar.TypeDir {
				h.Mode = 0o755
			}
		}
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(e.body))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatalf("tar header %q: %v", e.name, err)
		}
		if _, err := tw.Write(e.body); err != nil {
			t.Fatalf("tar body %q: %v", e.name, err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
	if err != nil {
		t.Fatalf("making a layer: %v", err)
	}
	return l
}

// image makes an image from layers (bottom first) and a config.
func image(t *testing.T, cfg v1.Config, layers ...v1.Layer) v1.Image {
	t.Helper()
	img, err := mutate.AppendLayers(empty.Image, layers...)
	if err != nil {
		t.Fatalf("appending layers: %v", err)
	}
	img, err = mutate.Config(img, cfg)
	if err != nil {
		t.Fatalf("setting the config: %v", err)
	}
	return img
}

// bootstrapImage is a Lambda-style image: /bootstrap as ENTRYPOINT, WorkingDir /var/task, a
// GREETING variable, and two layers (the upper whites out a file of the lower).
func bootstrapImage(t *testing.T) v1.Image {
	t.Helper()
	base := layer(t,
		entry{name: "bootstrap", body: bootstrap(t), mode: 0o755},
		entry{name: "var/", typ: tar.TypeDir},
		entry{name: "var/task/", typ: tar.TypeDir},
		entry{name: "var/task/gone.txt", body: []byte("whited out above")},
		entry{name: "etc/", typ: tar.TypeDir},
	)
	upper := layer(t,
		entry{name: "var/task/.wh.gone.txt"},
		entry{name: "var/task/app.py", body: []byte("def handler(e, c): return e\n")},
	)
	return image(t, v1.Config{
		Entrypoint: []string{"/bootstrap"},
		Env:        []string{"PATH=/usr/bin:/bin", "GREETING=hello"},
		WorkingDir: "/var/task",
	}, base, upper)
}
