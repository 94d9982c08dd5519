package wheelcheck

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// IsSharedObjectName reports whether a file name is a shared object's: x.so or x.so.1.2. Check
// reads the files so named (and the .dist-info directories), nothing else.
func IsSharedObjectName(name string) bool {
	return strings.HasSuffix(name, ".so") || strings.Contains(name, ".so.")
}

// extSuffix matches a CPython extension module's platform-specific suffix:
// .cpython-312-x86_64-linux-gnu.so -> "312", "", "x86_64-linux-gnu".
var extSuffix = regexp.MustCompile(`\.cpython-([0-9]+)([a-z]*)-([^.]+)\.so$`)

// checkExtensionName checks a file name against the runtime's extension suffix; "" when fine.
func (t *target) checkExtensionName(name string) (reason, fix string) {
	m := extSuffix.FindStringSubmatch(name)
	if m == nil {
		return "", ""
	}
	want := fmt.Sprintf("3%d", t.minor)
	plat := t.arch + "-linux-gnu"
	switch {
	case m[1] != want || m[2] != "":
		return fmt.Sprintf("is an extension module for cpython-%s%s, the runtime imports only .cpython-%s-%s.so, .abi3.so and .so", m[1], m[2], want, plat), t.pythonFix()
	case m[3] != plat:
		return fmt.Sprintf("is an extension module for %s, the runtime imports only .cpython-%s-%s.so", m[3], want, plat),
			fmt.Sprintf("install the %s wheel of %%[1]s", t.arch)
	}
	return "", ""
}

// elfMagic starts every ELF file.
var elfMagic = []byte{0x7f, 'E', 'L', 'F'}

// checkELF checks the ELF shared object at p. It returns the problems (reason and fix) found, none
// for files that are not ELF (linker scripts named .so) and a warning for version tables it
// could not read.
func (t *target) checkELF(p string) (problems [][2]string, warning error, err error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, nil, fmt.Errorf("reading %q: %w", p, err)
	}
	defer f.Close()
	head := make([]byte, len(elfMagic))
	if _, err := io.ReadFull(f, head); err != nil || !bytes.Equal(head, elfMagic) {
		return nil, nil, nil
	}
	ef, err := elf.NewFile(f)
	if err != nil {
		return [][2]string{{fmt.Sprintf("is not a readable ELF file (%v)", err), "reinstall %[1]s; the file is damaged"}}, nil, nil
	}
	defer ef.Close()
	if ef.Machine != t.machine || ef.Class != elf.ELFCLASS64 {
		return [][2]string{{
			fmt.Sprintf("is an ELF shared object for %s, the runtime is %s", describeELF(ef), t.arch),
			fmt.Sprintf("install the %s wheel of %%[1]s (check PIP_FIND_LINKS and the index for wheels of other architectures), or set the architecture input to match", t.arch),
		}}, nil, nil
	}
	needs, err := glibcNeeds(ef)
	if err != nil {
		return nil, fmt.Errorf("reading the symbol versions of %q: %w", p, err), nil
	}
	var newest version
	var newestName string
	for name, v := range needs {
		if v.newer(t.glibc) && (v.newer(newest) || (v == newest && name < newestName)) {
			newest, newestName = v, name
		}
	}
	if newestName == "" {
		return nil, nil, nil
	}
	reason := "needs " + newestName
	if syms := symbolsNewerThan(ef, t.glibc); len(syms) > 0 {
		const show = 5
		more := ""
		if len(syms) > show {
			more = fmt.Sprintf(" and %d more", len(syms)-show)
			syms = syms[:show]
		}
		reason += fmt.Sprintf(" (%s%s)", strings.Join(syms, ", "), more)
	}
	reason += fmt.Sprintf(", newer than the runtime's glibc %s", t.glibc)
	fix := fmt.Sprintf("pin a release of %%[1]s built for glibc %s or older (manylinux_2_%d or older wheels), or build a container runtime (the dockerfile input) on a base image with a newer glibc", t.glibc, t.glibc.minor)
	return [][2]string{{reason, fix}}, nil, nil
}

// describeELF names an object's machine, and its class when not 64-bit.
func describeELF(ef *elf.File) string {
	if ef.Class != elf.ELFCLASS64 {
		return machineName(ef.Machine) + " (" + ef.Class.String() + ")"
	}
	return machineName(ef.Machine)
}

// machineName is the wheel tag spelling of common machines, else debug/elf's name.
func machineName(m elf.Machine) string {
	for arch, mm := range machines {
		if mm == m {
			return arch
		}
	}
	return m.String()
}

// glibcNeeds returns the GLIBC_x.y versions an ELF object needs, by version name. An object without
// version tables needs none.
func glibcNeeds(ef *elf.File) (map[string]version, error) {
	if ef.SectionByType(elf.SHT_GNU_VERSYM) == nil || ef.SectionByType(elf.SHT_DYNSYM) == nil {
		return nil, nil
	}
	deps, err := ef.DynamicVersionNeeds()
	if err != nil {
		return nil, err
	}
	out := map[string]version{}
	for _, need := range deps {
		for _, d := range need.Needs {
			if v, ok := parseGlibc(d.Dep); ok {
				out[d.Dep] = v
			}
		}
	}
	return out, nil
}

// parseGlibc parses "GLIBC_2.28" or "GLIBC_2.2.5" (the patch level is ignored).
func parseGlibc(s string) (version, bool) {
	rest, ok := strings.CutPrefix(s, "GLIBC_")
	if !ok {
		return version{}, false
	}
	parts := strings.Split(rest, ".")
	if len(parts) < 2 {
		return version{}, false
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return version{}, false
	}
	return version{major, minor}, true
}

// symbolsNewerThan names the imported symbols whose GLIBC version is newer than g, sorted
// ("getrandom@GLIBC_2.25"). Errors leave the list empty: it only improves the message.
func symbolsNewerThan(ef *elf.File, g version) []string {
	syms, err := ef.ImportedSymbols()
	if err != nil && !errors.Is(err, elf.ErrNoSymbols) {
		return nil
	}
	var out []string
	for _, s := range syms {
		if v, ok := parseGlibc(s.Version); ok && v.newer(g) {
			out = append(out, s.Name+"@"+s.Version)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
