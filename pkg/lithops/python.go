package lithops

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Python is a runtime's Python major.minor version.
type Python struct {
	Major, Minor int
}

var pythonRE = regexp.MustCompile(`^(?:python)?([0-9]+)\.([0-9]+)(?:\.[0-9]+)?$`)

// ParsePython parses "3.12" (also "python3.12", and "3.12.1" whose micro
// part is dropped: runtimes are chosen by major.minor).
func ParsePython(s string) (Python, error) {
	m := pythonRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return Python{}, fmt.Errorf("%q is not a Python version: expected major.minor such as 3.12", s)
	}
	major, err1 := strconv.Atoi(m[1])
	minor, err2 := strconv.Atoi(m[2])
	if err1 != nil || err2 != nil || major != 3 {
		return Python{}, fmt.Errorf("%q is not a Python 3 version: expected major.minor such as 3.12", s)
	}
	return Python{Major: major, Minor: minor}, nil
}

// String is "3.12".
func (p Python) String() string { return fmt.Sprintf("%d.%d", p.Major, p.Minor) }

// NoDot is "312", as default runtime names embed it.
func (p Python) NoDot() string { return fmt.Sprintf("%d%d", p.Major, p.Minor) }

// Runtime is the managed runtime identifier "python3.12" (Lambda and FC).
func (p Python) Runtime() string { return "python" + p.String() }

// IsZero reports whether p was never set.
func (p Python) IsZero() bool { return p.Major == 0 }

// Less orders Python versions.
func (p Python) Less(q Python) bool {
	if p.Major != q.Major {
		return p.Major < q.Major
	}
	return p.Minor < q.Minor
}

func pythons(minors ...int) []Python {
	out := make([]Python, len(minors))
	for i, m := range minors {
		out[i] = Python{3, m}
	}
	return out
}

// pythonRule is one row of the Python support table.
type pythonRule struct {
	backend, packageType, constraint string
	pythons                          []Python
}

// pythonTable lists, per backend, package type and Lithops version range,
// the Python versions whose runtimes Lithops accepts: Lithops'
// AVAILABLE_PY_RUNTIMES in each backend's config.py (3.7.0 and 3.8.0:
// aws_lambda 3.10-3.14, aliyun_fc 3.9/3.10/3.12; 3.3.0-3.6.4: aws_lambda
// 3.6-3.12, aliyun_fc 3.6/3.9/3.10) without the managed runtimes the clouds
// no longer create (python3.6, 3.7; FC's python3 for 3.6). The differential
// tests check each row is a subset of the installed release's list.
var pythonTable = []pythonRule{
	{AWSLambda, PackageZip, ">= 3.7.0-0", pythons(10, 11, 12, 13, 14)},
	{AWSLambda, PackageZip, "> 3.6.4, < 3.7.0-0", pythons(10, 11, 12)}, // 3.6.5.dev0: either list
	{AWSLambda, PackageZip, "<= 3.6.4", pythons(8, 9, 10, 11, 12)},
	{AliyunFC, PackageZip, ">= 3.7.0-0", pythons(9, 10, 12)},
	{AliyunFC, PackageZip, "< 3.7.0-0", pythons(9, 10)},
}

// containerPythons are accepted for container runtimes: any CPython still
// maintained or recently retired (the image brings its own interpreter).
var containerPythons = pythons(8, 9, 10, 11, 12, 13, 14)

// SupportedPythons lists the Python versions a runtime of this backend,
// package type and Lithops version may use. Local follows aws_lambda.
func SupportedPythons(backend, packageType string, v Version) []Python {
	if packageType == PackageImage {
		return containerPythons
	}
	if backend == Local {
		backend = AWSLambda
	}
	for _, r := range pythonTable {
		if r.backend == backend && r.packageType == packageType && v.Check(r.constraint) {
			return r.pythons
		}
	}
	return nil
}

// CheckPython refuses a Python version the backend does not offer for this
// Lithops version, naming the allowed ones.
func CheckPython(backend, packageType string, py Python, v Version) error {
	allowed := SupportedPythons(backend, packageType, v)
	for _, p := range allowed {
		if p == py {
			return nil
		}
	}
	names := make([]string, len(allowed))
	for i, p := range allowed {
		names[i] = p.String()
	}
	what := packageType + " runtimes"
	if len(names) == 0 {
		return fmt.Errorf("Python %s: backend %s has no %s", py, backend, what)
	}
	return fmt.Errorf("Python %s is not available for %s %s with Lithops %s: use one of %s", py, backend, what, v, strings.Join(names, ", "))
}
