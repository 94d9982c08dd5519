package lithops

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseVersion(t *testing.T) {
	tests := []struct {
		in, str, nodots, dashes, semver string
	}{
		{"3.7.0", "3.7.0", "370", "3-7-0", "3.7.0"},
		{"v3.7.0", "3.7.0", "370", "3-7-0", "3.7.0"},
		{"3.7.1.dev0", "3.7.1.dev0", "371dev0", "3-7-1-dev0", "3.7.1-0.dev.0"},
		{"3.7.0rc1", "3.7.0rc1", "370rc1", "3-7-0rc1", "3.7.0-3.rc.1.1"},
		{"3.7.0a1", "3.7.0a1", "370a1", "3-7-0a1", "3.7.0-1.a.1.1"},
		{"3.7.0b2.dev1", "3.7.0b2.dev1", "370b2dev1", "3-7-0b2-dev1", "3.7.0-2.b.2.0.1"},
		{"3.7.0.post1", "3.7.0.post1", "370post1", "3-7-0-post1", "3.7.0+post.1"},
		{"3.10", "3.10", "310", "3-10", "3.10.0"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			v, err := ParseVersion(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{v.String(), v.NoDots(), v.Dashes(), v.Semver().String()}
			want := []string{tt.str, tt.nodots, tt.dashes, tt.semver}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
		})
	}
}

func TestParseVersionRefuses(t *testing.T) {
	for _, in := range []string{"", "latest", "3.7.x", "3..7", "3.7.0-beta-x", ">=3.7", "3.7.0 foo"} {
		t.Run(in, func(t *testing.T) {
			_, err := ParseVersion(in)
			if err == nil || !strings.Contains(err.Error(), "3.7.1.dev0") {
				t.Fatalf("ParseVersion(%q) = %v, want an error showing valid forms", in, err)
			}
		})
	}
}

func TestVersionOrdering(t *testing.T) {
	// PEP 440 order, ascending.
	order := []string{"3.6.0", "3.7.0.dev0", "3.7.0a1", "3.7.0b1.dev3", "3.7.0b1", "3.7.0rc1", "3.7.0rc2", "3.7.0", "3.7.1.dev0", "3.7.1", "3.10.0"}
	for i := 0; i+1 < len(order); i++ {
		a, b := MustParseVersion(order[i]), MustParseVersion(order[i+1])
		if a.Compare(b) >= 0 || b.Compare(a) <= 0 {
			t.Errorf("want %s < %s (semver %s, %s)", a, b, a.Semver(), b.Semver())
		}
	}
}

func TestVersionCheck(t *testing.T) {
	tests := []struct {
		v, c string
		want bool
	}{
		{"3.7.0", ">= 3.7.0", true},
		{"3.7.1.dev0", ">= 3.7.0", true},
		{"3.7.0rc1", ">= 3.7.0", false},
		{"3.6.1", ">= 3.7.0", false},
		{"3.6.1.dev0", "< 3.7.0-0", true},
	}
	for _, tt := range tests {
		if got := MustParseVersion(tt.v).Check(tt.c); got != tt.want {
			t.Errorf("%s satisfies %q = %v, want %v", tt.v, tt.c, got, tt.want)
		}
	}
}

func TestSupported(t *testing.T) {
	for v, ok := range map[string]bool{"3.3.0": true, "3.3.0.dev0": true, "3.7.0": true, "3.2.9": false, "2.9.0": false, "3.2.0rc1": false} {
		err := MustParseVersion(v).Supported()
		if (err == nil) != ok {
			t.Errorf("%s: Supported() = %v, want ok=%v", v, err, ok)
		}
		if err != nil && !strings.Contains(err.Error(), "3.3.0") {
			t.Errorf("%s: error %q does not name the minimum", v, err)
		}
	}
}

func TestFCGeneration(t *testing.T) {
	for v, want := range map[string]FCGeneration{"3.7.0": FC3, "3.7.1.dev0": FC3, "3.8.0": FC3, "3.6.3": FC2, "3.6.4.dev0": FC2, "3.3.0": FC2} {
		if got := FCGenerationFor(MustParseVersion(v)); got != want {
			t.Errorf("%s: %v, want %v", v, got, want)
		}
	}
}

func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{"3.7.0", "3.7.1.dev0", "3.7.0rc1", "v1", "3.7.0.post1.dev2", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseVersion(s)
		if err != nil {
			return
		}
		// A parsed version round-trips through its own string and orders equal to itself.
		w, err := ParseVersion(v.String())
		if err != nil {
			t.Fatalf("%q parsed, but its String %q does not: %v", s, v.String(), err)
		}
		if v.Compare(w) != 0 {
			t.Fatalf("%q and %q order differently", s, v.String())
		}
		_ = v.Semver().String()
	})
}

// TestCheckCanonical: every spelling lithops.__version__ has had since 3.0 is accepted; other
// spellings of the same versions are refused (names embed the string verbatim).
func TestCheckCanonical(t *testing.T) {
	for _, ok := range []string{"3.3.0", "3.7.0", "3.7.1.dev0", "3.6.4.dev", "3.6.5.dev0", "3.7.0rc1", "3.7.0b2.dev1", "3.7.0.post1", "10.0.12"} {
		if err := CheckCanonical(ok); err != nil {
			t.Errorf("CheckCanonical(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"3.7", "3.7.0.0", "03.07.00", "v3.7.0", "3.7.0-dev0", "3.7.0.DEV0", "3.7.0dev0", "3.7.0 ", "3.7.0.rc1"} {
		if err := CheckCanonical(bad); err == nil || !strings.Contains(err.Error(), "lithops.__version__") {
			t.Errorf("CheckCanonical(%q) = %v, want a refusal", bad, err)
		}
	}
}

func TestVerifiedAndFCVersion(t *testing.T) {
	for v, want := range map[string]bool{"3.3.0": true, "3.7.1.dev0": true, NewestVerified().String(): true, "3.8.0.post1": true, "3.8.1.dev0": false, "3.9.0": false, "4.0.0": false} {
		err := MustParseVersion(v).Verified(false)
		if (err == nil) != want {
			t.Errorf("Verified(%s) = %v", v, err)
		}
		if err != nil && (!strings.Contains(err.Error(), v) || !strings.Contains(err.Error(), NewestVerified().String())) {
			t.Errorf("error names not both versions: %v", err)
		}
		if err := MustParseVersion(v).Verified(true); err != nil {
			t.Errorf("Verified(%s, allowNewer) = %v", v, err)
		}
	}
	for v, ambiguous := range map[string]bool{"3.6.4": false, "3.6.5.dev0": true, "3.6.4.post1": false, "3.7.0": false, "3.7.1.dev0": false} {
		if err := CheckFCVersion(MustParseVersion(v)); (err != nil) != ambiguous {
			t.Errorf("CheckFCVersion(%s) = %v", v, err)
		}
	}
}
