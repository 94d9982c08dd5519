package wheelcheck

import (
	"debug/elf"
	"fmt"
	"strconv"
	"strings"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/pip"
)

// target is the runtime a tree must load on, as the checks compare it.
type target struct {
	platform pip.Platform
	// minor is the CPython 3 minor version (12 for 3.12).
	minor int
	// arch is the architecture as wheel tags spell it (x86_64, aarch64).
	arch    string
	machine elf.Machine
	// glibc is the newest glibc the runtime has.
	glibc version
}

// version is a glibc version, major.minor.
type version struct{ major, minor int }

func (v version) newer(w version) bool {
	return v.major > w.major || (v.major == w.major && v.minor > w.minor)
}

func (v version) String() string { return fmt.Sprintf("%d.%d", v.major, v.minor) }

// machines maps wheel architectures onto ELF machines.
var machines = map[string]elf.Machine{
	"x86_64":  elf.EM_X86_64,
	"aarch64": elf.EM_AARCH64,
}

// newTarget validates p. An unset or older glibc counts as 2.17, as pip.Platform's tags do.
func newTarget(p pip.Platform) (*target, error) {
	major, minorStr, ok := strings.Cut(p.Python, ".")
	minor, err := strconv.Atoi(minorStr)
	if !ok || major != "3" || err != nil || minor < 0 {
		return nil, fmt.Errorf("the platform's Python %q is not a Python 3 major.minor such as 3.12", p.Python)
	}
	arch := p.WheelArch()
	m, ok := machines[arch]
	if !ok {
		return nil, fmt.Errorf("the platform's architecture %q is not x86_64 or arm64", p.Arch)
	}
	g := version{p.GlibcMajor, p.GlibcMinor}
	if (version{2, 17}).newer(g) {
		g = version{2, 17}
	}
	return &target{platform: p, minor: minor, arch: arch, machine: m, glibc: g}, nil
}

// python is "3.12".
func (t *target) python() string { return fmt.Sprintf("3.%d", t.minor) }
