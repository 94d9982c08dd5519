package pip_test

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/wheelhouse"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/pip"
)

// treeOf returns every file under dir by slash path, as "mode content".
func treeOf(t *testing.T, dir string) map[string]string {
	t.Helper()
	tree := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		tree[filepath.ToSlash(rel)] = fmt.Sprintf("%v %s", info.Mode().Perm(), data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// TestWheelInstallerMatchesPip installs the same request from the fixture wheelhouse with pip and
// with the wheel installer and compares the trees: file list, modes and contents (RECORD,
// INSTALLER and REQUESTED included).
func TestWheelInstallerMatchesPip(t *testing.T) {
	offline(t)
	for _, tt := range []struct {
		name  string
		files string
		reqs  []string
	}{
		{name: "requirements and lithops defaults", files: "acme-text-utils>=1.0\nrequests\n", reqs: []string{"ps-mem", "urllib3<2", "tblib", "cloudpickle", "six", "pika", "psutil", "redis"}},
		{name: "one pin", reqs: []string{"six==1.16.0"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			req := pip.InstallRequest{Requirements: tt.reqs, Platform: pip.Platform{Python: "3.12", Arch: "x86_64", GlibcMajor: 2, GlibcMinor: 26}}
			if tt.files != "" {
				f := filepath.Join(dir, "requirements.txt")
				if err := os.WriteFile(f, []byte(tt.files), 0o644); err != nil {
					t.Fatal(err)
				}
				req.RequirementFiles = []string{f}
			}
			reports := map[string]*pip.Report{}
			trees := map[string]map[string]string{}
			for _, path := range []string{"pip", "wheels"} {
				var logs strings.Builder
				opts := []pip.Option{pip.WithLogger(slog.New(slog.NewTextHandler(&logs, nil)))}
				if path == "wheels" {
					opts = append(opts, pip.WithWheelInstaller(0))
				}
				r := req
				r.Target = filepath.Join(dir, path)
				rep, err := pip.NewInstaller(opts...).InstallRequirements(context.Background(), r)
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				reports[path], trees[path] = rep, treeOf(t, r.Target)
				if fast := strings.Contains(logs.String(), "msg=\"installed wheels\""); fast != (path == "wheels") {
					t.Errorf("%s: wheel installer used = %v\n%s", path, fast, logs.String())
				}
			}
			if len(trees["pip"]) == 0 {
				t.Fatal("pip installed nothing")
			}
			if d := cmp.Diff(trees["pip"], trees["wheels"]); d != "" {
				t.Errorf("trees differ (-pip +wheel installer):\n%s", d)
			}
			if d := cmp.Diff(reports["pip"], reports["wheels"]); d != "" {
				t.Errorf("reports differ (-pip +wheel installer):\n%s", d)
			}
		})
	}
}

// writeZip writes a wheel-like zip with the given members (name -> content; a name ending in
// "*" is stored executable, without the "*").
func writeZip(t *testing.T, path string, members map[string]string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, content := range members {
		h := &zip.FileHeader{Name: strings.TrimSuffix(name, "*"), Method: zip.Deflate}
		h.SetMode(0o644)
		if strings.HasSuffix(name, "*") {
			h.SetMode(0o755)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(content))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

const wheelMeta = "Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: cp312-cp312-manylinux_2_17_x86_64\n"

func TestUnpackWheels(t *testing.T) {
	dir := t.TempDir()
	whl := filepath.Join(dir, "demo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl")
	writeZip(t, whl, map[string]string{
		"demo/__init__.py":                        "x = 1\n",
		"demo/tool.sh*":                           "#!/bin/sh\n",
		"demo-1.0.data/platlib/demo_native.py":    "y = 2\n",
		"demo-1.0.data/purelib/demo_extra/a.py":   "z = 3\n",
		"demo-1.0.dist-info/WHEEL":                wheelMeta,
		"demo-1.0.dist-info/METADATA":             "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n",
		"demo-1.0.dist-info/RECORD":               "demo/__init__.py,sha256=abc,6\ndemo-1.0.data/platlib/demo_native.py,sha256=def,6\ndemo-1.0.dist-info/RECORD,,\n",
		"demo-1.0.dist-info/top_level.txt":        "demo\n",
		"demo-1.0.data/purelib/demo_extra/b,c.py": "w = 4\n",
	})
	target := filepath.Join(dir, "target")
	if err := pip.UnpackWheels(context.Background(), target, []pip.WheelFile{{Path: whl, Requested: true}}, 2); err != nil {
		t.Fatal(err)
	}
	got := treeOf(t, target)
	record := got["demo-1.0.dist-info/RECORD"]
	delete(got, "demo-1.0.dist-info/RECORD")
	want := map[string]string{
		"demo/__init__.py":                 "-rw-r--r-- x = 1\n",
		"demo/tool.sh":                     "-rwxr-xr-x #!/bin/sh\n",
		"demo_native.py":                   "-rw-r--r-- y = 2\n",
		"demo_extra/a.py":                  "-rw-r--r-- z = 3\n",
		"demo_extra/b,c.py":                "-rw-r--r-- w = 4\n",
		"demo-1.0.dist-info/WHEEL":         "-rw-r--r-- " + wheelMeta,
		"demo-1.0.dist-info/METADATA":      "-rw-r--r-- Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n",
		"demo-1.0.dist-info/top_level.txt": "-rw-r--r-- demo\n",
		"demo-1.0.dist-info/INSTALLER":     "-rw-r--r-- pip\n",
		"demo-1.0.dist-info/REQUESTED":     "-rw-r--r-- ",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("tree (-want +got)\n%s", d)
	}
	// The RECORD keeps the wheel's rows (moved .data paths rewritten), hashes the unlisted files,
	// adds INSTALLER and REQUESTED, is sorted and uses CRLF, as pip's.
	wantRecord := strings.Join([]string{
		"-rw-r--r-- demo-1.0.dist-info/INSTALLER,sha256=zuuue4knoyJ-UwPPXg8fezS7VCrXJQrAP7zeNuwvFQg,4",
		"demo-1.0.dist-info/METADATA," + wheelhouse.RecordHash([]byte("Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n")) + ",46",
		"demo-1.0.dist-info/RECORD,,",
		"demo-1.0.dist-info/REQUESTED,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0",
		"demo-1.0.dist-info/WHEEL," + wheelhouse.RecordHash([]byte(wheelMeta)) + fmt.Sprintf(",%d", len(wheelMeta)),
		"demo-1.0.dist-info/top_level.txt," + wheelhouse.RecordHash([]byte("demo\n")) + ",5",
		"demo/__init__.py,sha256=abc,6",
		"demo/tool.sh," + wheelhouse.RecordHash([]byte("#!/bin/sh\n")) + ",10",
		"demo_extra/a.py," + wheelhouse.RecordHash([]byte("z = 3\n")) + ",6",
		`"demo_extra/b,c.py",` + wheelhouse.RecordHash([]byte("w = 4\n")) + ",6",
		"demo_native.py,sha256=def,6",
	}, "\r\n") + "\r\n"
	if d := cmp.Diff(wantRecord, record); d != "" {
		t.Errorf("RECORD (-want +got)\n%s", d)
	}
}

func TestUnpackWheelsUnsupported(t *testing.T) {
	base := map[string]string{
		"demo/__init__.py":          "",
		"demo-1.0.dist-info/WHEEL":  wheelMeta,
		"demo-1.0.dist-info/RECORD": "",
	}
	for _, tt := range []struct {
		name  string
		extra map[string]string
		other map[string]string // a second wheel, if any
		want  string
	}{
		{name: "wheel version 2", extra: map[string]string{"demo-1.0.dist-info/WHEEL": "Wheel-Version: 2.0\n"}, want: `Wheel-Version "2.0"`},
		{name: "unknown scheme", extra: map[string]string{"demo-1.0.data/libexec/demo": ""}, want: `unknown scheme "libexec"`},
		{name: "overlapping wheels, other bytes", other: map[string]string{"demo/__init__.py": "# other\n", "other-1.0.dist-info/WHEEL": wheelMeta, "other-1.0.dist-info/RECORD": ""}, want: "demo/__init__.py is also in demo-1.0-py3-none-any.whl, with other bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			members := map[string]string{}
			for k, v := range base {
				members[k] = v
			}
			for k, v := range tt.extra {
				members[k] = v
			}
			wheels := []pip.WheelFile{{Path: filepath.Join(dir, "demo-1.0-py3-none-any.whl")}}
			writeZip(t, wheels[0].Path, members)
			if tt.other != nil {
				wheels = append(wheels, pip.WheelFile{Path: filepath.Join(dir, "other-1.0-py3-none-any.whl")})
				writeZip(t, wheels[1].Path, tt.other)
			}
			target := filepath.Join(dir, "target")
			err := pip.UnpackWheels(context.Background(), target, wheels, 0)
			var unsup *pip.UnsupportedWheelError
			if !errors.As(err, &unsup) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an UnsupportedWheelError saying %q", err, tt.want)
			}
			if _, err := os.Stat(target); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the target was written before the wheels were checked: %v", err)
			}
		})
	}
}

func TestUnpackWheelsUnsafePath(t *testing.T) {
	dir := t.TempDir()
	whl := filepath.Join(dir, "evil-1.0-py3-none-any.whl")
	writeZip(t, whl, map[string]string{"../evil.py": "", "evil-1.0.dist-info/WHEEL": wheelMeta, "evil-1.0.dist-info/RECORD": ""})
	err := pip.UnpackWheels(context.Background(), filepath.Join(dir, "t"), []pip.WheelFile{{Path: whl}}, 1)
	if err == nil || !strings.Contains(err.Error(), "unsafe path") {
		t.Fatalf("got %v, want an unsafe path error", err)
	}
}
