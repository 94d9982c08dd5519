package image

import (
	"archive/tar"
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// LayerSpec is one directory added as one image layer.
type LayerSpec struct {
	// Dir is the directory on this machine whose contents (not itself) become the layer.
	Dir string
	// Target is the absolute directory in the image, e.g. "/var/task".
	Target string
	// Comment is the history entry's created_by text (e.g. "lithops-runtime-action: dependencies").
	// Empty means "lithops-runtime-action: add <Target>".
	Comment string
	// Blob, when set, is the layer already compressed (a build cache's): Dir is not read.
	Blob *Blob
}

// Modes every entry is normalized to, whatever the mode, owner or umask on disk.
const (
	dirMode     = 0o755
	fileMode    = 0o644
	execMode    = 0o755
	symlinkMode = 0o777
)

// tarEntry is one member of a layer tar.
type tarEntry struct {
	// name is the path in the tar, relative to the image root; a directory's ends in "/".
	name string
	// src is the file to read for a regular file, empty otherwise.
	src      string
	typeflag byte
	mode     int64
	size     int64
	linkname string
}

// excluded reports whether a walked entry is left out of every layer: __pycache__ directories and
// *.pyc files, which Python regenerates and which embed source mtimes.
func excluded(d fs.DirEntry) bool {
	if d.IsDir() {
		return d.Name() == "__pycache__"
	}
	return strings.HasSuffix(d.Name(), ".pyc")
}

// targetPrefix checks that target is a clean absolute directory and returns it as a tar path
// prefix ("var/task/"), or "" for "/".
func targetPrefix(target string) (string, error) {
	if !path.IsAbs(target) || path.Clean(target) != target && path.Clean(target)+"/" != target {
		return "", fmt.Errorf("layer target %q is not a clean absolute directory: use a path such as \"/var/task\"", target)
	}
	rel := strings.TrimPrefix(path.Clean(target), "/")
	if rel == "" {
		return "", nil
	}
	return rel + "/", nil
}

// collectLayer walks spec.Dir and returns the entries of its layer sorted by name, including the
// directories of spec.Target. It fails on symbolic links that leave spec.Dir and on file types a
// layer cannot carry (devices, sockets, pipes).
func collectLayer(ctx context.Context, spec LayerSpec) ([]tarEntry, error) {
	prefix, err := targetPrefix(spec.Target)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(spec.Dir)
	if err != nil {
		return nil, fmt.Errorf("resolving layer directory %q: %w", spec.Dir, err)
	}
	root, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, fmt.Errorf("resolving layer directory %q: %w", spec.Dir, err)
	}
	if fi, err := os.Stat(root); err != nil {
		return nil, fmt.Errorf("reading layer directory %q: %w", spec.Dir, err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("layer directory %q is not a directory", spec.Dir)
	}

	var entries []tarEntry
	if prefix != "" {
		parts := strings.Split(strings.TrimSuffix(prefix, "/"), "/")
		for i := range parts {
			entries = append(entries, tarEntry{
				name: strings.Join(parts[:i+1], "/") + "/", typeflag: tar.TypeDir, mode: dirMode,
			})
		}
	}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("walking layer directory %q: %w", spec.Dir, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if p == root {
			return nil
		}
		if excluded(d) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		relOS, err := filepath.Rel(root, p)
		if err != nil {
			return fmt.Errorf("walking layer directory %q: %w", spec.Dir, err)
		}
		rel := filepath.ToSlash(relOS)
		name := prefix + rel
		switch t := d.Type(); {
		case t.IsDir():
			entries = append(entries, tarEntry{name: name + "/", typeflag: tar.TypeDir, mode: dirMode})
		case t&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return fmt.Errorf("reading symbolic link %q: %w", p, err)
			}
			if err := checkLink(root, rel, target); err != nil {
				return fmt.Errorf("symbolic link %q in layer directory %q: %w", p, spec.Dir, err)
			}
			entries = append(entries, tarEntry{
				name: name, typeflag: tar.TypeSymlink, mode: symlinkMode, linkname: filepath.ToSlash(target),
			})
		case t.IsRegular():
			fi, err := d.Info()
			if err != nil {
				return fmt.Errorf("reading %q: %w", p, err)
			}
			mode := int64(fileMode)
			if fi.Mode().Perm()&0o111 != 0 {
				mode = execMode
			}
			entries = append(entries, tarEntry{
				name: name, src: p, typeflag: tar.TypeReg, mode: mode, size: fi.Size(),
			})
		default:
			return fmt.Errorf("%q in layer directory %q is a %s, which an image layer cannot carry: remove it",
				p, spec.Dir, fileKind(t))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(entries, func(a, b tarEntry) int { return strings.Compare(a.name, b.name) })
	return entries, nil
}

// fileKind names an irregular file type for error messages.
func fileKind(t fs.FileMode) string {
	switch {
	case t&fs.ModeNamedPipe != 0:
		return "named pipe"
	case t&fs.ModeSocket != 0:
		return "socket"
	case t&fs.ModeDevice != 0:
		return "device"
	default:
		return "special file (" + t.String() + ")"
	}
}

// checkLink fails when the symbolic link at rel (slash-separated, relative to root) with the given
// target points outside root: an absolute target, a relative one climbing out of root, or one
// that does so only once other links on its way are followed.
func checkLink(root, rel, target string) error {
	if filepath.IsAbs(target) || path.IsAbs(filepath.ToSlash(target)) {
		return fmt.Errorf("it points to the absolute path %q, outside the directory: make it a relative link to a file inside", target)
	}
	lexical := path.Join(path.Dir(rel), filepath.ToSlash(target))
	if escapes(lexical) {
		return fmt.Errorf("it points to %q, outside the directory: remove it or copy the file it points to", target)
	}
	// A link inside by its text may still leave through another link ("a/up" -> "..", then
	// "b" -> "a/up/.."). Resolve it on disk when it resolves; dangling links are kept as they are.
	resolved, err := filepath.EvalSymlinks(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		return nil
	}
	r, err := filepath.Rel(root, resolved)
	if err != nil || escapes(filepath.ToSlash(r)) {
		return fmt.Errorf("it points to %q, which resolves to %q, outside the directory: remove it or copy the file it points to", target, resolved)
	}
	return nil
}

// escapes reports whether a cleaned slash-separated relative path leaves its base directory.
func escapes(p string) bool {
	return p == ".." || strings.HasPrefix(p, "../")
}

// layerSource builds one layer's tar on demand from its collected entries.
type layerSource struct {
	entries []tarEntry
	modTime time.Time
	// alive reports whether the tar may still be written; see liveness.
	alive func() error
}

// open starts writing the uncompressed tar into a pipe and returns its reading end. Closing the
// reader early stops the writer.
func (s *layerSource) open() (io.ReadCloser, error) {
	pr, pw := io.Pipe()
	go func() {
		bw := bufio.NewWriterSize(pw, 128<<10)
		err := s.write(bw)
		if err == nil {
			err = bw.Flush()
		}
		pw.CloseWithError(err)
	}()
	return pr, nil
}

// changedError reports that the file of e changed size after the directory was walked.
func changedError(e tarEntry, now int64) error {
	return fmt.Errorf("%q changed size (%d to %d bytes) while the image was built: do not modify the directory until the image is pushed", e.src, e.size, now)
}

// write writes the tar to w.
func (s *layerSource) write(w io.Writer) error {
	tw := tar.NewWriter(w)
	buf := make([]byte, 64<<10)
	for _, e := range s.entries {
		if err := s.alive(); err != nil {
			return err
		}
		hdr := &tar.Header{
			Typeflag: e.typeflag,
			Name:     e.name,
			Linkname: e.linkname,
			Mode:     e.mode,
			Size:     e.size,
			ModTime:  s.modTime,
			// PAX falls back to plain USTAR headers when the fields fit (they do unless a name is
			// very long), and its extended records carry no access or change times, so the
			// bytes depend only on the entry.
			Format: tar.FormatPAX,
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("writing tar header for %q: %w", e.name, err)
		}
		if e.typeflag == tar.TypeReg && e.size > 0 {
			if err := copyFile(tw, e, buf); err != nil {
				return err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("finishing layer tar: %w", err)
	}
	return nil
}

// copyFile copies the regular file of e into tw, failing if it no longer has the size it had when
// the directory was walked (the layer's digest would no longer match its content).
func copyFile(tw io.Writer, e tarEntry, buf []byte) error {
	f, err := os.Open(e.src)
	if err != nil {
		return fmt.Errorf("opening %q: %w", e.src, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("reading %q: %w", e.src, err)
	}
	if fi.Size() != e.size {
		return changedError(e, fi.Size())
	}
	if _, err := io.CopyBuffer(tw, io.LimitReader(f, e.size), buf); err != nil {
		return fmt.Errorf("adding %q to the layer: %w", e.src, err)
	}
	return nil
}

// liveness lets layers honour the context of the Assemble call that created them while it runs,
// and no longer afterwards: the image's layers are read again later (by remote.Write, say), when
// that context may well be done.
type liveness struct {
	mu  sync.Mutex
	ctx context.Context
}

// err returns the context's error while Assemble runs, nil afterwards.
func (l *liveness) err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ctx.Err()
}

// detach stops honouring the context.
func (l *liveness) detach() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ctx = context.Background()
}

// layerResult is a built layer with what Assemble logs about it.
type layerResult struct {
	layer   v1.Layer
	entries int
	bytes   int64
}

// buildLayer walks spec.Dir and returns its layer, streamed from disk each time it is read.
// Building it reads the directory twice: once compressed for the digest, once for the diff ID.
func buildLayer(ctx context.Context, live *liveness, spec LayerSpec, modTime time.Time, mediaType types.MediaType, level int) (layerResult, error) {
	entries, err := collectLayer(ctx, spec)
	if err != nil {
		return layerResult{}, err
	}
	src := &layerSource{entries: entries, modTime: modTime, alive: live.err}
	layer, err := tarball.LayerFromOpener(src.open,
		tarball.WithMediaType(mediaType),
		tarball.WithCompressionLevel(level))
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return layerResult{}, ctxErr
		}
		return layerResult{}, fmt.Errorf("building layer from %q: %w", spec.Dir, err)
	}
	var size int64
	for _, e := range entries {
		size += e.size
	}
	return layerResult{layer: plainLayer{layer}, entries: len(entries), bytes: size}, nil
}

// plainLayer hides the Descriptor method of tarball layers, whose descriptor carries an empty,
// non-nil annotations map: mutate copies it into the image's Manifest(), which then no longer
// equals the parsed RawManifest() (where the empty map is omitted) and validate.Image fails.
// Without it the descriptor is computed from the layer's digest, size and media type.
type plainLayer struct{ v1.Layer }
