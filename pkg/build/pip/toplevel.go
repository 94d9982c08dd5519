package pip

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

var nonAlnum = regexp.MustCompile(`[-_.]+`)

// normalize is PEP 503 name normalization.
func normalize(name string) string { return strings.ToLower(nonAlnum.ReplaceAllString(name, "-")) }

// TopLevel returns the import names an installed distribution provides in
// target: its top_level.txt when present, else the top-level packages and
// modules named in its RECORD.
func TopLevel(target, name, version string) ([]string, error) {
	info, err := findDistInfo(target, name, version)
	if err != nil {
		return nil, err
	}
	if data, err := os.ReadFile(filepath.Join(info, "top_level.txt")); err == nil {
		names := scanLines(bytes.NewReader(data))
		for i, n := range names {
			names[i] = strings.ReplaceAll(n, "/", ".")
		}
		return uniqueSorted(names), nil
	}
	data, err := os.ReadFile(filepath.Join(info, "RECORD"))
	if err != nil {
		return nil, fmt.Errorf("reading the RECORD of %s %s: %w", name, version, err)
	}
	return recordTopLevel(scanLines(bytes.NewReader(data))), nil
}

// recordTopLevel derives import names from RECORD lines ("path,hash,size").
func recordTopLevel(lines []string) []string {
	var names []string
	for _, line := range lines {
		path := line
		if i := strings.Index(line, ","); i >= 0 {
			path = line[:i]
		}
		path = strings.Trim(path, `"`)
		if path == "" || strings.HasPrefix(path, "/") || strings.HasPrefix(path, "..") {
			continue
		}
		first, rest, nested := strings.Cut(path, "/")
		switch {
		case strings.HasSuffix(first, ".dist-info"), strings.HasSuffix(first, ".data"),
			first == "__pycache__", first == "bin":
			continue
		case nested && rest != "":
			if isIdentifier(first) {
				names = append(names, first)
			}
		case strings.HasSuffix(first, ".py"):
			names = append(names, strings.TrimSuffix(first, ".py"))
		case strings.HasSuffix(first, ".so") || strings.HasSuffix(first, ".pyd"):
			names = append(names, strings.SplitN(first, ".", 2)[0])
		}
	}
	return uniqueSorted(names)
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func isIdentifier(s string) bool { return identifier.MatchString(s) }

func uniqueSorted(in []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, s := range in {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// findDistInfo locates <name>-<version>.dist-info in target, matching the
// name after PEP 503 normalization.
func findDistInfo(target, name, version string) (string, error) {
	entries, err := os.ReadDir(target)
	if err != nil {
		return "", fmt.Errorf("listing %s: %w", target, err)
	}
	want := normalize(name)
	for _, e := range entries {
		base, ok := strings.CutSuffix(e.Name(), ".dist-info")
		if !ok || !e.IsDir() {
			continue
		}
		i := strings.LastIndex(base, "-")
		if i < 0 {
			continue
		}
		if normalize(base[:i]) == want && (version == "" || base[i+1:] == version) {
			return filepath.Join(target, e.Name()), nil
		}
	}
	return "", fmt.Errorf("pip reported %s %s installed, but %s has no %s-%s.dist-info", name, version, target, name, version)
}
