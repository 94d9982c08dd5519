package pip_test

import (
	"archive/zip"
	"compress/flate"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/pypi"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/pip"
)

// realRequirements are real PyPI distributions whose wheels have what the wheel installer must
// handle: console scripts (charset-normalizer, chardet, numpy's f2py), .data/scripts (jsonpointer),
// .data/headers and .data/data (pybind11-global), a .pth file (setuptools), a namespace package
// two wheels share (zope.interface and zope.event) and a .libs directory (numpy). No wheel of
// these stores members uncompressed: TestRepackedRealWheels covers that.
var realRequirements = []string{
	"numpy==2.2.6", "charset-normalizer==3.4.2", "chardet==5.2.0", "jsonpointer==2.4",
	"pybind11-global==2.13.6", "setuptools==80.9.0", "zope.interface==7.2", "zope.event==5.0",
}

var realPlatform = pip.Platform{Python: "3.12", Arch: "x86_64", GlibcMajor: 2, GlibcMinor: 26}

// onlyFrom points pip at a wheelhouse only.
func onlyFrom(t *testing.T, dir string) {
	t.Setenv("PIP_NO_INDEX", "1")
	t.Setenv("PIP_FIND_LINKS", dir)
	t.Setenv("PIP_CONFIG_FILE", os.DevNull)
}

// pipTree runs real pip install --target (the Lithops way) and returns its tree without what the
// runtimes leave out: bin/ (script launchers), include/python/ (headers) and their RECORD rows.
func pipTree(t *testing.T, target string, p pip.Platform, reqs []string) map[string]string {
	t.Helper()
	args := []string{"-m", "pip", "install", "--target", target, "--implementation", "cp", "--python-version", p.Python,
		"--only-binary=:all:", "--no-compile", "--disable-pip-version-check", "--no-input", "--quiet"}
	for _, tag := range p.Tags() {
		args = append(args, "--platform", tag)
	}
	if out, err := exec.Command("python3", append(args, reqs...)...).CombinedOutput(); err != nil {
		t.Fatalf("pip install: %v\n%s", err, out)
	}
	raw := treeOf(t, target)
	want := map[string]string{}
	for name, content := range raw {
		if strings.HasPrefix(name, "bin/") || strings.HasPrefix(name, "include/python/") {
			continue
		}
		if top, rest, _ := strings.Cut(name, "/"); strings.HasSuffix(top, ".dist-info") && rest == "RECORD" {
			mode, text, _ := strings.Cut(content, " ")
			kept := []string{mode + " "}
			for _, line := range strings.SplitAfter(text, "\n") {
				if !strings.HasPrefix(line, "../../bin/") && !strings.HasPrefix(line, "../../include/python/") {
					kept = append(kept, line)
				}
			}
			content = strings.Join(kept, "")
		}
		want[name] = content
	}
	return want
}

// checkPremises fails unless the wheelhouse really has every case the test is about.
func checkPremises(t *testing.T, dir string) {
	t.Helper()
	found := map[string]bool{}
	prefixes := map[string]int{}
	wheels, _ := filepath.Glob(filepath.Join(dir, "*.whl"))
	for _, w := range wheels {
		zr, err := zip.OpenReader(w)
		if err != nil {
			t.Fatal(err)
		}
		tops := map[string]bool{}
		for _, f := range zr.File {
			for _, scheme := range []string{"scripts", "headers", "data"} {
				if strings.Contains(f.Name, ".data/"+scheme+"/") {
					found[".data/"+scheme] = true
				}
			}
			if !strings.Contains(f.Name, "/") && strings.HasSuffix(f.Name, ".pth") {
				found[".pth"] = true
			}
			if strings.HasSuffix(f.Name, "entry_points.txt") {
				r, _ := f.Open()
				b := make([]byte, 1<<16)
				n, _ := r.Read(b)
				r.Close()
				if strings.Contains(string(b[:n]), "[console_scripts]") {
					found["console scripts"] = true
				}
			}
			if top, _, ok := strings.Cut(f.Name, "/"); ok && !strings.Contains(top, ".dist-info") && !strings.Contains(top, ".data") {
				tops[top] = true
			}
		}
		zr.Close()
		for top := range tops {
			prefixes[top]++
		}
	}
	for top, n := range prefixes {
		if n > 1 {
			found["directory shared by wheels ("+top+")"] = true
			found["shared directory"] = true
		}
	}
	for _, want := range []string{".data/scripts", ".data/headers", ".data/data", ".pth", "console scripts", "shared directory"} {
		if !found[want] {
			t.Errorf("the wheelhouse %s has no wheel with a %s: the test does not test it", dir, want)
		}
	}
}

