package wheelcheck

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/pip"
)

// dist is a fake installed distribution: a dist-info with a WHEEL (unless tags is nil) and a RECORD
// listing files (path -> content).
type dist struct {
	name, version string
	tags          []string
	files         map[string][]byte
}

// writeTree writes dists into a fresh pip --target tree plus loose files (no RECORD lists them).
func writeTree(t *testing.T, dists []dist, loose map[string][]byte) string {
	t.Helper()
	root := t.TempDir()
	write := func(rel string, data []byte) {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range dists {
		info := d.name + "-" + d.version + ".dist-info"
		var record strings.Builder
		for rel, data := range d.files {
			write(rel, data)
			record.WriteString(rel + ",sha256=x,1\n")
		}
		record.WriteString(info + "/RECORD,,\n../../bin/tool,sha256=x,1\n")
		write(info+"/METADATA", []byte("Metadata-Version: 2.1\nName: "+d.name+"\n"))
		write(info+"/RECORD", []byte(record.String()))
		if d.tags != nil {
			wheel := "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: false\n"
			for _, tag := range d.tags {
				wheel += "Tag: " + tag + "\n"
			}
			write(info+"/WHEEL", []byte(wheel))
		}
	}
	for rel, data := range loose {
		write(rel, data)
	}
	return root
}

// problemsOf returns the one-line messages of the problems Check joined, sorted.
func problemsOf(t *testing.T, err error) []*Problem {
	t.Helper()
	if err == nil {
		return nil
	}
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("Check returned %v (%T), want joined problems", err, err)
	}
	var out []*Problem
	for _, e := range j.Unwrap() {
		var p *Problem
		if !errors.As(e, &p) {
			t.Fatalf("Check returned %v (%T), want *Problem", e, e)
		}
		if strings.Contains(p.Error(), "\n") {
			t.Errorf("problem spans lines: %q", p.Error())
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, k int) bool { return out[i].File < out[k].File })
	return out
}

// want is a problem expected from Check: its distribution, file and message substrings.
type want struct {
	dist, file string
	mention    []string
}

func compare(t *testing.T, err error, wants []want) {
	t.Helper()
	t.Logf("Check: %v", err)
	got := problemsOf(t, err)
	type key struct{ Dist, File string }
	var gotKeys, wantKeys []key
	for _, p := range got {
		gotKeys = append(gotKeys, key{p.Distribution, p.File})
	}
	for _, w := range wants {
		wantKeys = append(wantKeys, key{w.dist, w.file})
	}
	if d := cmp.Diff(wantKeys, gotKeys); d != "" {
		t.Fatalf("problems (-want +got)\n%s\nerror: %v", d, err)
	}
	for i, w := range wants {
		msg := got[i].Error()
		for _, m := range append(w.mention, w.dist, w.file) {
			if !strings.Contains(msg, m) {
				t.Errorf("problem %q does not mention %q", msg, m)
			}
		}
	}
}

