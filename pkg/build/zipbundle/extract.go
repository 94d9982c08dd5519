package zipbundle

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
)

// Extract unpacks the zip file zipPath into dir, creating dir if needed.
//
// Every entry is checked before anything is written: absolute paths, "." or ".." components,
// empty components, backslashes, drive letters, symbolic links and other special files, and
// duplicate names (including a file that another entry uses as a directory) are refused with an
// error naming the entry. Files are restored 0755 when the archive gives them any execute bit and
// 0644 otherwise, directories 0755, whatever the umask. Contents are checked against their CRC-32.
func Extract(ctx context.Context, zipPath, dir string) error {
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return fmt.Errorf("extracting %q: %w", zipPath, err)
	}
	defer zr.Close()
	names, err := checkEntries(zr.File)
	if err != nil {
		return fmt.Errorf("extracting %q: %w", zipPath, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("extracting %q: %w", zipPath, err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("extracting %q: %w", zipPath, err)
	}
	defer root.Close()
	x := extractor{root: root, dirs: map[string]bool{}}
	for i, f := range zr.File {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("extracting %q: %w", zipPath, err)
		}
		if err := x.extract(ctx, f, names[i]); err != nil {
			return fmt.Errorf("extracting %q into %q: entry %q: %w", zipPath, dir, f.Name, err)
		}
	}
	return nil
}

// checkEntries validates every entry and returns their cleaned names (no trailing slash).
func checkEntries(files []*zip.File) ([]string, error) {
	names := make([]string, len(files))
	isFile := map[string]bool{}
	for i, f := range files {
		name, err := checkName(f.Name)
		if err != nil {
			return nil, fmt.Errorf("entry %q: %w", f.Name, err)
		}
		mode := f.Mode()
		if mode&fs.ModeSymlink != 0 {
			return nil, fmt.Errorf("entry %q: symbolic links are not extracted", f.Name)
		}
		if mode.Type()&^fs.ModeDir != 0 {
			return nil, fmt.Errorf("entry %q: a %s is not extracted", f.Name, describe(mode))
		}
		if _, dup := isFile[name]; dup {
			return nil, fmt.Errorf("entry %q: duplicate name", f.Name)
		}
		isFile[name] = !isDirEntry(f)
		names[i] = name
	}
	for i, name := range names {
		for p := path.Dir(name); p != "."; p = path.Dir(p) {
			if isFile[p] {
				return nil, fmt.Errorf("entry %q: lies below the file entry %q", files[i].Name, p)
			}
		}
	}
	return names, nil
}

// checkName refuses names that could land outside the target directory or mean different
// things on different systems, and returns the name without its trailing slash.
func checkName(name string) (string, error) {
	switch {
	case name == "":
		return "", errors.New("empty name")
	case strings.ContainsRune(name, '\\'):
		return "", errors.New("backslash in name")
	case strings.ContainsRune(name, 0):
		return "", errors.New("NUL byte in name")
	case strings.HasPrefix(name, "/"):
		return "", errors.New("absolute path")
	case len(name) >= 2 && name[1] == ':' && isLetter(name[0]):
		return "", errors.New("drive letter")
	}
	clean := strings.TrimSuffix(name, "/")
	for part := range strings.SplitSeq(clean, "/") {
		switch part {
		case "", ".", "..":
			return "", fmt.Errorf("%q path component", part)
		}
	}
	return clean, nil
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isDirEntry(f *zip.File) bool {
	return strings.HasSuffix(f.Name, "/") || f.Mode().IsDir()
}

// extractor writes entries under root.
type extractor struct {
	root *os.Root
	// dirs are the directories made so far.
	dirs map[string]bool
}

func (x *extractor) extract(ctx context.Context, f *zip.File, name string) error {
	if isDirEntry(f) {
		return x.mkdirAll(name)
	}
	if err := x.mkdirAll(path.Dir(name)); err != nil {
		return err
	}
	perm := fs.FileMode(0o644)
	if f.Mode().Perm()&0o111 != 0 {
		perm = 0o755
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	out, err := x.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, ctxReader{ctx: ctx, r: rc}); err != nil {
		out.Close()
		return err
	}
	if err := out.Chmod(perm); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// mkdirAll makes name and its parents 0755 under the root.
func (x *extractor) mkdirAll(name string) error {
	if name == "." || x.dirs[name] {
		return nil
	}
	if err := x.mkdirAll(path.Dir(name)); err != nil {
		return err
	}
	if err := x.root.Mkdir(name, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	fi, err := x.root.Lstat(name)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%q exists and is not a directory", name)
	}
	if err := x.root.Chmod(name, 0o755); err != nil {
		return err
	}
	x.dirs[name] = true
	return nil
}
