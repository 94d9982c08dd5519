package pip

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSupportedTagsArePips compares the tag order uv's wheels are chosen by with real pip's
// (pip debug --verbose lists the tags it installs, most preferred first).
func TestSupportedTagsArePips(t *testing.T) {
	for _, p := range []Platform{
		{Python: "3.12", Arch: "x86_64", GlibcMajor: 2, GlibcMinor: 34},
		{Python: "3.10", Arch: "x86_64", GlibcMajor: 2, GlibcMinor: 26},
		{Python: "3.13", Arch: "arm64", GlibcMajor: 2, GlibcMinor: 34},
		{Python: "3.9", Arch: "x86_64"},
	} {
		args := []string{"-m", "pip", "debug", "--verbose", "--disable-pip-version-check", "--implementation", "cp", "--python-version", p.Python}
		for _, tag := range p.Tags() {
			args = append(args, "--platform", tag)
		}
		out, err := exec.Command("python3", args...).Output()
		if err != nil {
			t.Fatalf("pip debug: %v", err)
		}
		var want []string
		in := false
		for _, line := range strings.Split(string(out), "\n") {
			if strings.HasPrefix(line, "Compatible tags:") {
				in = true
				continue
			}
			if in && strings.HasPrefix(line, "  ") {
				want = append(want, strings.TrimSpace(line))
			} else if in {
				break
			}
		}
		if len(want) == 0 {
			t.Fatalf("pip debug listed no tags:\n%s", out)
		}
		if d := cmp.Diff(want, supportedTags(p)); d != "" {
			t.Errorf("%s: tags differ (-pip +ours):\n%s", p, d)
		}
	}
}
