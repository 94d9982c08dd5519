package wheelcheck

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/pip"
)

func mustTarget(t *testing.T, p pip.Platform) *target {
	t.Helper()
	tg, err := newTarget(p)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

var (
	x86glibc226 = pip.Platform{Python: "3.12", Arch: "x86_64", GlibcMajor: 2, GlibcMinor: 26}
	x86glibc234 = pip.Platform{Python: "3.12", Arch: "x86_64", GlibcMajor: 2, GlibcMinor: 34}
	armGlibc234 = pip.Platform{Python: "3.12", Arch: "arm64", GlibcMajor: 2, GlibcMinor: 34}
	x86unset    = pip.Platform{Python: "3.11", Arch: "x86_64"}
)

func TestCheckTag(t *testing.T) {
	tests := []struct {
		platform pip.Platform
		tag      string
		// want are substrings of the reason; nil means the tag is loadable.
		want []string
	}{
		{x86glibc226, "py3-none-any", nil},
		{x86glibc226, "py2.py3-none-any", nil}, // expanded by the caller; py3 part is fine
		{x86glibc226, "py312-none-any", nil},
		{x86glibc226, "py30-none-any", nil},
		{x86glibc226, "py313-none-any", []string{"py313", "3.13", "3.12"}},
		{x86glibc226, "py2-none-any", []string{"py2", "Python 2"}},
		{x86glibc226, "cp312-cp312-manylinux_2_17_x86_64", nil},
		{x86glibc226, "cp312-cp312-manylinux_2_26_x86_64", nil},
		{x86glibc226, "cp312-cp312-manylinux_2_28_x86_64", []string{"manylinux_2_28_x86_64", "glibc 2.28", "2.26"}},
		{x86glibc234, "cp312-cp312-manylinux_2_28_x86_64", nil},
		{x86glibc226, "cp312-cp312-manylinux2014_x86_64", nil},
		{x86glibc226, "cp312-cp312-manylinux2010_x86_64", nil},
		{x86glibc226, "cp312-cp312-manylinux1_x86_64", nil},
		{x86unset, "cp311-cp311-manylinux2014_x86_64", nil},
		{x86unset, "cp311-cp311-manylinux_2_18_x86_64", []string{"glibc 2.18", "2.17"}},
		{x86glibc226, "cp312-cp312-manylinux_2_17_aarch64", []string{"aarch64", "the runtime is x86_64"}},
		{x86glibc226, "cp312-cp312-manylinux2014_aarch64", []string{"aarch64"}},
		{armGlibc234, "cp312-cp312-manylinux2014_aarch64", nil},
		{armGlibc234, "cp312-cp312-manylinux_2_17_x86_64", []string{"x86_64", "the runtime is aarch64"}},
		{x86glibc226, "cp312-cp312-linux_x86_64", []string{"linux_x86_64", "not manylinux", "auditwheel"}},
		{x86glibc226, "cp312-cp312-musllinux_1_2_x86_64", []string{"musllinux_1_2_x86_64", "musl"}},
		{x86glibc226, "cp312-cp312-macosx_11_0_arm64", []string{"macosx_11_0_arm64", "macOS"}},
		{x86glibc226, "cp312-cp312-win_amd64", []string{"win_amd64", "Windows"}},
		{x86glibc226, "cp312-cp312-freebsd_14_x86_64", []string{"freebsd_14_x86_64"}},
		{x86glibc226, "cp311-cp311-manylinux2014_x86_64", []string{"cp311-cp311", "3.11", "3.12"}},
		{x86glibc226, "cp313-cp313-manylinux2014_x86_64", []string{"cp313-cp313"}},
		{x86glibc226, "cp312-cp312t-manylinux2014_x86_64", []string{"cp312t"}},
		{x86glibc226, "cp312-none-any", nil},
		{x86glibc226, "cp311-none-any", []string{"cp311-none"}},
		{x86glibc226, "cp38-abi3-manylinux2014_x86_64", nil},
		{x86glibc226, "cp312-abi3-manylinux2014_x86_64", nil},
		{x86glibc226, "cp313-abi3-manylinux2014_x86_64", []string{"abi3", "3.13", "3.12"}},
		{x86glibc226, "pp310-pypy310_pp73-manylinux2014_x86_64", []string{"pp310", "not CPython"}},
		{x86glibc226, "py3-abi3-any", []string{"abi3", "py3"}},
		{x86glibc226, "py3-none", []string{"not python-abi-platform"}},
		{x86glibc226, "cp312-cp312-manylinux_2_99999999999999999999_x86_64", []string{"no valid glibc"}},
	}
	for _, tt := range tests {
		t.Run(tt.platform.Python+"/"+tt.platform.Arch+"/"+tt.tag, func(t *testing.T) {
			tg := mustTarget(t, tt.platform)
			var got *tagProblem
			for _, single := range expandTag(tt.tag) {
				if got = tg.checkTag(single); got == nil {
					break
				}
			}
			if tt.want == nil {
				if got != nil {
					t.Fatalf("checkTag(%q) = %q, want loadable", tt.tag, got.reason)
				}
				return
			}
			if got == nil {
				t.Fatalf("checkTag(%q) = nil, want a problem mentioning %q", tt.tag, tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(got.reason+" "+got.fix, w) {
					t.Errorf("reason %q and fix %q do not mention %q", got.reason, got.fix, w)
				}
			}
			if got.fix == "" {
				t.Error("no fix given")
			}
		})
	}
}

func TestExpandTag(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"py3-none-any", []string{"py3-none-any"}},
		{"py2.py3-none-any", []string{"py2-none-any", "py3-none-any"}},
		{"cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64", []string{"cp312-cp312-manylinux_2_17_x86_64", "cp312-cp312-manylinux2014_x86_64"}},
		{"bad", []string{"bad"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if d := cmp.Diff(tt.want, expandTag(tt.in)); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
		})
	}
}

func TestNewTargetRefuses(t *testing.T) {
	tests := []struct {
		p    pip.Platform
		want string
	}{
		{pip.Platform{Python: "3", Arch: "x86_64"}, `"3"`},
		{pip.Platform{Python: "2.7", Arch: "x86_64"}, `"2.7"`},
		{pip.Platform{Python: "3.12", Arch: "ppc64le"}, `"ppc64le"`},
	}
	for _, tt := range tests {
		t.Run(tt.p.Python+"/"+tt.p.Arch, func(t *testing.T) {
			_, err := newTarget(tt.p)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("newTarget(%+v) = %v, want an error mentioning %s", tt.p, err, tt.want)
			}
		})
	}
}

func TestParseGlibc(t *testing.T) {
	tests := []struct {
		in   string
		want version
		ok   bool
	}{
		{"GLIBC_2.28", version{2, 28}, true},
		{"GLIBC_2.2.5", version{2, 2}, true},
		{"GLIBC_PRIVATE", version{}, false},
		{"GLIBCXX_3.4.29", version{}, false},
		{"GLIBC_2", version{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseGlibc(tt.in)
			if d := cmp.Diff([]any{tt.want.major, tt.want.minor, tt.ok}, []any{got.major, got.minor, ok}); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
		})
	}
}

func mustPlatform(py, arch string, glibcMinor int) pip.Platform {
	p := pip.Platform{Python: py, Arch: arch}
	if glibcMinor > 0 {
		p.GlibcMajor, p.GlibcMinor = 2, glibcMinor
	}
	return p
}
