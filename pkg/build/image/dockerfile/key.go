package dockerfile

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// KeyVersion names what a build key covers and how it is hashed; it changes whenever either
// changes, so a key never matches one computed by different rules.
const KeyVersion = "lithops-runtime-action/dockerfile-build-key/v1"

// BaseResolver returns the digest of the image ref for platform as its registry has it now (the
// platform's manifest when ref is an index), e.g. registry.Pull(...).Digest().
type BaseResolver func(ctx context.Context, ref string, platform v1.Platform) (string, error)

// Key is the build key of a Dockerfile build: what the image depends on.
type Key struct {
	// Sum is the hex SHA-256 of every input.
	Sum string
	// Bases are the images the Dockerfile reads (FROM, COPY --from), each as ref@digest resolved
	// from its registry.
	Bases []string
	// Files is the number of context files hashed (after .dockerignore).
	Files int
	// Ignore is the ignore file the context was filtered with ("" when none).
	Ignore string
}

// BuildKey computes the build key of spec built with tool (docker, buildah or podman): the key
// version, the tool, the target platform, the reproducibility setting and timestamp, the
// Dockerfile, the build arguments, every file of the context as the builder sees it (the ignore
// file applied, ContextFiles laid over it), and the digest of every image the Dockerfile reads,
// resolved from its registry now (a base pushed again under the same tag changes the key). It
// reads no file twice and builds nothing.
func BuildKey(ctx context.Context, spec Spec, tool string, resolveBase BaseResolver) (*Key, error) {
	r, err := resolve(spec)
	if err != nil {
		return nil, err
	}
	switch tool {
	case ToolDocker, ToolBuildah, ToolPodman:
	default:
		return nil, fmt.Errorf("build key: unknown builder %q", tool)
	}
	if err := checkSymlinks(r.context); err != nil {
		return nil, err
	}
	content, err := os.ReadFile(r.dockerfile)
	if err != nil {
		return nil, fmt.Errorf("reading Dockerfile %q: %w", r.Dockerfile, err)
	}
	h := sha256.New()
	field := func(name, value string) { fmt.Fprintf(h, "%s %d:%s\n", name, len(value), value) }
	field("version", KeyVersion)
	field("tool", tool)
	field("platform", r.Platform.String())
	field("timestamp", r.epoch())
	field("dockerfile", string(content))
	args := make([]string, 0, len(r.BuildArgs))
	for k, v := range r.BuildArgs {
		args = append(args, k+"="+v)
	}
	sort.Strings(args)
	for _, a := range args {
		field("build-arg", a)
	}

	key := &Key{}
	bases, err := baseImages(string(content), r.BuildArgs, r.Platform)
	if err != nil {
		return nil, fmt.Errorf("reading the images Dockerfile %q builds on: %w", r.Dockerfile, err)
	}
	for _, b := range bases {
		digest := ""
		if _, d, ok := strings.Cut(b.Ref, "@"); ok {
			digest = d
		} else {
			if resolveBase == nil {
				return nil, errors.New("build key: no way to resolve base image digests")
			}
			if digest, err = resolveBase(ctx, b.Ref, b.Platform); err != nil {
				return nil, fmt.Errorf("resolving the base image %s (Dockerfile %q line %d) for %s: %w", b.Ref, r.Dockerfile, b.Line, b.Platform.String(), err)
			}
		}
		field("base", b.Ref+" "+b.Platform.String()+" "+digest)
		key.Bases = append(key.Bases, strings.SplitN(b.Ref, "@", 2)[0]+"@"+digest)
	}

	key.Ignore, err = ignoreFile(r, tool)
	if err != nil {
		return nil, err
	}
	var patterns []string
	if key.Ignore != "" {
		f, err := os.Open(key.Ignore)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", key.Ignore, err)
		}
		patterns, err = ignorefile.ReadAll(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", key.Ignore, err)
		}
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", key.Ignore, err)
	}
	overlay := map[string]bool{}
	for name := range r.ContextFiles {
		overlay[filepath.ToSlash(filepath.Clean(name))] = true
	}
	if key.Files, err = hashContext(h, r.context, pm, overlay); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(r.ContextFiles))
	for name := range r.ContextFiles {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		sum, err := fileSHA256(r.ContextFiles[name])
		if err != nil {
			return nil, fmt.Errorf("hashing context file %q: %w", r.ContextFiles[name], err)
		}
		field("context-file", filepath.ToSlash(filepath.Clean(name))+" "+sum)
	}
	key.Sum = hex.EncodeToString(h.Sum(nil))
	return key, nil
}

// ignoreFile is the ignore file the tool reads: docker (BuildKit) <Dockerfile>.dockerignore next
// to the Dockerfile, else the context's .dockerignore; buildah and podman the context's
// .containerignore, else .dockerignore. "" when there is none.
func ignoreFile(r *resolved, tool string) (string, error) {
	var candidates []string
	if tool == ToolDocker {
		candidates = []string{r.dockerfile + ".dockerignore", filepath.Join(r.context, ".dockerignore")}
	} else {
		candidates = []string{filepath.Join(r.context, ".containerignore"), filepath.Join(r.context, ".dockerignore")}
	}
	for _, c := range candidates {
		fi, err := os.Stat(c)
		switch {
		case err == nil && fi.Mode().IsRegular():
			return c, nil
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			return "", fmt.Errorf("reading ignore file %s: %w", c, err)
		}
	}
	return "", nil
}

// hashContext hashes every entry of the context the ignore patterns keep, except the overlay
// (files the build adds over the context), in path order: its path, type, permissions, and its
// content (regular files) or target (symlinks). File times are left out: reproducible builds
// rewrite them. It returns the number of entries hashed.
func hashContext(h hash.Hash, root string, pm *patternmatcher.PatternMatcher, overlay map[string]bool) (int, error) {
	n := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("reading build context: %w", err)
		}
		rel, err := filepath.Rel(root, p)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		ignored, err := pm.MatchesOrParentMatches(rel)
		if err != nil {
			return fmt.Errorf("matching %s against the ignore file: %w", rel, err)
		}
		if ignored {
			if d.IsDir() && !pm.Exclusions() {
				return filepath.SkipDir
			}
			return nil // a !pattern may bring back an entry below
		}
		if overlay[rel] {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		entry := fmt.Sprintf("%s %s %o", rel, typeOf(info.Mode()), info.Mode().Perm())
		switch {
		case info.Mode().IsRegular():
			sum, err := fileSHA256(p)
			if err != nil {
				return err
			}
			entry += " " + sum
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			entry += " -> " + target
		}
		fmt.Fprintf(h, "context %d:%s\n", len(entry), entry)
		n++
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("hashing build context %q: %w", root, err)
	}
	return n, nil
}

func typeOf(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "dir"
	case m.IsRegular():
		return "file"
	case m&fs.ModeSymlink != 0:
		return "symlink"
	}
	return "other"
}

func fileSHA256(p string) (string, error) {
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

// ChooseTool returns the builder a build with tool ("auto", "", or a tool name) would use.
func (b *Builder) ChooseTool(ctx context.Context, tool string) (string, error) {
	return b.chooseTool(ctx, tool, os.TempDir())
}
