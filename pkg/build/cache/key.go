package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"sort"
)

// keyVersion changes whenever the key's inputs or the entry layout change meaning.
const keyVersion = "lithops-runtime-cache/v1"

// Key lists what a built runtime depends on. Its [Key.Sum] is the cache key.
type Key struct {
	// RequirementFiles are the requirements files; their contents are hashed (not their paths).
	RequirementFiles []string
	// Requirements are the extra requirement specifiers, in order.
	Requirements []string
	// Resolved are the distributions the resolver chose, as "name==version sha256:<hex>"; their
	// order does not matter.
	Resolved []string
	// Python, Arch and Glibc are the target platform ("3.12", "x86_64", "2.26").
	Python, Arch, Glibc string
	// Lithops is the lithops version installed in the function code.
	Lithops string
	// Tool is the version of the tool that builds (a new release never reuses older entries).
	Tool string
	// Extra is anything else the artifact depends on (layout, entry point, timestamps), as
	// "name=value" strings; their order does not matter.
	Extra []string
}

// Sum returns the key: the hex SHA-256 of every input, length-prefixed so that no two different
// keys collide by concatenation.
func (k Key) Sum() (string, error) {
	h := sha256.New()
	field := func(name, value string) { fmt.Fprintf(h, "%s %d:%s\n", name, len(value), value) }
	field("version", keyVersion)
	for _, f := range k.RequirementFiles {
		sum, err := fileSum(f)
		if err != nil {
			return "", fmt.Errorf("hashing requirements file %q for the build cache key: %w", f, err)
		}
		field("requirements-file", sum)
	}
	for _, r := range k.Requirements {
		field("requirement", r)
	}
	for _, r := range sorted(k.Resolved) {
		field("resolved", r)
	}
	field("python", k.Python)
	field("arch", k.Arch)
	field("glibc", k.Glibc)
	field("lithops", k.Lithops)
	field("tool", k.Tool)
	for _, e := range sorted(k.Extra) {
		field("extra", e)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func sorted(in []string) []string {
	out := append([]string(nil), in...)
	sort.Strings(out)
	return out
}

func fileSum(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
