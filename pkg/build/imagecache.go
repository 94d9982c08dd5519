package build

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/image"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/pip"
)

// cachedImage is the metadata stored with a cache entry's layer files.
type cachedImage struct {
	Layers       []image.Blob       `json:"layers"`
	Dependencies []pip.Distribution `json:"dependencies"`
	Modules      []string           `json:"modules"`
}

func layerFileName(i int) string { return "layer-" + strconv.Itoa(i) + ".tar.gz" }

// cachedDaemonless is the daemonless build with the cache: the key is the zip builds' (requirements,
// resolution or lock, platform, lithops, tool) plus the base image digest and the image settings;
// a hit assembles the image from the cached compressed layers (nothing installed, nothing
// compressed), a miss builds and stores the layer files.
func (b *ImageBuilder) cachedDaemonless(ctx context.Context, spec ImageSpec, art *Artifact) (v1.Image, error) {
	res, ok := b.installer.(Resolver)
	if b.cache == nil || !ok {
		return b.daemonless(ctx, spec, art)
	}
	start := time.Now()
	rq := resolveRequest{spec.RequirementFiles, spec.Requirements, spec.Lithops, spec.Platform}
	k, locked, err := resolveKey(ctx, res, rq, b.tool())
	if err != nil {
		return nil, err
	}
	base, err := spec.Base.Digest()
	if err != nil {
		return nil, fmt.Errorf("reading the base image digest: %w", err)
	}
	cmd, _ := json.Marshal(spec.Cmd)
	entrypoint, _ := json.Marshal(spec.Entrypoint)
	k.Extra = []string{
		"kind=daemonless-image",
		"base=" + base.String(),
		"image-platform=" + spec.ImagePlatform.String(),
		"task-root=" + spec.TaskRoot,
		"cmd=" + string(cmd),
		"entrypoint=" + string(entrypoint),
		"handler-package=" + strconv.FormatBool(spec.HandlerPackage),
		"entry-point=" + spec.EntryPoint,
		"mod-time=" + spec.ModTime.UTC().Format(time.RFC3339),
		"gzip-level=" + strconv.Itoa(image.DefaultCompressionLevel),
	}
	var extra []string
	for name, data := range spec.ExtraFiles {
		extra = append(extra, fmt.Sprintf("%s:%x", name, sha256.Sum256(data)))
	}
	sort.Strings(extra)
	k.Extra = append(k.Extra, "extra-files="+strings.Join(extra, ","))
	key, err := k.Sum()
	if err != nil {
		return nil, err
	}

	// runtime names what is built, for the cache to say why a key missed (what changed since).
	runtime := "daemonless image " + strings.Join(spec.RequirementFiles, ",")
	entry, hit, err := b.cache.Get(key)
	if err != nil {
		return nil, err
	}
	if hit {
		img, err := b.restoreImage(ctx, spec, entry.Meta, entry.Path, art)
		if err == nil {
			b.logger.Info("cache hit", "key", key[:16], "dir", b.cache.Dir(), "took", time.Since(start).Round(time.Millisecond))
			b.cache.Remember(runtime, k)
			return img, nil
		}
		b.logger.Warn("build cache entry unusable: building", "key", key, "error", err)
	}
	if why := b.cache.WhyMiss(runtime, k); why != "" {
		b.logger.Info("cache miss", "key", key[:16], "why", why)
	} else {
		b.logger.Info("cache miss", "key", key[:16], "why", "no earlier build of this runtime in this cache")
	}

	if err := verifyLocked(ctx, res, rq, locked); err != nil {
		return nil, err
	}
	img, err := b.daemonless(ctx, spec, art)
	if err != nil {
		return nil, err
	}
	blobs, err := image.Blobs(img)
	if err != nil {
		return nil, err
	}
	meta := cachedImage{Layers: blobs, Dependencies: art.Dependencies, Modules: art.Modules}
	data, err := json.Marshal(meta)
	if err != nil {
		return nil, fmt.Errorf("encoding the build cache entry: %w", err)
	}
	files := map[string]string{}
	for i, bl := range blobs {
		files[layerFileName(i)] = bl.Path
	}
	if _, err := b.cache.Put(key, files, data); err != nil {
		// A cache that cannot store must not fail the build.
		b.logger.Warn("build cache not stored", "error", err)
	}
	b.cache.Remember(runtime, k)
	return img, nil
}

// restoreImage assembles the image of a cache entry: the base plus the entry's layer files.
func (b *ImageBuilder) restoreImage(ctx context.Context, spec ImageSpec, metaData []byte, path func(string) string, art *Artifact) (v1.Image, error) {
	var meta cachedImage
	if err := json.Unmarshal(metaData, &meta); err != nil {
		return nil, fmt.Errorf("decoding the build cache entry: %w", err)
	}
	is := imageSpec(spec, "", "")
	if len(meta.Layers) != len(is.Layers) {
		return nil, fmt.Errorf("the build cache entry has %d layers, the image %d", len(meta.Layers), len(is.Layers))
	}
	for i := range is.Layers {
		bl := meta.Layers[i]
		bl.Path = path(layerFileName(i))
		is.Layers[i].Blob = &bl
	}
	img, err := image.Assemble(ctx, is, b.assemble...)
	if err != nil {
		return nil, err
	}
	art.Dependencies, art.Modules = meta.Dependencies, meta.Modules
	return img, nil
}
