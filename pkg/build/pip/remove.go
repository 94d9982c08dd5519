package pip

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// RemoveDistribution uninstalls a distribution from a --target tree, as pip uninstall would: the
// files its RECORD lists (never outside target), its .dist-info directory, and the directories
// left empty. It reports false when the distribution is not installed there.
func RemoveDistribution(target, name string) (bool, error) {
	info, err := findDistInfo(target, name, "")
	if err != nil {
		return false, nil
	}
	data, err := os.ReadFile(filepath.Join(info, "RECORD"))
	if err != nil {
		return false, fmt.Errorf("reading the RECORD of %s in %s: %w", name, target, err)
	}
	root, err := filepath.Abs(target)
	if err != nil {
		return false, err
	}
	dirs := map[string]bool{}
	for _, line := range scanLines(bytes.NewReader(data)) {
		rel := line
		if i := strings.LastIndex(line, ","); i >= 0 {
			if j := strings.LastIndex(line[:i], ","); j >= 0 {
				rel = line[:j]
			}
		}
		rel = strings.Trim(rel, `"`)
		p := filepath.Join(root, filepath.FromSlash(rel))
		if r, err := filepath.Rel(root, p); err != nil || r == "." || strings.HasPrefix(r, "..") {
			continue // outside the target: not ours to remove
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return false, fmt.Errorf("removing %s: %w", p, err)
		}
		for d := filepath.Dir(p); d != root && strings.HasPrefix(d, root); d = filepath.Dir(d) {
			dirs[d] = true
		}
	}
	if err := os.RemoveAll(info); err != nil {
		return false, fmt.Errorf("removing %s: %w", info, err)
	}
	// Deepest first, removing only what is empty (__pycache__ left by nothing here: --no-compile).
	var list []string
	for d := range dirs {
		list = append(list, d)
	}
	sort.Slice(list, func(i, j int) bool { return len(list[i]) > len(list[j]) })
	for _, d := range list {
		if entries, err := os.ReadDir(d); err == nil && len(entries) == 0 {
			os.Remove(d)
		}
	}
	return true, nil
}
