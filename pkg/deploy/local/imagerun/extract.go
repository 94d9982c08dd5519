package imagerun

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// ErrUnsafeEntry is wrapped by extraction errors for entries that would land outside the
// rootfs (a ".." path or a path or hardlink through a symlink).
var ErrUnsafeEntry = errors.New("unsafe image filesystem entry")

// extractImage unpacks img's flattened filesystem (whiteouts applied) into root, an existing
// empty directory.
func extractImage(img v1.Image, root string, log *slog.Logger) error {
	rc := mutate.Extract(img)
	defer rc.Close()
	if err := extractTar(rc, root, log); err != nil {
		return fmt.Errorf("extracting the image filesystem into %s: %w", root, err)
	}
	// mutate.Extract ends the tar stream (its trailer) before reporting an error, so the tar
	// reader sees a clean end: the error (a refused entry, a failed layer fetch) only shows
	// when reading past it.
	if _, err := io.Copy(io.Discard, rc); err != nil {
		return fmt.Errorf("extracting the image filesystem into %s: %w", root, err)
	}
	return nil
}

// dirMeta is applied to directories once their contents are written (a read-only directory
// must still accept its children).
type dirMeta struct {
	path  string
	mode  fs.FileMode
	mtime time.Time
}

// extractTar writes a tar stream under root. Entries never write outside root: names that
// climb above it are refused, and so is any entry whose path (or hardlink target) passes
// through a symlink, since the symlink would be followed on the host, not in the rootfs.
// Device nodes are skipped (Start provides the few a function needs).
func extractTar(r io.Reader, root string, log *slog.Logger) error {
	asRoot := os.Geteuid() == 0
	tr := tar.NewReader(r)
	var dirs []dirMeta
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("reading the layer tar: %w", err)
		}
		rel, err := entryPath(hdr.Name)
		if err != nil {
			return err
		}
		if rel == "." {
			if hdr.Typeflag == tar.TypeDir {
				dirs = append(dirs, dirMeta{root, hdr.FileInfo().Mode(), hdr.ModTime})
			}
			continue
		}
		if err := mkParents(root, rel, hdr.Name); err != nil {
			return err
		}
		p := filepath.Join(root, filepath.FromSlash(rel))
		switch hdr.Typeflag {
		case tar.TypeDir:
			if fi, err := os.Lstat(p); err == nil && !fi.IsDir() {
				if err := os.Remove(p); err != nil {
					return fmt.Errorf("entry %q: replacing a file with a directory: %w", hdr.Name, err)
				}
			}
			if err := os.Mkdir(p, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("entry %q: %w", hdr.Name, err)
			}
			dirs = append(dirs, dirMeta{p, hdr.FileInfo().Mode(), hdr.ModTime})
		case tar.TypeReg:
			if err := removeExisting(p, hdr.Name); err != nil {
				return err
			}
			if err := writeFile(p, tr, hdr); err != nil {
				return err
			}
		case tar.TypeSymlink:
			// The target is not checked: it is interpreted inside the chroot, and extraction
			// never follows symlinks (see mkParents).
			if err := removeExisting(p, hdr.Name); err != nil {
				return err
			}
			if err := os.Symlink(hdr.Linkname, p); err != nil {
				return fmt.Errorf("entry %q: %w", hdr.Name, err)
			}
		case tar.TypeLink:
			target, err := entryPath(hdr.Linkname)
			if err != nil {
				return fmt.Errorf("entry %q: hardlink target: %w", hdr.Name, err)
			}
			if err := mkParents(root, target, hdr.Name); err != nil {
				return err
			}
			if err := removeExisting(p, hdr.Name); err != nil {
				return err
			}
			if err := os.Link(filepath.Join(root, filepath.FromSlash(target)), p); err != nil {
				return fmt.Errorf("entry %q: hardlink to %q: %w", hdr.Name, hdr.Linkname, err)
			}
			continue // the metadata is the target's
		case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
			log.Debug("skipping a device node or fifo in the image", "entry", hdr.Name)
			continue
		default:
			log.Debug("skipping an unsupported tar entry", "entry", hdr.Name, "type", string(hdr.Typeflag))
			continue
		}
		if asRoot {
			if err := os.Lchown(p, hdr.Uid, hdr.Gid); err != nil {
				return fmt.Errorf("entry %q: chown: %w", hdr.Name, err)
			}
		}
		if hdr.Typeflag == tar.TypeReg {
			if err := setMeta(p, hdr.FileInfo().Mode(), hdr.ModTime); err != nil {
				return fmt.Errorf("entry %q: %w", hdr.Name, err)
			}
		}
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := setMeta(dirs[i].path, dirs[i].mode, dirs[i].mtime); err != nil {
			return fmt.Errorf("directory %s: %w", dirs[i].path, err)
		}
	}
	return nil
}

// entryPath returns name relative to the rootfs (slash-separated, cleaned), or an error
// wrapping ErrUnsafeEntry when it climbs above it. A leading "/" is the rootfs.
func entryPath(name string) (string, error) {
	rel := path.Clean(strings.TrimLeft(name, "/"))
	if rel == ".." || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf("entry %q: %w: the path leaves the rootfs", name, ErrUnsafeEntry)
	}
	return rel, nil
}

// mkParents makes sure every parent directory of rel exists under root as a real directory,
// creating missing ones; a parent that is a symlink is refused (wrapping ErrUnsafeEntry),
// whatever it points to, so nothing is ever written through one.
func mkParents(root, rel, entry string) error {
	dir := root
	parts := strings.Split(rel, "/")
	for i, part := range parts[:len(parts)-1] {
		dir = filepath.Join(dir, part)
		fi, err := os.Lstat(dir)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if err := os.Mkdir(dir, 0o755); err != nil {
				return fmt.Errorf("entry %q: creating its parent: %w", entry, err)
			}
		case err != nil:
			return fmt.Errorf("entry %q: %w", entry, err)
		case fi.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(dir)
			return fmt.Errorf("entry %q: %w: its path goes through the symlink %q -> %q, which could lead outside the rootfs",
				entry, ErrUnsafeEntry, strings.Join(parts[:i+1], "/"), target)
		case !fi.IsDir():
			return fmt.Errorf("entry %q: its parent %q is not a directory", entry, strings.Join(parts[:i+1], "/"))
		}
	}
	return nil
}

// removeExisting removes whatever is at p (an earlier entry of the same name), without
// following symlinks.
func removeExisting(p, entry string) error {
	if err := os.RemoveAll(p); err != nil {
		return fmt.Errorf("entry %q: replacing the existing file: %w", entry, err)
	}
	return nil
}

func writeFile(p string, r io.Reader, hdr *tar.Header) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL|noFollow, 0o600)
	if err != nil {
		return fmt.Errorf("entry %q: %w", hdr.Name, err)
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return fmt.Errorf("entry %q: writing: %w", hdr.Name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("entry %q: writing: %w", hdr.Name, err)
	}
	return nil
}

// setMeta applies permission bits (with setuid, setgid, sticky) and the modification time
// (Python compares .pyc files against their source's mtime).
func setMeta(p string, mode fs.FileMode, mtime time.Time) error {
	if err := os.Chmod(p, mode&(fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky)); err != nil {
		return fmt.Errorf("chmod: %w", err)
	}
	if !mtime.IsZero() {
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			return fmt.Errorf("setting the mtime: %w", err)
		}
	}
	return nil
}
