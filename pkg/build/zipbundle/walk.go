package zipbundle

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Source is a directory tree to put into a bundle.
type Source struct {
	// Dir is the directory whose contents (not the directory itself) are bundled.
	Dir string
	// Prefix is the slash-separated archive directory the tree goes under, e.g. "python/" for a
	// Lambda layer; empty for the archive root. The prefix's directories are entries too.
	Prefix string
	// Files, instead of Dir, is a tree given file by file (the files' directories become entries,
	// as a walk of that tree would give them): a file stored in another zip is copied as it is
	// stored there, without compressing it again.
	Files []File
}

// File is one file of a Source's Files.
type File struct {
	// Name is the slash-separated path under the source's prefix; Exec its executable bit.
	Name string
	Exec bool
	// Raw opens the bytes as another zip stores them: Method (zip.Store or zip.Deflate), CRC32,
	// Size and CompressedSize describe them. When Raw is nil, Data is the content.
	Raw                  func() (io.Reader, error)
	Method               uint16
	CRC32                uint32
	Size, CompressedSize int64
	Data                 []byte
}

// entry is one archive member to write.
type entry struct {
	// name is the archive path; a directory's ends in "/".
	name string
	// path is the file to read, symbolic links resolved; empty for directories.
	path string
	// origin is where the entry was found, for error messages.
	origin string
	// file is the entry of a Files source (nil for a walked one).
	file *File
	size int64
	exec bool
	dir  bool
}

// tree collects the entries of several sources into one archive tree.
type tree struct {
	opts    *options
	entries []entry
	// byKey indexes entries by archive path without the trailing slash.
	byKey map[string]int
}

// collect walks sources and returns the archive entries sorted by name.
func collect(ctx context.Context, sources []Source, o *options) ([]entry, error) {
	t := &tree{opts: o, byKey: map[string]int{}}
	for _, src := range sources {
		if err := t.addSource(ctx, src); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(t.entries, func(a, b entry) int { return strings.Compare(a.name, b.name) })
	return t.entries, nil
}

func (t *tree) addSource(ctx context.Context, src Source) error {
	prefix, err := cleanPrefix(src.Prefix)
	if err != nil {
		return err
	}
	if src.Files != nil {
		return t.addFiles(ctx, src, prefix)
	}
	abs, err := filepath.Abs(src.Dir)
	if err != nil {
		return fmt.Errorf("resolving source directory %q: %w", src.Dir, err)
	}
	root, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return fmt.Errorf("resolving source directory %q: %w", src.Dir, err)
	}
	fi, err := os.Stat(root)
	if err != nil {
		return fmt.Errorf("reading source directory %q: %w", src.Dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("source %q is not a directory", src.Dir)
	}
	if prefix != "" {
		parts := strings.Split(strings.TrimSuffix(prefix, "/"), "/")
		for i := range parts {
			name := strings.Join(parts[:i+1], "/") + "/"
			if err := t.add(entry{name: name, origin: src.Dir, dir: true}); err != nil {
				return err
			}
		}
	}
	w := walker{tree: t, src: src, root: root, prefix: prefix}
	return w.walk(ctx, root, abs, "", []string{root})
}

// cleanPrefix validates an archive prefix and returns it with exactly one trailing slash, or "".
func cleanPrefix(prefix string) (string, error) {
	p := strings.Trim(prefix, "/")
	if p == "" {
		return "", nil
	}
	if strings.HasPrefix(prefix, "/") || strings.Contains(p, "\\") || path.Clean(p) != p ||
		p == ".." || strings.HasPrefix(p, "../") {
		return "", fmt.Errorf("archive prefix %q: must be a relative slash-separated path without . or .. components", prefix)
	}
	return p + "/", nil
}

// walker walks one source.
type walker struct {
	tree   *tree
	src    Source
	root   string // the source directory, symbolic links resolved
	prefix string
}

// walk adds the contents of dir (a real path) found as shown (for messages) at rel (slash-separated,
// relative to the source). ancestors are the real paths of the directories being walked, to catch
// symbolic link cycles.
func (w *walker) walk(ctx context.Context, dir, shown, rel string, ancestors []string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	des, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("reading directory %q: %w", shown, err)
	}
	for _, d := range des {
		childRel := path.Join(rel, d.Name())
		shownChild := filepath.Join(shown, d.Name())
		if w.excluded(childRel, d) {
			continue
		}
		target := filepath.Join(dir, d.Name())
		var info fs.FileInfo
		if d.Type()&fs.ModeSymlink != 0 {
			if target, info, err = w.resolve(target, shownChild); err != nil {
				return err
			}
		} else if info, err = d.Info(); err != nil {
			return fmt.Errorf("reading %q: %w", shownChild, err)
		}
		name := w.prefix + childRel
		switch {
		case info.IsDir():
			if d.Name() == "__pycache__" {
				continue
			}
			if slices.Contains(ancestors, target) {
				return fmt.Errorf("symbolic link %q makes a cycle through %q", shownChild, target)
			}
			if strings.Contains(d.Name(), "\\") {
				return fmt.Errorf("bundling %q: names with a backslash are not portable", shownChild)
			}
			if err := w.tree.add(entry{name: name + "/", origin: shownChild, dir: true}); err != nil {
				return err
			}
			if err := w.walk(ctx, target, shownChild, childRel, append(ancestors, target)); err != nil {
				return err
			}
		case info.Mode().IsRegular():
			if strings.HasSuffix(d.Name(), ".pyc") {
				continue
			}
			if strings.Contains(d.Name(), "\\") {
				return fmt.Errorf("bundling %q: names with a backslash are not portable", shownChild)
			}
			e := entry{name: name, path: target, origin: shownChild, size: info.Size(), exec: info.Mode().Perm()&0o111 != 0}
			if err := w.tree.add(e); err != nil {
				return err
			}
		default:
			return fmt.Errorf("bundling %q: a %s is neither a regular file nor a directory", shownChild, describe(info.Mode()))
		}
	}
	return nil
}

