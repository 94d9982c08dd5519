package dockerfile

import (
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// checkSymlinks refuses a context holding a symlink that points outside it: builders would either
// fail on it or copy a file the user did not mean to ship.
func checkSymlinks(ctxDir string) error {
	root, err := filepath.EvalSymlinks(ctxDir)
	if err != nil {
		return fmt.Errorf("resolving build context %q: %w", ctxDir, err)
	}
	return filepath.WalkDir(ctxDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("reading build context: %w", err)
		}
		if d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		if _, ok, err := symlinkInside(ctxDir, root, p); err != nil {
			return err
		} else if !ok {
			target, _ := os.Readlink(p)
			return fmt.Errorf("the build context has a symlink pointing outside it: %q -> %q: "+
				"replace it with a copy of the file, or move the target into the context", p, target)
		}
		return nil
	})
}

// symlinkInside reports whether the symlink at p (inside ctxDir, whose resolved path is root)
// points inside the context, and returns its target relative to p's directory.
func symlinkInside(ctxDir, root, p string) (string, bool, error) {
	target, err := os.Readlink(p)
	if err != nil {
		return "", false, fmt.Errorf("reading symlink %q: %w", p, err)
	}
	var abs string
	if filepath.IsAbs(target) {
		abs = filepath.Clean(target)
		switch {
		case within(ctxDir, abs):
		case within(root, abs):
			rel, _ := filepath.Rel(root, abs)
			abs = filepath.Join(ctxDir, rel)
		default:
			return "", false, nil
		}
	} else {
		abs = filepath.Join(filepath.Dir(p), target)
		if !within(ctxDir, abs) {
			return "", false, nil
		}
	}
	rel, err := filepath.Rel(filepath.Dir(p), abs)
	if err != nil {
		return "", false, fmt.Errorf("resolving symlink %q: %w", p, err)
	}
	return rel, true, nil
}

// scratchContext makes a copy of ctxDir under workDir with files added, and returns its path.
// Regular files are hard links to the originals when the file system allows it (builders only
// read the context), copies otherwise; symlinks are recreated relative, so nothing in the copy
// leads back into the user's directory. The caller removes the copy.
func scratchContext(ctxDir, workDir string, files map[string]string, logger *slog.Logger) (string, error) {
	root, err := filepath.EvalSymlinks(ctxDir)
	if err != nil {
		return "", fmt.Errorf("resolving build context %q: %w", ctxDir, err)
	}
	if err := os.MkdirAll(workDir, 0o755); err != nil {
		return "", fmt.Errorf("creating work directory %q: %w", workDir, err)
	}
	dst, err := os.MkdirTemp(workDir, "context-")
	if err != nil {
		return "", fmt.Errorf("creating scratch build context in %q: %w", workDir, err)
	}
	err = filepath.WalkDir(ctxDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(ctxDir, p)
		if err != nil {
			return err
		}
		out := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if rel == "." {
				return os.Chmod(dst, info.Mode().Perm())
			}
			return os.Mkdir(out, info.Mode().Perm())
		case d.Type()&fs.ModeSymlink != 0:
			target, ok, err := symlinkInside(ctxDir, root, p)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("symlink %q points outside the build context", p)
			}
			return os.Symlink(target, out)
		case info.Mode().IsRegular():
			return linkOrCopy(p, out, info.Mode().Perm())
		default:
			logger.Debug("skipping special file in build context", "path", p, "mode", info.Mode().String())
			return nil
		}
	})
	if err != nil {
		os.RemoveAll(dst)
		return "", fmt.Errorf("copying build context %q to %q: %w", ctxDir, dst, err)
	}
	for name, src := range files {
		if err := addFile(dst, name, src, logger); err != nil {
			os.RemoveAll(dst)
			return "", err
		}
	}
	return dst, nil
}

// addFile puts src at name inside the scratch context dst, replacing what the copy had there.
func addFile(dst, name, src string, logger *slog.Logger) error {
	out := filepath.Join(dst, name)
	// No component of the parent may be a symlink: writing through it could leave the copy.
	dir := dst
	for _, part := range strings.Split(filepath.Dir(filepath.Clean(name)), string(filepath.Separator)) {
		if part == "." || part == "" {
			continue
		}
		dir = filepath.Join(dir, part)
		fi, err := os.Lstat(dir)
		switch {
		case os.IsNotExist(err):
			if err := os.Mkdir(dir, 0o755); err != nil {
				return fmt.Errorf("adding %q to the build context: %w", name, err)
			}
		case err != nil:
			return fmt.Errorf("adding %q to the build context: %w", name, err)
		case !fi.IsDir():
			return fmt.Errorf("adding %q to the build context: %q is not a directory in the context", name, part)
		}
	}
	if _, err := os.Lstat(out); err == nil {
		logger.Warn("a file added to the build context replaces one of the context for this build", "name", name, "source", src)
		if err := os.RemoveAll(out); err != nil {
			return fmt.Errorf("adding %q to the build context: %w", name, err)
		}
	}
	fi, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("adding %q to the build context: %w", name, err)
	}
	if err := linkOrCopy(src, out, fi.Mode().Perm()); err != nil {
		return fmt.Errorf("adding %q to the build context: %w", name, err)
	}
	return nil
}

// linkOrCopy hard-links src to dst, or copies it when linking is not possible.
func linkOrCopy(src, dst string, perm fs.FileMode) error {
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
