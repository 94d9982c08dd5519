package image

import (
	"errors"
	"fmt"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
)

// referenceTypeAnnotation is the annotation BuildKit puts on the attestation manifests
// (provenance, SBOM) it adds to an index; their platform is unknown/unknown.
const referenceTypeAnnotation = "vnd.docker.reference.type"

// maxIndexDepth bounds how deep Normalize follows indexes nested in indexes
// (an OCI layout's index.json pointing to BuildKit's index is depth 2).
const maxIndexDepth = 4

// Normalize returns the single-platform image AWS Lambda accepts from an image or an index.
//
// An index (multi-platform, or with BuildKit attestation manifests: platform unknown/unknown or
// annotation "vnd.docker.reference.type": "attestation-manifest") is resolved to the manifest of
// want, following nested indexes. A platform mismatch is an error naming both platforms and what to
// do. An image is returned as it is once its config's platform has been checked with CheckPlatform.
func Normalize(x partial.Describable, want v1.Platform) (v1.Image, error) {
	return normalizeAt(x, want, 0)
}

func normalizeAt(x partial.Describable, want v1.Platform, depth int) (v1.Image, error) {
	switch t := x.(type) {
	case v1.Image:
		if err := CheckPlatform(t, want); err != nil {
			return nil, err
		}
		return t, nil
	case v1.ImageIndex:
		if depth >= maxIndexDepth {
			return nil, fmt.Errorf("resolving image index: indexes nested deeper than %d levels", maxIndexDepth)
		}
		return normalizeIndex(t, want, depth)
	case nil:
		return nil, errors.New("normalizing image: no image given")
	default:
		return nil, fmt.Errorf("normalizing image: %T is neither an image nor an image index", x)
	}
}

// normalizeIndex picks want's image out of idx.
func normalizeIndex(idx v1.ImageIndex, want v1.Platform, depth int) (v1.Image, error) {
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("reading image index manifest: %w", err)
	}
	var candidates []v1.Descriptor
	for _, d := range im.Manifests {
		if isAttestation(d) {
			continue
		}
		candidates = append(candidates, d)
	}
	if len(candidates) == 0 {
		return nil, errors.New("resolving image index: it holds no image (only attestations or nothing)")
	}

	// A descriptor whose platform matches is the answer.
	for _, d := range candidates {
		if d.Platform != nil && d.Platform.OS != "" && platformMatches(*d.Platform, want) {
			x, err := indexChild(idx, d)
			if err != nil {
				return nil, err
			}
			return normalizeAt(x, want, depth+1)
		}
	}
	// A single entry without a platform (an OCI layout's index.json, a single-platform build):
	// follow it and let the config (or the nested index) decide.
	if len(candidates) == 1 && (candidates[0].Platform == nil || candidates[0].Platform.OS == "") {
		x, err := indexChild(idx, candidates[0])
		if err != nil {
			return nil, err
		}
		return normalizeAt(x, want, depth+1)
	}
	// Several entries: those without a platform in the descriptor are asked for their config.
	var have []string
	for _, d := range candidates {
		if d.Platform != nil && d.Platform.OS != "" {
			have = append(have, d.Platform.String())
			continue
		}
		x, err := indexChild(idx, d)
		if err != nil {
			return nil, err
		}
		img, err := normalizeAt(x, want, depth+1)
		if err == nil {
			return img, nil
		}
		var pe *PlatformError
		if !errors.As(err, &pe) {
			return nil, err
		}
		have = append(have, pe.Have.String())
	}
	if len(have) == 1 {
		p, err := v1.ParsePlatform(have[0])
		if err == nil {
			return nil, &PlatformError{Have: *p, Want: want}
		}
	}
	return nil, fmt.Errorf("the image index has no %s image (it has %s): build with --platform %s, "+
		"or set the runtime's architecture to one of those", want.String(), strings.Join(have, ", "), want.String())
}

// child returns the image or index d points to inside idx.
func indexChild(idx v1.ImageIndex, d v1.Descriptor) (partial.Describable, error) {
	switch {
	case d.MediaType.IsIndex():
		x, err := idx.ImageIndex(d.Digest)
		if err != nil {
			return nil, fmt.Errorf("reading image index %s: %w", d.Digest, err)
		}
		return x, nil
	case d.MediaType.IsImage(), d.MediaType == "":
		x, err := idx.Image(d.Digest)
		if err != nil {
			return nil, fmt.Errorf("reading image %s: %w", d.Digest, err)
		}
		return x, nil
	default:
		return nil, fmt.Errorf("reading %s: unsupported media type %q in the image index", d.Digest, d.MediaType)
	}
}

// isAttestation reports whether d is a BuildKit attestation manifest rather than an image.
func isAttestation(d v1.Descriptor) bool {
	if d.Annotations[referenceTypeAnnotation] == "attestation-manifest" {
		return true
	}
	return d.Platform != nil && d.Platform.OS == "unknown" && d.Platform.Architecture == "unknown"
}

// platformMatches reports whether have is want: same OS and architecture, and the same variant when
// want names one (linux/arm64 matches linux/arm64/v8).
func platformMatches(have, want v1.Platform) bool {
	if have.OS != want.OS || have.Architecture != want.Architecture {
		return false
	}
	return want.Variant == "" || have.Variant == want.Variant
}

// PlatformError is the error of an image built for another platform than the runtime's.
type PlatformError struct {
	Have v1.Platform // the image's platform
	Want v1.Platform // the platform the runtime needs
}

// Error names both platforms and says how to fix it.
func (e *PlatformError) Error() string {
	return fmt.Sprintf("the image is %s, but the runtime needs %s: build with --platform %s "+
		"(and a base image that has %s), or set the runtime's architecture to match the image",
		e.Have.String(), e.Want.String(), e.Want.String(), e.Want.String())
}

// CheckPlatform checks an image's config OS and architecture, and its variant when want has one.
// A mismatch is a *PlatformError.
func CheckPlatform(img v1.Image, want v1.Platform) error {
	cf, err := img.ConfigFile()
	if err != nil {
		return fmt.Errorf("reading image config: %w", err)
	}
	have := v1.Platform{OS: cf.OS, Architecture: cf.Architecture, Variant: cf.Variant}
	if !platformMatches(have, want) {
		return &PlatformError{Have: have, Want: want}
	}
	return nil
}
