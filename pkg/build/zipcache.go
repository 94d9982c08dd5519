package build

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/cache"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/pip"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/zipbundle"
)

// ZipOption configures a ZipBuilder.
type ZipOption func(*ZipBuilder)

// WithZipOptions passes options to every zip the builder writes.
func WithZipOptions(opts ...zipbundle.Option) ZipOption {
	return func(b *ZipBuilder) { b.zipOpts = append(b.zipOpts, opts...) }
}

// WithCache makes the builder look built runtimes up in c before building and store them after.
// tool identifies the tool's build (its release version, or a hash of a development binary) and
// is part of every key, so another build of the tool never reuses an older one's entries; it is
// called when a key is computed, not before. The key needs the resolved distributions: when the
// installer cannot resolve without installing (it has no Resolve method like [pip.Installer]'s),
// the cache is not used.
func WithCache(c *cache.Cache, tool func() string) ZipOption {
	return func(b *ZipBuilder) { b.cache, b.tool = c, tool }
}

// Resolver is the optional part of an Installer the build cache needs: pip's resolution of a
// request without installing it.
type Resolver interface {
	Resolve(ctx context.Context, req pip.InstallRequest) (*pip.Resolution, error)
}

// cachedArtifact is the metadata stored with a cache entry's zips.
type cachedArtifact struct {
	Layer        *zipbundle.Bundle  `json:"layer,omitempty"`
	Function     *zipbundle.Bundle  `json:"function"`
	Dependencies []pip.Distribution `json:"dependencies"`
	Modules      []string           `json:"modules"`
}

// cachedBuild is Build with the cache: the key is computed from the spec and pip's resolution,
// a hit copies (hard-links) the zips into the work directory, a miss builds and stores.
func (b *ZipBuilder) cachedBuild(ctx context.Context, spec ZipSpec) (*Artifact, error) {
	res, ok := b.installer.(Resolver)
	if !ok {
		b.logger.Warn("build cache not used: the installer cannot resolve without installing")
		return b.build(ctx, spec)
	}
	start := time.Now()
	rq := resolveRequest{spec.RequirementFiles, spec.Requirements, spec.Lithops, spec.Platform}
	k, locked, err := resolveKey(ctx, res, rq, b.tool())
	if err != nil {
		return nil, err
	}
	k.Extra = []string{
		"layout=" + strconv.Itoa(int(spec.Layout)),
		"entry-point=" + spec.EntryPoint,
		"mod-time=" + spec.ModTime.UTC().Format(time.RFC3339),
	}
	key, err := k.Sum()
	if err != nil {
		return nil, err
	}
	names := zipNames(spec.Layout)
	// runtime names what is built, for the cache to say why a key missed (what changed since).
	runtime := "zip layout=" + strconv.Itoa(int(spec.Layout)) + " " + strings.Join(spec.RequirementFiles, ",")
	entry, hit, err := b.cache.Get(key)
	if err != nil {
		return nil, err
	}
	if hit {
		art, err := restore(entry, spec, names)
		if err != nil {
			b.logger.Warn("build cache entry unusable: building", "key", key, "error", err)
		} else {
			b.logger.Info("cache hit", "key", key[:16], "dir", b.cache.Dir(), "took", time.Since(start).Round(time.Millisecond))
			b.cache.Remember(runtime, k)
			return art, nil
		}
	}
	if why := b.cache.WhyMiss(runtime, k); why != "" {
		b.logger.Info("cache miss", "key", key[:16], "why", why)
	} else {
		b.logger.Info("cache miss", "key", key[:16], "why", "no earlier build of this runtime in this cache")
	}

	if err := verifyLocked(ctx, res, rq, locked); err != nil {
		return nil, err
	}
	art, err := b.build(ctx, spec)
	if err != nil {
		return nil, err
	}
	meta := cachedArtifact{Layer: stripPath(art.Layer), Function: stripPath(art.Function), Dependencies: art.Dependencies, Modules: art.Modules}
	data, err := json.Marshal(meta)
	if err != nil {
		return nil, fmt.Errorf("encoding the build cache entry: %w", err)
	}
	files := map[string]string{names.function: art.Function.Path}
	if art.Layer != nil {
		files[names.layer] = art.Layer.Path
	}
	if _, err := b.cache.Put(key, files, data); err != nil {
		// A cache that cannot store must not fail the build.
		b.logger.Warn("build cache not stored", "error", err)
	}
	b.cache.Remember(runtime, k)
	return art, nil
}