func TestCheckWheelTags(t *testing.T) {
	pure := dist{name: "six", version: "1.16.0", tags: []string{"py2-none-any", "py3-none-any"}, files: map[string][]byte{"six.py": []byte("x")}}
	tests := []struct {
		name     string
		platform pip.Platform
		dists    []dist
		want     []want
	}{
		{
			name:     "pure and fitting manylinux wheels pass",
			platform: x86glibc226,
			dists: []dist{pure,
				{name: "numpy", version: "2.1.0", tags: []string{"cp312-cp312-manylinux_2_17_x86_64", "cp312-cp312-manylinux2014_x86_64"}},
				{name: "legacy", version: "1.0", tags: nil}, // no WHEEL: not judged by tags
			},
		},
		{
			name:     "manylinux_2_28 on a glibc 2.26 runtime",
			platform: x86glibc226,
			dists:    []dist{pure, {name: "fastlib", version: "3.0", tags: []string{"cp312-cp312-manylinux_2_28_x86_64"}}},
			want: []want{{"fastlib 3.0", "fastlib-3.0.dist-info/WHEEL",
				[]string{"manylinux_2_28_x86_64", "glibc 2.28", "2.26", "pin a release of fastlib"}}},
		},
		{
			name:     "one supported tag among several is enough",
			platform: x86glibc226,
			dists:    []dist{{name: "multi", version: "1", tags: []string{"cp312-cp312-manylinux_2_28_x86_64", "cp312-cp312-manylinux_2_17_x86_64"}}},
		},
		{
			name:     "every problem at once",
			platform: x86glibc226,
			dists: []dist{
				{name: "armlib", version: "1", tags: []string{"cp312-cp312-manylinux2014_aarch64"}},
				{name: "built_here", version: "0.1", tags: []string{"cp312-cp312-linux_x86_64"}},
				{name: "muslib", version: "2", tags: []string{"cp312-cp312-musllinux_1_1_x86_64"}},
				{name: "maclib", version: "2", tags: []string{"cp312-cp312-macosx_11_0_arm64"}},
				{name: "oldpy", version: "5", tags: []string{"cp311-cp311-manylinux_2_17_x86_64", "cp311-cp311-manylinux2014_x86_64"}},
				{name: "winlib", version: "2", tags: []string{"cp312-cp312-win_amd64"}},
			},
			want: []want{
				{"armlib 1", "armlib-1.dist-info/WHEEL", []string{"aarch64", "x86_64"}},
				{"built_here 0.1", "built_here-0.1.dist-info/WHEEL", []string{"linux_x86_64", "not manylinux"}},
				{"maclib 2", "maclib-2.dist-info/WHEEL", []string{"macOS"}},
				{"muslib 2", "muslib-2.dist-info/WHEEL", []string{"musl"}},
				{"oldpy 5", "oldpy-5.dist-info/WHEEL", []string{"none of which", "3.11", "python-version"}},
				{"winlib 2", "winlib-2.dist-info/WHEEL", []string{"Windows"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			compare(t, Check(writeTree(t, tt.dists, nil), tt.platform), tt.want)
		})
	}
}

func TestCheckRefusesBadPlatform(t *testing.T) {
	err := Check(t.TempDir(), pip.Platform{Python: "three", Arch: "x86_64"})
	if err == nil || !strings.Contains(err.Error(), `"three"`) {
		t.Fatalf("Check = %v, want an error naming the Python", err)
	}
	if err := Check(filepath.Join(t.TempDir(), "missing"), x86glibc226); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("Check of a missing dir = %v, want an error naming it", err)
	}
}

// compile builds a tiny x86_64 shared object from C source with gcc, or skips the test.
func compile(t *testing.T, src string) []byte {
	t.Helper()
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("the ELF fixtures are compiled for x86_64 Linux")
	}
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("gcc not found")
	}
	dir := t.TempDir()
	c, so := filepath.Join(dir, "x.c"), filepath.Join(dir, "x.so")
	if err := os.WriteFile(c, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(gcc, "-shared", "-fPIC", "-O0", "-o", so, c).CombinedOutput(); err != nil {
		t.Skipf("gcc cannot build a shared object here: %v\n%s", err, out)
	}
	data, err := os.ReadFile(so)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// asAarch64 returns a copy of an x86_64 ELF file claiming to be aarch64: e_machine, the 2-byte
// little-endian field at offset 18 of the ELF header, is set to EM_AARCH64 (183). The rest is
// still x86_64 code, which is fine: only the header and the version tables are read.
func asAarch64(t *testing.T, data []byte) []byte {
	t.Helper()
	if len(data) < 20 || !bytes.Equal(data[:4], elfMagic) || data[5] != 1 /* ELFDATA2LSB */ {
		t.Fatal("not a little-endian ELF file")
	}
	out := bytes.Clone(data)
	binary.LittleEndian.PutUint16(out[18:], 183)
	return out
}

func TestCheckSharedObjects(t *testing.T) {
	plain := compile(t, "int add(int a, int b) { return a + b; }\n")
	// getrandom is GLIBC_2.25; arc4random GLIBC_2.36 (the machine's glibc must have it).
	random := compile(t, "#include <sys/random.h>\nint r(void *b) { return (int)getrandom(b, 8, 0); }\n")
	var arc4 []byte
	if glibcAtLeast(t, 2, 36) {
		arc4 = compile(t, "#include <stdlib.h>\nunsigned r(void) { return arc4random(); }\n")
	}
	linkerScript := []byte("/* GNU ld script */\nINPUT(libfoo.so.1)\n")
	corrupt := append(bytes.Clone(elfMagic), make([]byte, 20)...)

	tests := []struct {
		name     string
		platform pip.Platform
		files    map[string][]byte // owned by the distribution "native 1.0"
		loose    map[string][]byte // in no RECORD
		want     []want
		skip     bool
	}{
		{
			name:     "x86_64 objects within the runtime's glibc",
			platform: x86glibc226,
			files: map[string][]byte{
				"native/_core.cpython-312-x86_64-linux-gnu.so": plain,
				"native/_rand.abi3.so":                         random,
				"native.libs/libfoo-1a2b3c.so.1.2":             plain,
				"native/libfoo.so":                             linkerScript,
			},
		},
		{
			name:     "an aarch64 object on x86_64",
			platform: x86glibc234,
			files:    map[string][]byte{"native/_core.cpython-312-x86_64-linux-gnu.so": plain, "native/_arm.so": asAarch64(t, plain)},
			want:     []want{{"native 1.0", "native/_arm.so", []string{"aarch64", "the runtime is x86_64", "install the x86_64 wheel of native"}}},
		},
		{
			name:     "x86_64 object on arm64",
			platform: armGlibc234,
			files:    map[string][]byte{"native/_arm.so": asAarch64(t, plain), "native/_x86.so": plain},
			want:     []want{{"native 1.0", "native/_x86.so", []string{"x86_64", "the runtime is aarch64"}}},
		},
		{
			name:     "GLIBC_2.25 needed, runtime has 2.17",
			platform: pip.Platform{Python: "3.12", Arch: "x86_64", GlibcMajor: 2, GlibcMinor: 17},
			files:    map[string][]byte{"native/_rand.so": random},
			loose:    map[string][]byte{"stray/_rand_arm.so": asAarch64(t, random)},
			want: []want{
				{"native 1.0", "native/_rand.so", []string{"GLIBC_2.25", "getrandom@GLIBC_2.25", "glibc 2.17", "pin a release of native"}},
				{"", "stray/_rand_arm.so", []string{"aarch64", "no installed distribution"}},
			},
		},
		{
			name:     "GLIBC_2.36 needed, runtime has 2.34",
			platform: x86glibc234,
			files:    map[string][]byte{"native/_arc4.so": arc4},
			want:     []want{{"native 1.0", "native/_arc4.so", []string{"GLIBC_2.36", "arc4random@GLIBC_2.36", "glibc 2.34"}}},
			skip:     arc4 == nil,
		},
		{
			name:     "glibc bound checked on aarch64 headers too",
			platform: pip.Platform{Python: "3.12", Arch: "arm64"},
			files:    map[string][]byte{"native/_rand.so": asAarch64(t, random)},
			want:     []want{{"native 1.0", "native/_rand.so", []string{"GLIBC_2.25", "glibc 2.17"}}},
		},
		{
			name:     "extension module for another CPython or platform",
			platform: x86glibc234,
			files: map[string][]byte{
				"native/_a.cpython-311-x86_64-linux-gnu.so":  plain,
				"native/_b.cpython-312-aarch64-linux-gnu.so": plain,
				"native/_c.cpython-313t-x86_64-linux-gnu.so": plain,
			},
			want: []want{
				{"native 1.0", "native/_a.cpython-311-x86_64-linux-gnu.so", []string{"cpython-311", ".cpython-312-x86_64-linux-gnu.so"}},
				{"native 1.0", "native/_b.cpython-312-aarch64-linux-gnu.so", []string{"aarch64-linux-gnu"}},
				{"native 1.0", "native/_c.cpython-313t-x86_64-linux-gnu.so", []string{"313t"}},
			},
		},
		{
			name:     "a damaged ELF file",
			platform: x86glibc234,
			files:    map[string][]byte{"native/_bad.so": corrupt},
			want:     []want{{"native 1.0", "native/_bad.so", []string{"not a readable ELF"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.skip {
				t.Skip("the machine's glibc is older than 2.36")
			}
			tree := writeTree(t, []dist{{name: "native", version: "1.0", tags: []string{"cp312-cp312-manylinux_2_17_x86_64", "cp312-cp312-manylinux2014_aarch64"}, files: tt.files}}, tt.loose)
			compare(t, Check(tree, tt.platform), tt.want)
		})
	}
}

// glibcAtLeast reports whether this machine's glibc (ldd --version) is at least major.minor.
func glibcAtLeast(t *testing.T, major, minor int) bool {
	t.Helper()
	out, err := exec.Command("ldd", "--version").Output()
	if err != nil {
		return false
	}
	first, _, _ := strings.Cut(string(out), "\n")
	fields := strings.Fields(first)
	if len(fields) == 0 {
		return false
	}
	v, ok := parseGlibc("GLIBC_" + fields[len(fields)-1])
	return ok && !(version{major, minor}).newer(v)
}
