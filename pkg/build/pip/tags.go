package pip

import (
	"fmt"
	"strconv"
	"strings"
)

// supportedTags is the list of wheel tags pip installs for a CPython target, most preferred first,
// as pip's get_supported builds it from --implementation cp, --python-version and the --platform
// values (packaging's cpython_tags then compatible_tags, the platforms expanded as pip expands
// them: manylinux2014 also allows manylinux2010 and manylinux1 on x86_64 and i686, manylinux2010
// manylinux1). TestSupportedTagsArePips compares it with `pip debug --verbose`.
func supportedTags(p Platform) []string {
	major, minor := 3, 0
	if a, b, ok := strings.Cut(p.Python, "."); ok {
		major, _ = strconv.Atoi(a)
		minor, _ = strconv.Atoi(b)
	}
	plats := expandPlatforms(p.Tags())
	interp := fmt.Sprintf("cp%d%d", major, minor)
	var tags []string
	add := func(py, abi string, ps []string) {
		for _, pl := range ps {
			tags = append(tags, py+"-"+abi+"-"+pl)
		}
	}
	add(interp, interp, plats)
	add(interp, "abi3", plats)
	add(interp, "none", plats)
	for m := minor - 1; m > 1; m-- {
		add(fmt.Sprintf("cp%d%d", major, m), "abi3", plats)
	}
	pys := []string{fmt.Sprintf("py%d%d", major, minor), fmt.Sprintf("py%d", major)}
	for m := minor - 1; m >= 0; m-- {
		pys = append(pys, fmt.Sprintf("py%d%d", major, m))
	}
	for _, py := range pys {
		add(py, "none", plats)
	}
	tags = append(tags, interp+"-none-any")
	for _, py := range pys {
		tags = append(tags, py+"-none-any")
	}
	return tags
}

// expandPlatforms is pip's _expand_allowed_platforms.
func expandPlatforms(platforms []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range platforms {
		if seen[p] {
			continue
		}
		for _, c := range customPlatforms(p) {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	return out
}

func customPlatforms(p string) []string {
	prefix, suffix, _ := strings.Cut(p, "_")
	out := []string{p}
	switch prefix {
	case "manylinux2014":
		if suffix == "i686" || suffix == "x86_64" {
			out = append(out, "manylinux2010_"+suffix, "manylinux1_"+suffix)
		}
	case "manylinux2010":
		out = append(out, "manylinux1_"+suffix)
	}
	return out
}
