package registry

import (
	"context"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Pull reads ref for the platform, resolving an image index to the platform's image; it is used
// for base images. Layers are fetched lazily, when read. A single-platform image for another
// platform is an error.
func Pull(ctx context.Context, ref string, platform v1.Platform, opts ...Option) (v1.Image, error) {
	o := newOptions(opts)
	r, err := parseRef(ref, o)
	if err != nil {
		return nil, err
	}
	ropts := append(remoteOptions(ctx, o, o.transport), remote.WithPlatform(platform))
	img, err := remote.Image(r, ropts...)
	if err != nil {
		return nil, fmt.Errorf("pulling %q for %s: %w%s", ref, platform.String(), err, hintFor(err, " (check the image name and tag)"))
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("pulling %q: reading the image config: %w", ref, err)
	}
	if got := cfg.Platform(); got != nil && !samePlatform(*got, platform) {
		return nil, fmt.Errorf("pulling %q: the image is for %s, not %s: use a multi-platform base image or one built for %s",
			ref, got.String(), platform.String(), platform.String())
	}
	o.logger.Debug("pulled image manifest", "ref", ref, "platform", platform.String())
	return img, nil
}

// samePlatform compares the OS and architecture that both sides state.
func samePlatform(got, want v1.Platform) bool {
	same := func(a, b string) bool { return a == "" || b == "" || a == b }
	return same(got.OS, want.OS) && same(got.Architecture, want.Architecture)
}