// lockedParts is what hash-locked requirements determine of a build without pip.
type lockedParts struct {
	// requirements is true when the lock pins the requirements files and every extra one.
	requirements bool
	// lithops is the lock's pin of lithops==spec.Lithops with hashes (nil when none).
	lithops *pip.Pin
	// entries are the lock's pins, for the key.
	entries []string
}

// lockedResolution reads spec's requirements files as a lock. Requirements that are not hash-
// locked, or that leave an extra requirement unpinned (pip's LockError then comes from the
// resolve), determine nothing.
func lockedResolution(spec resolveRequest) lockedParts {
	lock, err := pip.ReadLock(spec.RequirementFiles)
	if err != nil || lock == nil {
		return lockedParts{} // an unreadable file is pip's to report
	}
	if _, missing := lock.Cover(spec.Requirements); len(missing) > 0 {
		return lockedParts{}
	}
	lp := lockedParts{requirements: true}
	for _, e := range lock.Entries() {
		lp.entries = append(lp.entries, "locked "+e)
	}
	if p, ok := lock.Pinned("lithops"); ok && p.Version == spec.Lithops && len(p.Hashes) > 0 {
		lp.lithops = &p
	}
	return lp
}

// resolveRequest is what pip resolves for a runtime: the requirements and the lithops wheel.
type resolveRequest struct {
	RequirementFiles []string
	Requirements     []string
	Lithops          string
	Platform         pip.Platform
}

// resolveParts runs pip's resolver for the requirements and for the lithops wheel, those asked
// for, in parallel; the parts not asked for are empty.
func resolveParts(ctx context.Context, res Resolver, spec resolveRequest, requirements, lithops bool) (*pip.Resolution, *pip.Resolution, error) {
	var (
		wg                sync.WaitGroup
		reqRes, lxRes     = &pip.Resolution{}, &pip.Resolution{}
		resolveErr, lxErr error
	)
	if requirements {
		wg.Add(1)
		go func() {
			defer wg.Done()
			reqRes, resolveErr = res.Resolve(ctx, pip.InstallRequest{
				RequirementFiles: spec.RequirementFiles, Requirements: spec.Requirements, Platform: spec.Platform,
			})
		}()
	}
	if lithops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lxRes, lxErr = resolveLithops(ctx, res, spec)
		}()
	}
	wg.Wait()
	if err := errors.Join(resolveErr, lxErr); err != nil {
		return nil, nil, err
	}
	return reqRes, lxRes, nil
}

// resolveLithops is pip's choice of the lithops wheel (without its dependencies).
func resolveLithops(ctx context.Context, res Resolver, spec resolveRequest) (*pip.Resolution, error) {
	return res.Resolve(ctx, pip.InstallRequest{Requirements: []string{"lithops==" + spec.Lithops}, Platform: spec.Platform, NoDeps: true})
}

// checkLithopsPin verifies that the lithops wheel pip chose has one of the lock's hashes.
func checkLithopsPin(r *pip.Resolution, pin pip.Pin) error {
	for _, d := range r.Distributions {
		if d.SHA256 == "" {
			return fmt.Errorf("pip reported no hash of the lithops wheel %s, so it cannot be checked against %s line %d: "+
				"use an index that publishes hashes, or drop lithops from the lock", d.URL, pin.File, pin.Line)
		}
		for _, h := range pin.Hashes {
			if h == "sha256:"+d.SHA256 {
				return nil
			}
		}
		return fmt.Errorf("the lithops wheel pip finds (%s, sha256:%s) is not one %s line %d allows (%s): "+
			"regenerate the lock (pip-compile --generate-hashes) or check where pip finds lithops (PIP_FIND_LINKS, the index)",
			filepath.Base(d.URL), d.SHA256, pin.File, pin.Line, strings.Join(pin.Hashes, ", "))
	}
	return fmt.Errorf("pip found no lithops==%s wheel", pin.Version)
}

