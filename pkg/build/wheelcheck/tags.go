package wheelcheck

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// tagProblem is why the runtime cannot use one wheel tag, and what to do about it.
type tagProblem struct {
	reason string
	// fix is what to do, with %[1]s standing for the distribution's name.
	fix string
}

// expandTag expands a compressed tag ("py2.py3-none-any") into its single tags. A malformed tag is
// returned as is, so that checkTag reports it.
func expandTag(tag string) []string {
	parts := strings.Split(tag, "-")
	if len(parts) != 3 {
		return []string{tag}
	}
	var out []string
	for _, py := range strings.Split(parts[0], ".") {
		for _, abi := range strings.Split(parts[1], ".") {
			for _, plat := range strings.Split(parts[2], ".") {
				out = append(out, py+"-"+abi+"-"+plat)
			}
		}
	}
	return out
}

// checkTag reports why the runtime cannot load a wheel with this single (expanded) tag, or nil.
func (t *target) checkTag(tag string) *tagProblem {
	parts := strings.Split(tag, "-")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return &tagProblem{
			reason: fmt.Sprintf("wheel tag %q is not python-abi-platform", tag),
			fix:    "reinstall %[1]s from a well-formed wheel",
		}
	}
	if p := t.checkPython(parts[0], parts[1]); p != nil {
		return p
	}
	return t.checkPlatform(parts[2])
}

// pyTag matches an interpreter tag: its kind and version digits.
var pyTag = regexp.MustCompile(`^(py|cp)([0-9]+)$`)

// pythonFix is the advice for a wheel built for another CPython.
func (t *target) pythonFix() string {
	return fmt.Sprintf("use a release of %%[1]s with a cp3%d, abi3 or pure-Python (py3-none-any) wheel, or set python-version to the Python the wheel was built for", t.minor)
}

// checkPython checks the interpreter and ABI tags against CPython 3.minor.
func (t *target) checkPython(py, abi string) *tagProblem {
	m := pyTag.FindStringSubmatch(py)
	if m == nil {
		return &tagProblem{
			reason: fmt.Sprintf("interpreter tag %s is not CPython 3 (the runtime is CPython %s)", py, t.python()),
			fix:    t.pythonFix(),
		}
	}
	digits := m[2]
	if digits[0] != '3' {
		return &tagProblem{reason: fmt.Sprintf("interpreter tag %s is for Python %c, the runtime is Python %s", py, digits[0], t.python()), fix: t.pythonFix()}
	}
	minor := -1 // "py3" / "cp3": any 3.x
	if len(digits) > 1 {
		n, err := strconv.Atoi(digits[1:])
		if err != nil {
			return &tagProblem{reason: fmt.Sprintf("interpreter tag %s has no valid version", py), fix: t.pythonFix()}
		}
		minor = n
	}
	newer := minor > t.minor
	if m[1] == "py" {
		// pip accepts py3 and py30..py3<minor> for any ABI "none" wheel.
		if abi != "none" {
			return &tagProblem{reason: fmt.Sprintf("ABI tag %s with a generic interpreter tag %s is not loadable by CPython %s", abi, py, t.python()), fix: t.pythonFix()}
		}
		if newer {
			return &tagProblem{reason: fmt.Sprintf("interpreter tag %s needs Python 3.%d, newer than the runtime's %s", py, minor, t.python()), fix: t.pythonFix()}
		}
		return nil
	}
	own := fmt.Sprintf("cp3%d", t.minor)
	switch {
	case abi == "abi3":
		if newer {
			return &tagProblem{reason: fmt.Sprintf("abi3 wheel for CPython 3.%d or newer, the runtime is %s", minor, t.python()), fix: t.pythonFix()}
		}
		return nil
	case abi == "none" || abi == py:
		if py != own {
			return &tagProblem{reason: fmt.Sprintf("wheel for CPython %s (%s-%s), the runtime is %s", pyVersion(minor), py, abi, t.python()), fix: t.pythonFix()}
		}
		return nil
	default:
		return &tagProblem{reason: fmt.Sprintf("ABI tag %s is not CPython %s's (%s, abi3 or none)", abi, t.python(), own), fix: t.pythonFix()}
	}
}

