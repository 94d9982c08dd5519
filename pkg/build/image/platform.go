package image

import (
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// PlatformFor maps a runtime architecture input ("x86_64", "arm64") to an image platform
// (linux/amd64, linux/arm64).
func PlatformFor(architecture string) (v1.Platform, error) {
	switch architecture {
	case "x86_64":
		return v1.Platform{OS: "linux", Architecture: "amd64"}, nil
	case "arm64":
		return v1.Platform{OS: "linux", Architecture: "arm64"}, nil
	default:
		return v1.Platform{}, fmt.Errorf("unsupported architecture %q: use \"x86_64\" or \"arm64\"", architecture)
	}
}

// matchBasePlatform reports an error unless the platform a base image's config declares is want.
// The variant is compared only when both sides name one, since base images often leave it out
// (arm64 images rarely say "v8").
func matchBasePlatform(cfg *v1.ConfigFile, want v1.Platform) error {
	if want.OS == "" || want.Architecture == "" {
		return fmt.Errorf("no target platform given (got %q): set it, e.g. with PlatformFor(\"x86_64\")", want.String())
	}
	got := v1.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant}
	same := got.OS == want.OS && got.Architecture == want.Architecture &&
		(got.Variant == "" || want.Variant == "" || got.Variant == want.Variant)
	if !same {
		return fmt.Errorf("the base image is %s, not %s: use a base image (or pick the manifest of a multi-platform one) for %s",
			platformName(got), want.String(), want.String())
	}
	return nil
}

// platformName renders p like v1.Platform.String, saying so when the config names no platform.
func platformName(p v1.Platform) string {
	if p.OS == "" && p.Architecture == "" {
		return "of unknown platform (its config sets no os/architecture)"
	}
	return p.String()
}
