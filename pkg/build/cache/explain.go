package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// lastDir holds, per runtime, the parts of the key its last build used (see Remember).
const lastDir = ".last"

// Parts returns the key's inputs by name, as WhyMiss compares them: each requirements file's
// SHA-256 (by path), the extra requirements, each resolved distribution (by name), the platform,
// lithops, the tool and each extra part (by name).
func (k Key) Parts() (map[string]string, error) {
	p := map[string]string{}
	for _, f := range k.RequirementFiles {
		sum, err := fileSum(f)
		if err != nil {
			return nil, fmt.Errorf("hashing requirements file %q: %w", f, err)
		}
		p["requirements file "+filepath.Base(f)] = "sha256:" + sum
	}
	p["requirements"] = strings.Join(k.Requirements, " ")
	for _, r := range k.Resolved {
		name, rest, ok := strings.Cut(r, "==")
		if !ok {
			name, rest = r, ""
		}
		p["resolved "+name] = rest
	}
	p["python"], p["arch"], p["glibc"], p["lithops"], p["tool"] = k.Python, k.Arch, k.Glibc, k.Lithops, k.Tool
	for _, e := range k.Extra {
		name, v, _ := strings.Cut(e, "=")
		p[name] = v
	}
	return p, nil
}

// Remember records k as the key of the last build of runtime (any stable name of what is built:
// the requirements files and the kind of artifact), for WhyMiss to compare with. Best effort: a
// cache that cannot record still works.
func (c *Cache) Remember(runtime string, k Key) {
	parts, err := k.Parts()
	if err != nil {
		return
	}
	data, err := json.Marshal(parts)
	if err != nil {
		return
	}
	dir := filepath.Join(c.dir, lastDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return
	}
	tmp, err := os.CreateTemp(dir, ".tmp-")
	if err != nil {
		return
	}
	_, werr := tmp.Write(data)
	if cerr := tmp.Close(); werr != nil || cerr != nil {
		os.Remove(tmp.Name())
		return
	}
	if err := os.Rename(tmp.Name(), c.lastPath(runtime)); err != nil {
		os.Remove(tmp.Name())
	}
}

func (c *Cache) lastPath(runtime string) string {
	sum := sha256.Sum256([]byte(runtime))
	return filepath.Join(c.dir, lastDir, hex.EncodeToString(sum[:16])+".json")
}

// WhyMiss says how k differs from the key of runtime's last build ("" when this cache never
// built runtime, or the parts cannot be read): the parts that changed, old -> new, e.g.
// "tool (devel)+sha256:1f2e... -> (devel)+sha256:9a8b...; requirements file requirements.txt changed".
func (c *Cache) WhyMiss(runtime string, k Key) string {
	data, err := os.ReadFile(c.lastPath(runtime))
	if err != nil {
		return ""
	}
	var last map[string]string
	if json.Unmarshal(data, &last) != nil {
		return ""
	}
	now, err := k.Parts()
	if err != nil {
		return ""
	}
	names := map[string]bool{}
	for n := range last {
		names[n] = true
	}
	for n := range now {
		names[n] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Slice(sorted, func(i, j int) bool {
		// The parts a user changes first, then the resolution, then the rest.
		ri, rj := rank(sorted[i]), rank(sorted[j])
		if ri != rj {
			return ri < rj
		}
		return sorted[i] < sorted[j]
	})
	var diffs []string
	for _, n := range sorted {
		old, hadOld := last[n]
		cur, hasCur := now[n]
		switch {
		case hadOld && hasCur && old == cur:
		case strings.HasPrefix(n, "requirements file ") && hadOld && hasCur:
			diffs = append(diffs, n+" changed")
		case !hadOld:
			diffs = append(diffs, n+" added ("+short(cur)+")")
		case !hasCur:
			diffs = append(diffs, n+" removed (was "+short(old)+")")
		default:
			diffs = append(diffs, n+" "+short(old)+" -> "+short(cur))
		}
	}
	if len(diffs) == 0 {
		return "the key's parts are those of the last build, whose entry is gone (pruned, or the cache was restored without it)"
	}
	const most = 6
	if len(diffs) > most {
		diffs = append(diffs[:most], fmt.Sprintf("and %d more", len(diffs)-most))
	}
	return "differs from the last build of this runtime: " + strings.Join(diffs, "; ")
}

func rank(name string) int {
	switch {
	case strings.HasPrefix(name, "requirements"), name == "python", name == "arch", name == "lithops", name == "tool":
		return 0
	case strings.HasPrefix(name, "resolved "):
		return 1
	}
	return 2
}

// short abbreviates long values (hashes, URLs) for a log line.
func short(v string) string {
	if v == "" {
		return `""`
	}
	if len(v) > 48 {
		return v[:45] + "..."
	}
	return v
}