func pyVersion(minor int) string {
	if minor < 0 {
		return "3"
	}
	return fmt.Sprintf("3.%d", minor)
}

// manylinux matches PEP 600 tags: glibc major, minor, architecture.
var manylinux = regexp.MustCompile(`^manylinux_([0-9]+)_([0-9]+)_([a-z0-9_]+)$`)

// legacyManylinux are the PEP 513/571/599 aliases and the glibc they stand for.
var legacyManylinux = map[string]version{
	"manylinux1":    {2, 5},
	"manylinux2010": {2, 12},
	"manylinux2014": {2, 17},
}

// checkPlatform checks a platform tag against the runtime's architecture and glibc.
func (t *target) checkPlatform(plat string) *tagProblem {
	if plat == "any" {
		return nil
	}
	otherArch := func(arch string) *tagProblem {
		return &tagProblem{
			reason: fmt.Sprintf("wheel platform %s is for %s, the runtime is %s", plat, arch, t.arch),
			fix:    fmt.Sprintf("install the %s wheel of %%[1]s (check PIP_FIND_LINKS and the index for wheels of other architectures), or set the architecture input to match", t.arch),
		}
	}
	var glibc version
	var arch string
	if m := manylinux.FindStringSubmatch(plat); m != nil {
		major, err1 := strconv.Atoi(m[1])
		minor, err2 := strconv.Atoi(m[2])
		if err1 != nil || err2 != nil {
			return &tagProblem{reason: fmt.Sprintf("wheel platform %s has no valid glibc version", plat), fix: "reinstall %[1]s from a well-formed wheel"}
		}
		glibc, arch = version{major, minor}, m[3]
	} else if alias, a, ok := strings.Cut(plat, "_"); ok && legacyManylinux[alias] != (version{}) {
		glibc, arch = legacyManylinux[alias], a
	} else {
		return t.foreignPlatform(plat)
	}
	if arch != t.arch {
		return otherArch(arch)
	}
	if glibc.newer(t.glibc) {
		return &tagProblem{
			reason: fmt.Sprintf("wheel platform %s needs glibc %s, newer than the runtime's %s", plat, glibc, t.glibc),
			fix:    fmt.Sprintf("pin a release of %%[1]s that publishes manylinux wheels for glibc %s or older, or build a container runtime (the dockerfile input) on a base image with a newer glibc", t.glibc),
		}
	}
	return nil
}

// foreignPlatform describes a platform tag that is neither "any" nor manylinux.
func (t *target) foreignPlatform(plat string) *tagProblem {
	switch {
	case strings.HasPrefix(plat, "linux_"):
		return &tagProblem{
			reason: fmt.Sprintf("wheel platform %s is not manylinux: it was built against one machine's libraries", plat),
			fix:    fmt.Sprintf("use a manylinux wheel of %%[1]s for %s (repair a locally built wheel with auditwheel), or build a container runtime (the dockerfile input)", t.arch),
		}
	case strings.HasPrefix(plat, "musllinux_"):
		return &tagProblem{
			reason: fmt.Sprintf("wheel platform %s needs musl libc, the runtime has glibc %s", plat, t.glibc),
			fix:    fmt.Sprintf("use a manylinux wheel of %%[1]s for %s", t.arch),
		}
	case strings.HasPrefix(plat, "macosx_"):
		return &tagProblem{reason: fmt.Sprintf("wheel platform %s is macOS", plat), fix: fmt.Sprintf("use a manylinux wheel of %%[1]s for %s", t.arch)}
	case strings.HasPrefix(plat, "win"):
		return &tagProblem{reason: fmt.Sprintf("wheel platform %s is Windows", plat), fix: fmt.Sprintf("use a manylinux wheel of %%[1]s for %s", t.arch)}
	default:
		return &tagProblem{reason: fmt.Sprintf("wheel platform %s is not a Linux platform the runtime loads", plat), fix: fmt.Sprintf("use a manylinux wheel of %%[1]s for %s", t.arch)}
	}
}
