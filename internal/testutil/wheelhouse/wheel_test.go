package wheelhouse

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// readWheel returns the entries of the wheel at path, in archive order, with their contents.
func readWheel(t *testing.T, path string) ([]string, map[string][]byte) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatalf("opening %s: %v", path, err)
	}
	defer zr.Close()
	var names []string
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatalf("opening %s in %s: %v", f.Name, path, err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("reading %s in %s: %v", f.Name, path, err)
		}
		names = append(names, f.Name)
		files[f.Name] = data
	}
	return names, files
}

func TestWriteWheel(t *testing.T) {
	tests := []struct {
		name         string
		wheel        Wheel
		wantFile     string
		wantNames    []string
		wantMetadata string
		wantWheel    string
		wantTopLevel string
	}{
		{
			name: "package with dependency, default tag",
			wheel: Wheel{Name: "Acme.Text_Utils", Version: "1.2.0", Requires: []string{"acme-core>=1.0"},
				Files: map[string]string{"acmetext/__init__.py": "x = 1\n", "acmetext/sub/mod.py": ""}},
			wantFile: "acme_text_utils-1.2.0-py3-none-any.whl",
			wantNames: []string{"acmetext/__init__.py", "acmetext/sub/mod.py",
				"acme_text_utils-1.2.0.dist-info/METADATA", "acme_text_utils-1.2.0.dist-info/WHEEL",
				"acme_text_utils-1.2.0.dist-info/top_level.txt", "acme_text_utils-1.2.0.dist-info/RECORD"},
			wantMetadata: "Metadata-Version: 2.1\nName: Acme.Text_Utils\nVersion: 1.2.0\n" +
				"Summary: offline test fixture for lithops-runtime-action (not the real Acme.Text_Utils)\n" +
				"Requires-Dist: acme-core>=1.0\n",
			wantWheel:    "Wheel-Version: 1.0\nGenerator: lithops-runtime-action-wheelhouse\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
			wantTopLevel: "acmetext\n",
		},
		{
			name: "top-level modules and a platform tag",
			wheel: Wheel{Name: "ps-mem", Version: "3.14", Tag: "cp312-cp312-macosx_11_0_arm64",
				Files: map[string]string{"ps_mem.py": "", "zz.py": "", "README.txt": "not a module"}},
			wantFile: "ps_mem-3.14-cp312-cp312-macosx_11_0_arm64.whl",
			wantNames: []string{"README.txt", "ps_mem.py", "zz.py",
				"ps_mem-3.14.dist-info/METADATA", "ps_mem-3.14.dist-info/WHEEL",
				"ps_mem-3.14.dist-info/top_level.txt", "ps_mem-3.14.dist-info/RECORD"},
			wantMetadata: "Metadata-Version: 2.1\nName: ps-mem\nVersion: 3.14\n" +
				"Summary: offline test fixture for lithops-runtime-action (not the real ps-mem)\n",
			wantWheel:    "Wheel-Version: 1.0\nGenerator: lithops-runtime-action-wheelhouse\nRoot-Is-Purelib: false\nTag: cp312-cp312-macosx_11_0_arm64\n",
			wantTopLevel: "ps_mem\nzz\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			got, err := WriteWheel(filepath.Join(dir, "new"), tc.wheel)
			if err != nil {
				t.Fatalf("WriteWheel: %v", err)
			}
			if diff := cmp.Diff(filepath.Join(dir, "new", tc.wantFile), got); diff != "" {
				t.Errorf("path (-want +got):\n%s", diff)
			}
			names, files := readWheel(t, got)
			if diff := cmp.Diff(tc.wantNames, names); diff != "" {
				t.Errorf("entries (-want +got):\n%s", diff)
			}
			info := strings.TrimSuffix(tc.wantNames[len(tc.wantNames)-1], "/RECORD")
			for file, want := range map[string]string{"METADATA": tc.wantMetadata, "WHEEL": tc.wantWheel, "top_level.txt": tc.wantTopLevel} {
				if diff := cmp.Diff(want, string(files[info+"/"+file])); diff != "" {
					t.Errorf("%s (-want +got):\n%s", file, diff)
				}
			}
			for p, content := range tc.wheel.Files {
				if diff := cmp.Diff(content, string(files[p])); diff != "" {
					t.Errorf("%s (-want +got):\n%s", p, diff)
				}
			}
			verifyRecord(t, got)
		})
	}
}