// resolveKey returns the part of a cache key every runtime build shares: the request, the target
// platform, the tool, and what pip would install: the requirements' distributions and the lithops
// wheel itself (its hash, not only its version: a rebuilt wheel of the same version must not reuse
// a build). Hash-locked requirements determine both without pip (pip installs exactly the pinned
// files); otherwise pip resolves them, two processes in parallel: the whole cost of a cache hit.
func resolveKey(ctx context.Context, res Resolver, rq resolveRequest, tool string) (cache.Key, lockedParts, error) {
	locked := lockedResolution(rq)
	resolution, lxRes, err := resolveParts(ctx, res, rq, !locked.requirements, locked.lithops == nil)
	if err != nil {
		return cache.Key{}, locked, err
	}
	resolution = &pip.Resolution{Distributions: append(append([]pip.ResolvedDistribution(nil), resolution.Distributions...), lxRes.Distributions...)}
	return runtimeKey(rq, tool, resolution, locked.entries), locked, nil
}

// verifyLocked runs, before a build the cache missed, what the key took from a lock on trust:
// pip's resolution of the requirements (the install reuses it) and, when the lock pins it, of the
// lithops wheel, whose hash must be one the lock allows.
func verifyLocked(ctx context.Context, res Resolver, rq resolveRequest, locked lockedParts) error {
	if !locked.requirements {
		return nil
	}
	_, lx, err := resolveParts(ctx, res, rq, true, locked.lithops != nil)
	if err != nil {
		return err
	}
	if locked.lithops != nil {
		return checkLithopsPin(lx, *locked.lithops)
	}
	return nil
}

// runtimeKey is the part of a cache key every runtime build shares: the request, the target
// platform, the tool, and what pip resolved or the lock determines.
func runtimeKey(rq resolveRequest, tool string, r *pip.Resolution, locked []string) cache.Key {
	k := cache.Key{
		RequirementFiles: rq.RequirementFiles,
		Requirements:     rq.Requirements,
		Python:           rq.Platform.Python,
		Arch:             rq.Platform.Arch,
		Glibc:            strconv.Itoa(rq.Platform.GlibcMajor) + "." + strconv.Itoa(rq.Platform.GlibcMinor),
		Lithops:          rq.Lithops,
		Tool:             tool,
	}
	for _, d := range r.Distributions {
		k.Resolved = append(k.Resolved, fmt.Sprintf("%s==%s sha256:%s url:%s requested:%t", d.Name, d.Version, d.SHA256, filepath.Base(d.URL), d.Requested))
	}
	k.Resolved = append(k.Resolved, locked...)
	return k
}

// zipFileNames are the zips' file names in the work directory and in a cache entry.
type zipFileNames struct{ layer, function string }

func zipNames(l Layout) zipFileNames {
	if l == FCLayout {
		return zipFileNames{function: "code.zip"}
	}
	return zipFileNames{layer: "layer.zip", function: "function.zip"}
}

func stripPath(b *zipbundle.Bundle) *zipbundle.Bundle {
	if b == nil {
		return nil
	}
	c := *b
	c.Path = ""
	return &c
}

// restore links an entry's zips into spec.WorkDir and returns the artifact they make.
func restore(e *cache.Entry, spec ZipSpec, names zipFileNames) (*Artifact, error) {
	var meta cachedArtifact
	if err := json.Unmarshal(e.Meta, &meta); err != nil {
		return nil, fmt.Errorf("decoding build cache entry %s: %w", e.Key, err)
	}
	if meta.Function == nil || (names.layer != "") != (meta.Layer != nil) {
		return nil, fmt.Errorf("build cache entry %s does not hold this layout's zips", e.Key)
	}
	art := &Artifact{PackageType: Zip, Dependencies: meta.Dependencies, Modules: meta.Modules}
	if err := os.MkdirAll(spec.WorkDir, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", spec.WorkDir, err)
	}
	place := func(b *zipbundle.Bundle, name string) (*zipbundle.Bundle, error) {
		dst := filepath.Join(spec.WorkDir, name)
		if err := os.Remove(dst); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("replacing %s: %w", dst, err)
		}
		if err := cache.LinkOrCopy(e.Path(name), dst); err != nil {
			return nil, err
		}
		c := *b
		c.Path = dst
		return &c, nil
	}
	var err error
	if meta.Layer != nil {
		if art.Layer, err = place(meta.Layer, names.layer); err != nil {
			return nil, err
		}
	}
	if art.Function, err = place(meta.Function, names.function); err != nil {
		return nil, err
	}
	return art, nil
}
