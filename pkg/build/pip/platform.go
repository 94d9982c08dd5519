// Package pip installs Python distributions for a target platform (the
// cloud's Linux, Python and architecture) with pip, whatever the runner is.
//
// pip stays the resolver and installer; this package chooses the flags
// (--target, --platform tags, --implementation cp, --python-version,
// --only-binary=:all:, --no-compile), reads pip's JSON report, finds each
// distribution's import names, and turns pip's failures into errors that say
// what to do. pip's own configuration (PIP_INDEX_URL, PIP_FIND_LINKS,
// PIP_NO_INDEX, pip.conf) is left to pip: the package never adds index
// options.
package pip

import (
	"fmt"
	"strings"
)

// Platform is the target a runtime's wheels must load on.
type Platform struct {
	// Python is the runtime's "major.minor", e.g. "3.12".
	Python string
	// Arch is "x86_64" or "arm64" (Lambda's names; wheels say aarch64).
	Arch string
	// GlibcMajor and GlibcMinor bound the manylinux tags: the newest glibc
	// the runtime's OS has (2.17 when unset).
	GlibcMajor, GlibcMinor int
}

// WheelArch is the architecture as wheel tags spell it.
func (p Platform) WheelArch() string {
	if p.Arch == "arm64" {
		return "aarch64"
	}
	return p.Arch
}

// glibc returns the bound, at least manylinux2014's 2.17.
func (p Platform) glibc() (int, int) {
	if p.GlibcMajor < 2 || (p.GlibcMajor == 2 && p.GlibcMinor < 17) {
		return 2, 17
	}
	return p.GlibcMajor, p.GlibcMinor
}

// Tags are the --platform values pip is given, newest first: every PEP 600
// manylinux_2_N tag from the runtime's glibc down to 2_17, the legacy
// manylinux2014 alias, and for x86_64 the older manylinux_2_16..2_5,
// manylinux2010 and manylinux1 tags. pip does not expand PEP 600 tags given
// with --platform by itself, so all are listed.
func (p Platform) Tags() []string {
	arch := p.WheelArch()
	major, minor := p.glibc()
	var tags []string
	for m := minor; m >= 17; m-- {
		tags = append(tags, fmt.Sprintf("manylinux_%d_%d_%s", major, m, arch))
	}
	tags = append(tags, "manylinux2014_"+arch)
	if arch == "x86_64" || arch == "i686" {
		for m := 16; m >= 5; m-- {
			tags = append(tags, fmt.Sprintf("manylinux_2_%d_%s", m, arch))
			switch m {
			case 12:
				tags = append(tags, "manylinux2010_"+arch)
			case 5:
				tags = append(tags, "manylinux1_"+arch)
			}
		}
	}
	return tags
}

// String describes the platform for messages: "Python 3.12 on manylinux_2_34 x86_64".
func (p Platform) String() string {
	major, minor := p.glibc()
	return fmt.Sprintf("Python %s on manylinux_%d_%d %s (glibc %d.%d or older wheels)", p.Python, major, minor, p.WheelArch(), major, minor)
}

// pipArgs are the platform flags of every pip install this package runs.
func (p Platform) pipArgs() []string {
	args := []string{"--implementation", "cp", "--python-version", p.Python, "--only-binary=:all:"}
	for _, t := range p.Tags() {
		args = append(args, "--platform", t)
	}
	return args
}

// shortTags abbreviates the tag list for messages.
func (p Platform) shortTags() string {
	t := p.Tags()
	if len(t) <= 3 {
		return strings.Join(t, ", ")
	}
	return t[0] + ", ..., " + "manylinux2014_" + p.WheelArch()
}