// excluded reports whether the user's exclusions leave out rel.
func (w *walker) excluded(rel string, d fs.DirEntry) bool {
	for _, ex := range w.tree.opts.excludes {
		if ex(rel, d) {
			return true
		}
	}
	return false
}

// resolve follows the symbolic link p, which must point inside the source directory.
func (w *walker) resolve(p, shown string) (string, fs.FileInfo, error) {
	dest, err := os.Readlink(p)
	if err != nil {
		return "", nil, fmt.Errorf("reading symbolic link %q: %w", shown, err)
	}
	resolved, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", nil, fmt.Errorf("resolving symbolic link %q -> %q: %w", shown, dest, err)
	}
	if !within(w.root, resolved) {
		return "", nil, fmt.Errorf("symbolic link %q -> %q points outside the source directory %q", shown, dest, w.src.Dir)
	}
	info, err := os.Stat(resolved)
	if err != nil {
		return "", nil, fmt.Errorf("resolving symbolic link %q -> %q: %w", shown, dest, err)
	}
	return resolved, info, nil
}

// within reports whether p is root or below it; both are clean absolute paths.
func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// describe names a non-regular file type.
func describe(m fs.FileMode) string {
	switch {
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "device"
	default:
		return "file of type " + m.Type().String()
	}
}

// add records e, refusing a second file at the same archive path. Directories merge.
func (t *tree) add(e entry) error {
	key := strings.TrimSuffix(e.name, "/")
	if i, ok := t.byKey[key]; ok {
		prev := t.entries[i]
		if prev.dir && e.dir {
			return nil
		}
		return fmt.Errorf("archive path %q comes from both %q and %q", key, prev.origin, e.origin)
	}
	t.byKey[key] = len(t.entries)
	t.entries = append(t.entries, e)
	return nil
}

// addFiles adds a Files source: its files and their directories, with the walk's rules (no
// __pycache__ directories, no .pyc files, portable relative names).
func (t *tree) addFiles(ctx context.Context, src Source, prefix string) error {
	if src.Dir != "" {
		return fmt.Errorf("source %q has both a directory and files", src.Dir)
	}
	if prefix != "" {
		parts := strings.Split(strings.TrimSuffix(prefix, "/"), "/")
		for i := range parts {
			if err := t.add(entry{name: strings.Join(parts[:i+1], "/") + "/", origin: "files", dir: true}); err != nil {
				return err
			}
		}
	}
	for k := range src.Files {
		if err := ctx.Err(); err != nil {
			return err
		}
		f := &src.Files[k]
		name := f.Name
		if name == "" || strings.HasPrefix(name, "/") || strings.Contains(name, "\\") || path.Clean(name) != name ||
			name == ".." || strings.HasPrefix(name, "../") {
			return fmt.Errorf("bundling %q: not a clean relative slash-separated path", name)
		}
		parts := strings.Split(name, "/")
		if strings.HasSuffix(name, ".pyc") || slices.Contains(parts[:len(parts)-1], "__pycache__") {
			continue
		}
		for i := 1; i < len(parts); i++ {
			if err := t.add(entry{name: prefix + strings.Join(parts[:i], "/") + "/", origin: name, dir: true}); err != nil {
				return err
			}
		}
		if f.Raw == nil {
			f.Size = int64(len(f.Data))
		} else if f.Method != zip.Store && f.Method != zip.Deflate {
			return fmt.Errorf("bundling %q: compression method %d cannot be copied", name, f.Method)
		}
		if err := t.add(entry{name: prefix + name, origin: name, size: f.Size, exec: f.Exec, file: f}); err != nil {
			return err
		}
	}
	return nil
}
