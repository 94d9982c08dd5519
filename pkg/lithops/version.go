package lithops

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// MinimumVersion is the oldest Lithops release whose naming this action
// reproduces: before 3.3.0 the AWS user key was derived differently.
const MinimumVersion = "3.3.0"

// pep440 matches the public version forms Lithops releases use: a release
// segment, an optional pre-release (a, b, rc), post-release and dev-release.
var pep440 = regexp.MustCompile(`^v?([0-9]+(?:\.[0-9]+)*)` +
	`(?:[-_.]?(a|b|rc|alpha|beta|c|pre|preview)[-_.]?([0-9]*))?` +
	`(?:[-_.]?(post|rev|r)[-_.]?([0-9]*))?` +
	`(?:[-_.]?(dev)[-_.]?([0-9]*))?$`)

// Version is a Lithops version as the client reports it (lithops.__version__).
// Names embed the string verbatim, so the original spelling is kept.
type Version struct {
	raw     string
	release []int
	pre     string // "a", "b", "rc" or ""
	preN    int
	post    int // -1 when absent
	dev     int // -1 when absent
}

// ParseVersion parses a PEP 440 release version such as 3.7.0, 3.7.1.dev0,
// 3.7.0rc1, 3.7.0a1 or 3.7.0.post1 (a leading "v" is dropped).
func ParseVersion(s string) (Version, error) {
	in := strings.TrimSpace(s)
	m := pep440.FindStringSubmatch(strings.ToLower(in))
	if m == nil {
		return Version{}, fmt.Errorf("%q is not a Lithops version: expected a PEP 440 release such as 3.7.0, 3.7.1.dev0 or 3.7.0rc1", s)
	}
	v := Version{raw: strings.TrimPrefix(strings.TrimPrefix(in, "v"), "V"), post: -1, dev: -1}
	for _, part := range strings.Split(m[1], ".") {
		n, err := strconv.Atoi(part)
		if err != nil {
			return Version{}, fmt.Errorf("%q is not a Lithops version: release number %q is too large", s, part)
		}
		v.release = append(v.release, n)
	}
	if m[2] != "" {
		switch m[2] {
		case "a", "alpha":
			v.pre = "a"
		case "b", "beta":
			v.pre = "b"
		default:
			v.pre = "rc"
		}
		v.preN = atoi(m[3])
	}
	if m[4] != "" {
		v.post = atoi(m[5])
	}
	if m[6] != "" {
		v.dev = atoi(m[7])
	}
	return v, nil
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s) // "" means 0 in PEP 440
	return n
}

// MustParseVersion is ParseVersion for constants known to be valid; it panics otherwise.
func MustParseVersion(s string) Version {
	v, err := ParseVersion(s)
	if err != nil {
		panic(err)
	}
	return v
}

// String is the version exactly as given (without a leading "v"): the form
// lithops.__version__ has and the names embed.
func (v Version) String() string { return v.raw }

// IsZero reports whether v is the zero Version (never parsed).
func (v Version) IsZero() bool { return v.raw == "" }

// NoDots is the AWS form of the version: dots removed (3.7.1.dev0 -> 371dev0).
func (v Version) NoDots() string { return strings.ReplaceAll(v.raw, ".", "") }

// Dashes is the Aliyun FC 3.0 form of the version: dots become dashes
// (3.7.0 -> 3-7-0), as aliyun_fc.py's version.replace(".", "-").
func (v Version) Dashes() string { return strings.ReplaceAll(v.raw, ".", "-") }