func TestWriteWheelRejects(t *testing.T) {
	files := map[string]string{"m.py": ""}
	tests := []struct {
		name    string
		wheel   Wheel
		wantErr string
	}{
		{"no name", Wheel{Version: "1.0", Files: files}, "name and version are required"},
		{"no version", Wheel{Name: "m", Files: files}, "name and version are required"},
		{"dash in version", Wheel{Name: "m", Version: "1-0", Files: files}, "invalid version"},
		{"two-part tag", Wheel{Name: "m", Version: "1.0", Tag: "py3-any", Files: files}, "is not python-abi-platform"},
		{"no files", Wheel{Name: "m", Version: "1.0"}, "no files"},
		{"escaping path", Wheel{Name: "m", Version: "1.0", Files: map[string]string{"../m.py": ""}}, "not a clean relative path"},
		{"absolute path", Wheel{Name: "m", Version: "1.0", Files: map[string]string{"/m.py": ""}}, "not a clean relative path"},
		{"own dist-info", Wheel{Name: "m", Version: "1.0", Files: map[string]string{"m-1.0.dist-info/RECORD": ""}}, "is generated"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := WriteWheel(dir, tc.wheel)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("WriteWheel error = %v, want one containing %q", err, tc.wantErr)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("WriteWheel wrote %d files on error", len(entries))
			}
		})
	}
}

// verifyRecord checks that RECORD lists every other entry of the wheel exactly once, with the
// sha256 and size recomputed here, and itself last with empty hash and size.
func verifyRecord(t *testing.T, path string) {
	t.Helper()
	names, files := readWheel(t, path)
	var record string
	for _, n := range names {
		if strings.HasSuffix(n, ".dist-info/RECORD") {
			record = n
		}
	}
	if record == "" {
		t.Fatalf("%s: no RECORD", filepath.Base(path))
	}
	lines := strings.Split(strings.TrimSuffix(string(files[record]), "\n"), "\n")
	if diff := cmp.Diff(record+",,", lines[len(lines)-1]); diff != "" {
		t.Errorf("%s: RECORD's own line (-want +got):\n%s", filepath.Base(path), diff)
	}
	listed := map[string]bool{}
	for _, line := range lines[:len(lines)-1] {
		fields := strings.Split(line, ",")
		if len(fields) != 3 {
			t.Errorf("%s: RECORD line %q has %d fields", filepath.Base(path), line, len(fields))
			continue
		}
		data, ok := files[fields[0]]
		if !ok {
			t.Errorf("%s: RECORD lists %q, not in the archive", filepath.Base(path), fields[0])
			continue
		}
		want := []string{fields[0], RecordHash(data), strconv.Itoa(len(data))}
		if diff := cmp.Diff(want, fields); diff != "" {
			t.Errorf("%s: RECORD line (-want +got):\n%s", filepath.Base(path), diff)
		}
		listed[fields[0]] = true
	}
	for _, n := range names {
		if n != record && !listed[n] {
			t.Errorf("%s: %q is missing from RECORD", filepath.Base(path), n)
		}
	}
}

