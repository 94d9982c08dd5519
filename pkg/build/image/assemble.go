package image

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Spec is a daemonless image: a base image plus layers and config changes.
type Spec struct {
	// Base is the base image, already the right platform.
	Base v1.Image
	// Platform is checked against Base's config (os/architecture); a mismatch is an error naming
	// both. It is required (see PlatformFor).
	Platform v1.Platform
	// Layers are added on top of Base, in order, one layer each.
	Layers []LayerSpec
	// Entrypoint replaces the base's entrypoint; nil keeps it, an empty non-nil slice clears it.
	Entrypoint []string
	// Cmd replaces the base's cmd; nil keeps it, an empty non-nil slice clears it.
	Cmd []string
	// WorkingDir replaces the base's working directory; "" keeps it.
	WorkingDir string
	// Env holds KEY=VALUE variables added to the base's, replacing a base variable of the same KEY
	// in place.
	Env []string
	// Labels are added to the base's labels, replacing those of the same key.
	Labels map[string]string
	// ModTime is every file's mtime, every added history entry's and the config's created time,
	// truncated to the second. Zero means 1980-01-01T00:00:00Z. SOURCE_DATE_EPOCH is resolved by
	// the caller.
	ModTime time.Time
}

// DefaultCompressionLevel is the gzip level of the layers unless [WithCompressionLevel] says
// otherwise. A layer is compressed at least twice (once for its digest when assembled, once more
// when pushed), and Go's gzip at BestSpeed runs several times faster than at DefaultCompression
// for layers only a few percent larger; it is also go-containerregistry's and ko's default.
const DefaultCompressionLevel = gzip.BestSpeed

// Option configures [Assemble].
type Option func(*options)

type options struct {
	logger           *slog.Logger
	compressionLevel int
	layerDir         string
}