// Semver maps v onto a semantic version whose ordering is PEP 440's:
// dev < a < b < rc < final. Pre-releases become numbered identifiers
// (3.7.1.dev0 -> 3.7.1-0.dev.0, 3.7.0rc1 -> 3.7.0-3.rc.1.1); a post-release
// is kept as build metadata (it orders equal to its release).
func (v Version) Semver() *semver.Version {
	rel := [3]int{}
	copy(rel[:], v.release)
	var pre []string
	switch {
	case v.pre != "":
		kind := map[string]string{"a": "1", "b": "2", "rc": "3"}[v.pre]
		pre = append(pre, kind, v.pre, strconv.Itoa(v.preN))
		if v.dev >= 0 {
			pre = append(pre, "0", strconv.Itoa(v.dev))
		} else {
			pre = append(pre, "1")
		}
	case v.dev >= 0 && v.post < 0:
		pre = append(pre, "0", "dev", strconv.Itoa(v.dev))
	}
	var meta string
	if v.post >= 0 {
		meta = "post." + strconv.Itoa(v.post)
		if v.dev >= 0 {
			meta += ".dev." + strconv.Itoa(v.dev)
		}
	}
	return semver.New(uint64(rel[0]), uint64(rel[1]), uint64(rel[2]), strings.Join(pre, "."), meta)
}

// Check reports whether v satisfies a Masterminds constraint such as
// ">= 3.7.0". Pre-releases are compared too (3.7.1.dev0 satisfies
// ">= 3.7.0"; 3.7.0rc1 does not). A malformed constraint panics: constraints
// are constants of this package.
func (v Version) Check(constraint string) bool {
	c, err := semver.NewConstraint(constraint)
	if err != nil {
		panic(fmt.Sprintf("lithops: bad constraint %q: %v", constraint, err))
	}
	c.IncludePrerelease = true
	return c.Check(v.Semver())
}

// Compare returns -1, 0 or +1 as v orders before, equal to or after w.
func (v Version) Compare(w Version) int { return v.Semver().Compare(w.Semver()) }

// Supported refuses versions older than MinimumVersion.
func (v Version) Supported() error {
	if !v.Check(">= " + MinimumVersion + "-0") {
		return fmt.Errorf("Lithops %s is older than %s, the oldest version this action supports (its AWS naming differs): use Lithops %s or newer", v, MinimumVersion, MinimumVersion)
	}
	return nil
}

// canonical matches the version strings lithops.__version__ takes: three
// release numbers without leading zeros, then optionally a pre-release
// (a, b or rc and a number), ".postN" and ".devN" (".dev" alone too: Lithops
// shipped "3.6.4.dev"). Names embed the string verbatim, so "3.7", "3.7.0.0",
// "03.07.00" or "v3.7.0" name functions no client computes.
var canonical = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)` +
	`((a|b|rc)(0|[1-9][0-9]*))?(\.post(0|[1-9][0-9]*))?(\.dev(0|[1-9][0-9]*)?)?$`)

// CheckCanonical refuses a version spelled in a way lithops.__version__ never is.
func CheckCanonical(s string) error {
	if !canonical.MatchString(s) {
		return fmt.Errorf("%q is not a version string Lithops reports (lithops.__version__ is always like 3.7.0, 3.7.1.dev0 or 3.7.0rc1: three numbers, no leading zeros, no \"v\"): function names embed it verbatim, so use the exact version your clients print with python3 -c 'import lithops; print(lithops.__version__)'", s)
	}
	return nil
}

// VerifiedVersions are the Lithops releases whose names, keys, buckets and
// config reading the differential tests (internal/oracle) compare with
// Lithops' own code, installed from PyPI.
var VerifiedVersions = []string{"3.3.0", "3.4.0", "3.4.1", "3.5.0", "3.5.1", "3.6.0", "3.6.1", "3.6.2", "3.6.3", "3.6.4", "3.7.0", "3.8.0"}

// NewestVerified is the newest of VerifiedVersions.
func NewestVerified() Version { return MustParseVersion(VerifiedVersions[len(VerifiedVersions)-1]) }

// Verified refuses a version newer than NewestVerified unless allowNewer:
// a newer Lithops may name things differently.
func (v Version) Verified(allowNewer bool) error {
	newest := NewestVerified()
	if allowNewer || !v.Check("> "+newest.Semver().String()) {
		return nil
	}
	return fmt.Errorf("Lithops %s is newer than %s, the newest version this tool has been verified against (its names, buckets and config keys may differ): use Lithops %s or older, or set allow-unverified-lithops to true to deploy for %s anyway", v, newest, newest, v)
}
