package pythonbase

import (
	"archive/tar"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// TestImageWithPackages: the stand-in has python3 and pip on PATH, Debian's apt-get, and the
// packages asked for in site-packages with their console scripts in /usr/local/bin running the
// image's python3; pip.conf keeps a build's pip off PyPI.
func TestImageWithPackages(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: this test builds the Debian stand-in base (mmdebstrap, PyPI) once per machine")
	}
	img, err := Image("3.12", "gunicorn==23.0.0")
	if err != nil {
		t.Fatal(err)
	}
	again, err := Image("3.12", "gunicorn==23.0.0")
	if err != nil || again != img {
		t.Errorf("a second call made another image (%v)", err)
	}
	files := map[string]string{} // path -> content (regular files) or "-> target" (links)
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		name := "/" + strings.TrimPrefix(h.Name, "/")
		switch h.Typeflag {
		case tar.TypeSymlink:
			files[name] = "-> " + h.Linkname
		case tar.TypeReg:
			if strings.HasPrefix(name, "/usr/local/bin/") || strings.HasPrefix(name, "/etc/pip") {
				data, _ := io.ReadAll(tr)
				files[name] = string(data)
			} else {
				files[name] = ""
			}
		}
	}
	if !strings.HasPrefix(files["/usr/local/bin/python3"], "-> /") {
		t.Errorf("/usr/local/bin/python3: %q, want a link to this machine's python3.12", files["/usr/local/bin/python3"])
	}
	if _, ok := files["/usr/bin/apt-get"]; !ok {
		t.Errorf("no /usr/bin/apt-get: not Debian's userland")
	}
	if got := files["/usr/local/bin/gunicorn"]; !strings.HasPrefix(got, "#!/usr/local/bin/python3\n") {
		t.Errorf("/usr/local/bin/gunicorn = %q, want a script run by /usr/local/bin/python3", got)
	}
	if got := files["/etc/pip.conf"]; !strings.Contains(got, "no-index = true") {
		t.Errorf("/etc/pip.conf = %q, want no-index", got)
	}
	dist := false
	for p := range files {
		dist = dist || (strings.Contains(p, "/site-packages/gunicorn-23.0.0.dist-info/") && strings.HasSuffix(p, "METADATA"))
	}
	if !dist {
		t.Errorf("no gunicorn-23.0.0.dist-info in site-packages")
	}
}
