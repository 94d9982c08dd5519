package pip

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// pep508Name matches a valid distribution name (PEP 508), case-insensitively.
var pep508Name = regexp.MustCompile(`(?i)^([a-z0-9]|[a-z0-9][a-z0-9._-]*[a-z0-9])$`)

// FuzzRequirementName checks normalizeName on requirement lines: it never panics, its result has
// no upper-case ASCII, "_" or "."; for a valid name it equals PEP 503's normalize (runs of
// separators collapse: "a__b" is "a-b"), and it ignores version specifiers, extras, markers and
// URLs that follow the name.
func FuzzRequirementName(f *testing.F) {
	for _, s := range []struct{ name, rest string }{
		{"numpy", ">=1.26"}, {"Acme_Text.Utils", "[extra]==1.0"}, {"six", " ; python_version<'3'"},
		{"pkg", " @ https://example.com/pkg.whl"}, {"x", ""}, {"A.B-C_D", "~=2.0"}, {"a__b", "!=3"},
		{" spaced", " >= 1"}, {"", "==1"}, {"ünïcode", ""}, {"İ", ""},
	} {
		f.Add(s.name, s.rest)
	}
	f.Add("aaA", "0")
	f.Fuzz(func(t *testing.T, name, rest string) {
		got := normalizeName(name + rest)
		if strings.ContainsAny(got, "_.ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
			t.Errorf("normalizeName(%q) = %q keeps upper case, _ or .", name+rest, got)
		}
		if !pep508Name.MatchString(name) {
			return
		}
		if got, want := normalizeName(name), normalize(name); got != want {
			t.Errorf("normalizeName(%q) = %q, PEP 503 says %q", name, got, want)
		}
		if rest == "" || strings.IndexAny(rest[:1], "<>=!~;[ @") != 0 {
			return
		}
		if got != normalizeName(name) {
			t.Errorf("normalizeName(%q) = %q, want %q (the name alone)", name+rest, got, normalizeName(name))
		}
		if normalizeName(strings.ToUpper(name)+rest) != got {
			t.Errorf("normalizeName is case-sensitive for %q", name+rest)
		}
	})
}

// FuzzFindRequirement checks findRequirement on arbitrary requirements files: it never panics,
// and a line it returns exists and names the package.
func FuzzFindRequirement(f *testing.F) {
	f.Add("numpy>=1.26\n# comment\n-r other.txt\nAcme_Text.Utils[x]==1\n", "acme-text-utils==1")
	f.Add("", "x")
	f.Add("\n\n  six  \n", "six")
	f.Add("a\r\nb\r\n", "b")
	f.Add("-e .\nfoo @ file:///x\n", "foo")
	f.Fuzz(func(t *testing.T, content, pkg string) {
		p := filepath.Join(t.TempDir(), "requirements.txt")
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		file, line := findRequirement([]string{filepath.Join(t.TempDir(), "missing.txt"), p}, pkg)
		if file == "" {
			if line != 0 {
				t.Errorf("no file but line %d", line)
			}
			return
		}
		lines := strings.Split(content, "\n")
		if file != p || line < 1 || line > len(lines) {
			t.Fatalf("findRequirement = %q:%d, outside %q (%d lines)", file, line, p, len(lines))
		}
		if got, want := normalizeName(strings.TrimSpace(lines[line-1])), normalizeName(pkg); got != want {
			t.Errorf("line %d %q names %q, not %q", line, lines[line-1], got, want)
		}
	})
}