// TestRealWheelsMatchPip installs real PyPI wheels with pip (the Lithops way), with the wheel
// installer and as a planned tree (what the zips are written from) and compares the trees:
// names, bytes and modes, RECORD included, bin/ and include/python/ left out.
func TestRealWheelsMatchPip(t *testing.T) {
	wheelhouse := pypi.Wheelhouse(t, realPlatform, realRequirements...)
	checkPremises(t, wheelhouse)
	onlyFrom(t, wheelhouse)
	dir := t.TempDir()
	want := pipTree(t, filepath.Join(dir, "lithops-way"), realPlatform, realRequirements)
	if _, ok := want["numpy/__init__.py"]; !ok {
		t.Fatal("pip installed no numpy")
	}
	ctx := context.Background()
	req := pip.InstallRequest{Requirements: realRequirements, Platform: realPlatform}

	for _, path := range []string{"pip", "wheel installer", "planned tree"} {
		t.Run(path, func(t *testing.T) {
			var logs strings.Builder
			opts := []pip.Option{pip.WithLogger(slog.New(slog.NewTextHandler(&logs, nil)))}
			if path != "pip" {
				opts = append(opts, pip.WithWheelInstaller(0))
			}
			inst := pip.NewInstaller(opts...)
			r := req
			r.Target = filepath.Join(dir, path)
			if path == "planned tree" {
				tree, err := inst.PlanRequirements(ctx, r)
				if err != nil {
					t.Fatal(err)
				}
				defer tree.Close()
				writeTree(t, tree, r.Target)
			} else if _, err := inst.InstallRequirements(ctx, r); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(want, treeOf(t, r.Target)); d != "" {
				t.Errorf("tree differs (-pip install --target +%s):\n%s", path, d)
			}
			if path != "pip" && strings.Contains(logs.String(), "pip installs") {
				t.Errorf("a real wheel went back to pip:\n%s", logs.String())
			}
		})
	}
}

// writeTree writes a planned tree's files into dir.
func writeTree(t *testing.T, tree *pip.Tree, dir string) {
	t.Helper()
	files, err := tree.Files()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		if seen[f.Name] {
			t.Errorf("the tree lists %s twice", f.Name)
		}
		seen[f.Name] = true
		data := f.Data
		if f.Raw != nil {
			data = inflate(t, f)
		}
		dst := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o644)
		if f.Exec {
			mode = 0o755
		}
		if err := os.WriteFile(dst, data, mode); err != nil {
			t.Fatal(err)
		}
	}
}

// inflate reads a tree file's raw bytes as stored in its wheel.
func inflate(t *testing.T, f pip.TreeFile) []byte {
	t.Helper()
	r, err := f.Raw()
	if err != nil {
		t.Fatal(err)
	}
	if f.Method == zip.Deflate {
		r = flate.NewReader(r)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s: %v", f.Name, err)
	}
	return data
}

// repack rewrites a wheel with python's zipfile, every member with the given method (8 deflate,
// 0 stored) except the members named in other, written with other's method (12: bzip2).
func repack(t *testing.T, src, dst string, method int, other map[string]int) {
	t.Helper()
	script := `import sys, zipfile, json
src, dst, method, other = sys.argv[1], sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4])
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
    for info in zin.infolist():
        data = zin.read(info)
        info.compress_type = other.get(info.filename, method)
        zout.writestr(info, data)
`
	o, _ := json.Marshal(other)
	if out, err := exec.Command("python3", "-c", script, src, dst, fmt.Sprint(method), string(o)).CombinedOutput(); err != nil {
		t.Fatalf("repacking %s: %v\n%s", src, err, out)
	}
}