func TestRecordHash(t *testing.T) {
	tests := []struct {
		data string
		want string
	}{
		// sha256("") = e3b0c442...b855, urlsafe base64 without padding.
		{"", "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"},
		{"abc", "sha256=ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"},
	}
	for _, tc := range tests {
		t.Run(strconv.Quote(tc.data), func(t *testing.T) {
			if diff := cmp.Diff(tc.want, RecordHash([]byte(tc.data))); diff != "" {
				t.Errorf("RecordHash (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuildWheelNames(t *testing.T) {
	dir := t.TempDir()
	got, err := Build(dir, Options{Lithops: []string{"3.7.0", "3.6.0"}})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	var names []string
	for _, p := range got {
		if filepath.Dir(p) != dir {
			t.Errorf("wheel %s not in %s", p, dir)
		}
		names = append(names, filepath.Base(p))
	}
	want := []string{
		"acme_core-1.0.3-py3-none-any.whl",
		"acme_text_utils-1.2.0-py3-none-any.whl",
		"certifi-2024.8.30-py3-none-any.whl",
		"charset_normalizer-3.3.2-py3-none-any.whl",
		"cloudpickle-3.0.0-py3-none-any.whl",
		"fastnative-2.0.0-cp312-cp312-macosx_11_0_arm64.whl",
		"idna-3.7-py3-none-any.whl",
		"lithops-3.6.0-py3-none-any.whl",
		"lithops-3.7.0-py3-none-any.whl",
		"numpy-1.26.4-py3-none-any.whl",
		"pika-1.3.2-py3-none-any.whl",
		"ps_mem-3.14-py3-none-any.whl",
		"psutil-6.0.0-py3-none-any.whl",
		"redis-5.0.8-py3-none-any.whl",
		"requests-2.32.3-py3-none-any.whl",
		"six-1.16.0-py3-none-any.whl",
		"tblib-3.0.0-py3-none-any.whl",
		"urllib3-1.26.18-py3-none-any.whl",
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("wheels (-want +got):\n%s", diff)
	}
	if !sort.StringsAreSorted(got) {
		t.Errorf("Build returned unsorted paths: %v", got)
	}
	for _, p := range got {
		t.Run(filepath.Base(p), func(t *testing.T) { verifyRecord(t, p) })
	}
}

func TestBuildIsReproducible(t *testing.T) {
	opts := Options{Lithops: []string{"3.7.0", "3.6.0"}, HandlerError: "boom", ReportedVersion: "3.5.0"}
	a, err := Build(t.TempDir(), opts)
	if err != nil {
		t.Fatalf("first Build: %v", err)
	}
	b, err := Build(t.TempDir(), opts)
	if err != nil {
		t.Fatalf("second Build: %v", err)
	}
	if len(a) != len(b) {
		t.Fatalf("builds wrote %d and %d wheels", len(a), len(b))
	}
	for i := range a {
		t.Run(filepath.Base(a[i]), func(t *testing.T) {
			da, err := os.ReadFile(a[i])
			if err != nil {
				t.Fatal(err)
			}
			db, err := os.ReadFile(b[i])
			if err != nil {
				t.Fatal(err)
			}
			if filepath.Base(a[i]) != filepath.Base(b[i]) || !bytes.Equal(da, db) {
				t.Errorf("%s and %s differ", a[i], b[i])
			}
		})
	}
}

func TestBuildTemplatesLithops(t *testing.T) {
	tests := []struct {
		name        string
		opts        Options
		wheel       string
		wantVersion string
		wantRaise   string // the line replacing the marker; "" means the marker stays
	}{
		{"defaults", Options{}, "lithops-3.7.0-py3-none-any.whl", "__version__ = '3.7.0'\n", ""},
		{"other version", Options{Lithops: []string{"3.6.0"}}, "lithops-3.6.0-py3-none-any.whl", "__version__ = '3.6.0'\n", ""},
		{"reported version differs", Options{ReportedVersion: "3.6.0"}, "lithops-3.7.0-py3-none-any.whl", "__version__ = '3.6.0'\n", ""},
		{"handler error quoted", Options{HandlerError: `it's "broken" \ <now>`}, "lithops-3.7.0-py3-none-any.whl",
			"__version__ = '3.7.0'\n", `    raise RuntimeError("it's \"broken\" \\ \u003cnow\u003e")`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := Build(dir, tc.opts); err != nil {
				t.Fatalf("Build: %v", err)
			}
			_, files := readWheel(t, filepath.Join(dir, tc.wheel))
			if diff := cmp.Diff(tc.wantVersion, string(files["lithops/version.py"])); diff != "" {
				t.Errorf("version.py (-want +got):\n%s", diff)
			}
			utils := string(files["lithops/worker/utils.py"])
			hasMarker := strings.Contains(utils, HandlerErrorMarker)
			if tc.wantRaise == "" {
				if !hasMarker || strings.Contains(utils, "raise") {
					t.Errorf("utils.py should be unchanged, got:\n%s", utils)
				}
				return
			}
			if hasMarker || !strings.Contains(utils, "\n"+tc.wantRaise+"\n") {
				t.Errorf("utils.py lacks %q, got:\n%s", tc.wantRaise, utils)
			}
		})
	}
}

func TestBuildErrors(t *testing.T) {
	noLithops := t.TempDir()
	if err := os.MkdirAll(filepath.Join(noLithops, "six"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"six/wheel.json": `{"name": "six", "version": "1.0"}`, "six/six.py": ""} {
		if err := os.WriteFile(filepath.Join(noLithops, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	badManifest := t.TempDir()
	if err := os.MkdirAll(filepath.Join(badManifest, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(badManifest, "x", "wheel.json"), []byte(`{"name": "x", "versoin": "1"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		src     string
		wantErr string
	}{
		{"missing directory", filepath.Join(t.TempDir(), "absent"), "reading wheel sources"},
		{"empty directory", t.TempDir(), "no source trees"},
		{"no lithops tree", noLithops, `no "lithops" source tree`},
		{"unknown manifest field", badManifest, `unknown field "versoin"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Build(t.TempDir(), Options{WheelSrc: tc.src})
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Build error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}