func makeOptions(opts ...Option) options {
	o := options{
		logger:           slog.New(slog.NewTextHandler(io.Discard, nil)),
		compressionLevel: DefaultCompressionLevel,
	}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithLogger sets the logger that receives debug records about the layers built. The default
// discards everything.
func WithLogger(logger *slog.Logger) Option {
	return func(o *options) {
		if logger != nil {
			o.logger = logger
		}
	}
}

// WithCompressionLevel sets the gzip level of the added layers: gzip.HuffmanOnly (-2) to
// gzip.BestCompression (9). The default is [DefaultCompressionLevel]. The image digest depends on
// it.
func WithCompressionLevel(level int) Option {
	return func(o *options) { o.compressionLevel = level }
}

// defaultModTime is the timestamp used when Spec.ModTime is zero.
func defaultModTime() time.Time { return time.Date(1980, time.January, 1, 0, 0, 0, 0, time.UTC) }

// Assemble returns the image; nothing is written to disk or pushed.
//
// The added layers are gzip-compressed tars whose media types follow the base's manifest (Docker
// v2 schema 2 or OCI), with one history entry each. The same spec over the same file contents
// always gives the same digest: entries are sorted, owned by root, with normalized modes and
// ModTime as mtime, and __pycache__ directories and *.pyc files are left out.
//
// The layers are not held in memory: the directories are read while Assemble computes the layer
// digests, and again whenever the layers are read (by remote.Write, say), so they must not change
// until then. ctx cancels Assemble itself, not those later reads.
func Assemble(ctx context.Context, spec Spec, opts ...Option) (v1.Image, error) {
	o := makeOptions(opts...)
	if o.compressionLevel < gzip.HuffmanOnly || o.compressionLevel > gzip.BestCompression {
		return nil, fmt.Errorf("assembling image: gzip compression level %d is out of range: use %d to %d",
			o.compressionLevel, gzip.HuffmanOnly, gzip.BestCompression)
	}
	if spec.Base == nil {
		return nil, errors.New("assembling image: no base image given")
	}
	baseCfg, err := spec.Base.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading the base image config: %w", err)
	}
	if err := matchBasePlatform(baseCfg, spec.Platform); err != nil {
		return nil, fmt.Errorf("checking the base image platform: %w", err)
	}
	manifestType, err := spec.Base.MediaType()
	if err != nil {
		return nil, fmt.Errorf("reading the base image media type: %w", err)
	}
	layerType, err := layerMediaType(manifestType)
	if err != nil {
		return nil, err
	}
	env, err := mergeEnv(baseCfg.Config.Env, spec.Env)
	if err != nil {
		return nil, err
	}
	modTime := spec.ModTime
	if modTime.IsZero() {
		modTime = defaultModTime()
	}
	modTime = modTime.UTC().Truncate(time.Second)

	live := &liveness{ctx: ctx}
	defer live.detach()
	adds := make([]mutate.Addendum, 0, len(spec.Layers))
	for _, ls := range spec.Layers {
		start := time.Now()
		var res layerResult
		switch {
		case ls.Blob != nil:
			if err := checkBlob(ls.Blob, layerType); err != nil {
				return nil, err
			}
			res = layerResult{layer: &fileLayer{blob: *ls.Blob}}
		case o.layerDir != "":
			if _, res, err = writeBlob(ctx, live, ls, modTime, layerType, o.compressionLevel, o.layerDir); err != nil {
				return nil, err
			}
		default:
			if res, err = buildLayer(ctx, live, ls, modTime, layerType, o.compressionLevel); err != nil {
				return nil, err
			}
		}
		digest, err := res.layer.Digest()
		if err != nil {
			return nil, fmt.Errorf("building layer from %q: %w", ls.Dir, err)
		}
		size, err := res.layer.Size()
		if err != nil {
			return nil, fmt.Errorf("building layer from %q: %w", ls.Dir, err)
		}
		o.logger.Debug("built image layer", "dir", ls.Dir, "target", ls.Target, "entries", res.entries,
			"bytes", res.bytes, "compressed_bytes", size, "digest", digest.String(), "duration", time.Since(start))
		comment := ls.Comment
		if comment == "" {
			comment = "lithops-runtime-action: add " + ls.Target
		}
		adds = append(adds, mutate.Addendum{
			Layer:   res.layer,
			History: v1.History{Created: v1.Time{Time: modTime}, CreatedBy: comment},
		})
	}

	img := spec.Base
	if len(adds) > 0 {
		if img, err = mutate.Append(img, adds...); err != nil {
			return nil, fmt.Errorf("adding layers to the base image: %w", err)
		}
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading the image config: %w", err)
	}
	cfg = cfg.DeepCopy()
	cfg.Created = v1.Time{Time: modTime}
	if spec.Entrypoint != nil {
		cfg.Config.Entrypoint = nilIfEmpty(spec.Entrypoint)
	}
	if spec.Cmd != nil {
		cfg.Config.Cmd = nilIfEmpty(spec.Cmd)
	}
	if spec.WorkingDir != "" {
		cfg.Config.WorkingDir = spec.WorkingDir
	}
	cfg.Config.Env = env
	if len(spec.Labels) > 0 {
		if cfg.Config.Labels == nil {
			cfg.Config.Labels = make(map[string]string, len(spec.Labels))
		}
		maps.Copy(cfg.Config.Labels, spec.Labels)
	}
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		return nil, fmt.Errorf("setting the image config: %w", err)
	}
	return img, nil
}

// layerMediaType returns the gzip layer media type of the family of a base manifest media type.
func layerMediaType(manifest types.MediaType) (types.MediaType, error) {
	switch manifest {
	case types.DockerManifestSchema2:
		return types.DockerLayer, nil
	case types.OCIManifestSchema1:
		return types.OCILayer, nil
	default:
		return "", fmt.Errorf("the base image manifest has media type %q: use a base image with a Docker v2 schema 2 or OCI image manifest (an index must be reduced to one platform's image first)", manifest)
	}
}

// mergeEnv returns base with each KEY=VALUE of add replacing the base variable of the same KEY
// in place, or appended in order when the base has none.
func mergeEnv(base, add []string) ([]string, error) {
	out := append([]string(nil), base...)
	index := make(map[string]int, len(out))
	for i, kv := range out {
		key, _, _ := strings.Cut(kv, "=")
		index[key] = i
	}
	for _, kv := range add {
		key, _, ok := strings.Cut(kv, "=")
		if !ok || key == "" {
			return nil, fmt.Errorf("environment variable %q is not KEY=VALUE", kv)
		}
		if i, found := index[key]; found {
			out[i] = kv
			continue
		}
		index[key] = len(out)
		out = append(out, kv)
	}
	return out, nil
}

// nilIfEmpty returns s, or nil when s is empty: the config JSON omits an empty list, so only nil
// reads back the same.
func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return append([]string(nil), s...)
}