// TestRepackedRealWheels: real wheels rewritten with stored members are unpacked by the wheel
// installer; a wheel with a bzip2 member (valid for pip, not copied raw into a zip) is handed
// alone to pip, the log naming it and why, and the tree is still pip's.
func TestRepackedRealWheels(t *testing.T) {
	reqs := []string{"jsonpointer==2.4", "charset-normalizer==3.4.2", "six==1.17.0"}
	src := pypi.Wheelhouse(t, realPlatform, reqs...)
	house := t.TempDir()
	wheels, _ := filepath.Glob(filepath.Join(src, "*.whl"))
	for _, w := range wheels {
		base := filepath.Base(w)
		switch {
		case strings.HasPrefix(base, "jsonpointer-"):
			repack(t, w, filepath.Join(house, base), 8, map[string]int{"jsonpointer.py": 12})
		default:
			repack(t, w, filepath.Join(house, base), 0, map[string]int{})
		}
	}
	onlyFrom(t, house)
	dir := t.TempDir()
	want := pipTree(t, filepath.Join(dir, "lithops-way"), realPlatform, reqs)
	ctx := context.Background()
	for _, path := range []string{"wheel installer", "planned tree"} {
		t.Run(path, func(t *testing.T) {
			var logs strings.Builder
			inst := pip.NewInstaller(pip.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))), pip.WithWheelInstaller(0))
			r := pip.InstallRequest{Requirements: reqs, Platform: realPlatform, Target: filepath.Join(dir, path)}
			if path == "planned tree" {
				tree, err := inst.PlanRequirements(ctx, r)
				if err != nil {
					t.Fatal(err)
				}
				defer tree.Close()
				writeTree(t, tree, r.Target)
			} else if _, err := inst.InstallRequirements(ctx, r); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(want, treeOf(t, r.Target)); d != "" {
				t.Errorf("tree differs (-pip install --target +%s):\n%s", path, d)
			}
			var fallbacks []string
			for _, line := range strings.Split(logs.String(), "\n") {
				if strings.Contains(line, "pip installs") {
					fallbacks = append(fallbacks, line)
				}
			}
			if len(fallbacks) != 1 || !strings.Contains(fallbacks[0], "wheel=jsonpointer-2.4-") ||
				!strings.Contains(fallbacks[0], "jsonpointer.py is compressed with zip method 12") {
				t.Errorf("want one wheel handed to pip, jsonpointer, for its bzip2 member; log:\n%s", logs.String())
			}
		})
	}
}

// TestInstallLithopsFastMatchesPip: lithops from its real wheel, unpacked by the wheel installer
// (pip or uv resolving), gives pip install --no-deps --target's tree without the lithops command's
// launcher, plus entry_point.py.
func TestInstallLithopsFastMatchesPip(t *testing.T) {
	house := pypi.Wheelhouse(t, realPlatform, "--no-deps", "lithops==3.7.0")
	onlyFrom(t, house)
	dir := t.TempDir()
	want := pipTree(t, filepath.Join(dir, "lithops-way"), realPlatform, []string{"--no-deps", "lithops==3.7.0"})
	const entry = "lithops/serverless/backends/aws_lambda/entry_point.py"
	want["entry_point.py"] = want[entry]
	resolvers := map[string][]pip.Option{"pip": nil}
	if uv, err := exec.LookPath("uv"); err == nil {
		resolvers["uv"] = []pip.Option{pip.WithUV(uv), pip.WithIndex(pip.Index{NoIndex: true, FindLinks: []string{house}})}
	}
	for name, opts := range resolvers {
		t.Run(name, func(t *testing.T) {
			var logs strings.Builder
			inst := pip.NewInstaller(append(opts, pip.WithWheelInstaller(0), pip.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))...)
			target := filepath.Join(dir, name)
			if err := inst.InstallLithops(context.Background(), "3.7.0", target, realPlatform, entry); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(logs.String(), `msg="installed wheels"`) {
				t.Errorf("lithops was not installed by the wheel installer:\n%s", logs.String())
			}
			if d := cmp.Diff(want, treeOf(t, target)); d != "" {
				t.Errorf("tree differs (-pip install --no-deps --target +wheel installer):\n%s", d)
			}
		})
	}
}
