package lithops

import (
	"strings"
	"testing"

	"github.com/Masterminds/semver/v3"
	"github.com/google/go-cmp/cmp"
)

// FuzzParseVersionStrict extends version_test.go's FuzzParseVersion: a parsed version re-parses
// from its String to the same value, its Semver is valid strict semver that round-trips, and the
// name forms and checks built on it do not panic.
func FuzzParseVersionStrict(f *testing.F) {
	for _, s := range []string{
		"3.7.0", "v3.7.0", "V3.7.0", "3.7.1.dev0", "3.7.0rc1", "3.7.0a1", "3.7.0b2.dev1", "3.7.0.post1",
		"3.10", "3", "3.7.0-beta.2", "3.7.0_rc_1", "3.7.0.post.dev", " 3.7.0 ", "3.7.0RC1",
		"3.7.0preview3", "3.7.0c1", "3.7.0.r2", "03.007.0000", "3.7.99999999999999999999", "3.7.0rc99999999999999999999",
		"", "latest", "3..7", ">=3.7", "3.7.0 foo", "\u00a03.7.0\u2028",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseVersion(s)
		if err != nil {
			if !v.IsZero() {
				t.Errorf("ParseVersion(%q) failed but returned %v", s, v)
			}
			return
		}
		if v.IsZero() {
			t.Fatalf("ParseVersion(%q) = zero Version without error", s)
		}
		again, err := ParseVersion(v.String())
		if err != nil {
			t.Fatalf("ParseVersion(%q).String() = %q does not parse: %v", s, v.String(), err)
		}
		if d := cmp.Diff(v, again, cmp.AllowUnexported(Version{})); d != "" {
			t.Errorf("re-parsing %q changes the version (-first +again)\n%s", v.String(), d)
		}
		sv := v.Semver()
		parsed, err := semver.StrictNewVersion(sv.String())
		if err != nil {
			t.Fatalf("Semver() of %q is %q, not valid semver: %v", s, sv.String(), err)
		}
		if !parsed.Equal(sv) || v.Compare(again) != 0 {
			t.Errorf("%q: semver %q does not round-trip (%q)", s, sv, parsed)
		}
		for _, form := range []string{v.NoDots(), v.Dashes()} {
			if strings.ContainsAny(form, " \t\n") {
				t.Errorf("%q: name form %q has white space", s, form)
			}
		}
		_ = v.Check(">= " + MinimumVersion + "-0") // must not panic
		_ = v.Supported()
	})
}

// FuzzParsePython checks ParsePython never panics and that what it accepts is Python 3.x and
// re-parses from its String and Runtime forms to the same value.
func FuzzParsePython(f *testing.F) {
	for _, s := range []string{"3.12", "python3.12", "3.12.1", " 3.9 ", "2.7", "3", "3.x", "python3", "3.012", "3.99999999999999999999", "4.0", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePython(s)
		if err != nil {
			if !p.IsZero() {
				t.Errorf("ParsePython(%q) failed but returned %v", s, p)
			}
			return
		}
		if p.Major != 3 || p.Minor < 0 {
			t.Fatalf("ParsePython(%q) = %+v, want Python 3.x", s, p)
		}
		for _, form := range []string{p.String(), p.Runtime()} {
			again, err := ParsePython(form)
			if err != nil {
				t.Fatalf("ParsePython(%q) = %v, and %q does not parse: %v", s, p, form, err)
			}
			if d := cmp.Diff(p, again); d != "" {
				t.Errorf("re-parsing %q (-first +again)\n%s", form, d)
			}
		}
		if p.NoDot() != strings.ReplaceAll(p.String(), ".", "") {
			t.Errorf("NoDot %q vs String %q", p.NoDot(), p.String())
		}
	})
}
