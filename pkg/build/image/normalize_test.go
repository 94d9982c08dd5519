package image

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

var (
	amd64   = v1.Platform{OS: "linux", Architecture: "amd64"}
	arm64   = v1.Platform{OS: "linux", Architecture: "arm64"}
	arm64v8 = v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}
	unknown = v1.Platform{OS: "unknown", Architecture: "unknown"}
)

// platformImage returns a random one-layer image whose config says p.
func platformImage(t *testing.T, p v1.Platform) v1.Image {
	t.Helper()
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant = p.OS, p.Architecture, p.Variant
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// entry is one manifest of a test index.
type entry struct {
	x           partial.Describable // v1.Image or v1.ImageIndex
	platform    *v1.Platform        // descriptor platform; nil for none
	annotations map[string]string
}

// indexOf builds an OCI index of entries.
func indexOf(t *testing.T, entries ...entry) v1.ImageIndex {
	t.Helper()
	var adds []mutate.IndexAddendum
	for _, e := range entries {
		adds = append(adds, mutate.IndexAddendum{
			Add:        e.x.(mutate.Appendable),
			Descriptor: v1.Descriptor{Platform: e.platform, Annotations: e.annotations},
		})
	}
	return mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex), adds...)
}

func digestOf(t *testing.T, x partial.Describable) v1.Hash {
	t.Helper()
	h, err := x.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestNormalize(t *testing.T) {
	amdImg := platformImage(t, amd64)
	armImg := platformImage(t, arm64)
	armV8Img := platformImage(t, arm64v8)
	attestation := platformImage(t, unknown)
	multi := indexOf(t, entry{x: amdImg, platform: &amd64}, entry{x: armImg, platform: &arm64})

	tests := []struct {
		name    string
		x       partial.Describable
		want    v1.Platform
		wantImg v1.Image // nil when an error is expected
		wantErr string   // substring of the error
	}{
		{name: "image of the right platform", x: amdImg, want: amd64, wantImg: amdImg},
		{name: "multi-platform index, amd64", x: multi, want: amd64, wantImg: amdImg},
		{name: "multi-platform index, arm64", x: multi, want: arm64, wantImg: armImg},
		{
			name: "image and attestation manifest (platform unknown/unknown)",
			x:    indexOf(t, entry{x: amdImg, platform: &amd64}, entry{x: attestation, platform: &unknown}),
			want: amd64, wantImg: amdImg,
		},
		{
			name: "attestation found by annotation only, listed first",
			x: indexOf(t,
				entry{x: attestation, annotations: map[string]string{"vnd.docker.reference.type": "attestation-manifest"}},
				entry{x: amdImg, platform: &amd64}),
			want: amd64, wantImg: amdImg,
		},
		{
			name: "layout-style index: one entry without platform, nested multi-platform index",
			x:    indexOf(t, entry{x: multi}),
			want: arm64, wantImg: armImg,
		},
		{
			name: "descriptors without platforms are resolved by config",
			x:    indexOf(t, entry{x: armImg}, entry{x: amdImg}),
			want: amd64, wantImg: amdImg,
		},
		{name: "variant is ignored when want has none", x: armV8Img, want: arm64, wantImg: armV8Img},
		{
			name: "arm64 image, runtime needs amd64",
			x:    armImg, want: amd64,
			wantErr: "the image is linux/arm64, but the runtime needs linux/amd64: build with --platform linux/amd64",
		},
		{
			name: "arm64-only index, runtime needs amd64",
			x:    indexOf(t, entry{x: armImg, platform: &arm64}, entry{x: attestation, platform: &unknown}),
			want: amd64, wantErr: "the image is linux/arm64, but the runtime needs linux/amd64: build with --platform linux/amd64",
		},
		{
			name: "arm64-only index without descriptor platform",
			x:    indexOf(t, entry{x: armImg}),
			want: amd64, wantErr: "the image is linux/arm64, but the runtime needs linux/amd64",
		},
		{
			name: "index without the wanted platform lists what it has",
			x:    indexOf(t, entry{x: armImg, platform: &arm64}, entry{x: platformImage(t, v1.Platform{OS: "linux", Architecture: "s390x"}), platform: &v1.Platform{OS: "linux", Architecture: "s390x"}}),
			want: amd64, wantErr: "the image index has no linux/amd64 image (it has linux/arm64, linux/s390x)",
		},
		{name: "variant mismatch", x: armImg, want: arm64v8, wantErr: "the image is linux/arm64, but the runtime needs linux/arm64/v8"},
		{
			name: "only an attestation, marked by annotation only",
			x:    indexOf(t, entry{x: platformImage(t, amd64), annotations: map[string]string{"vnd.docker.reference.type": "attestation-manifest"}}),
			want: amd64, wantErr: "holds no image",
		},
		{
			name: "only an attestation",
			x:    indexOf(t, entry{x: attestation, platform: &unknown}),
			want: amd64, wantErr: "holds no image",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Normalize(tt.x, tt.want)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Normalize() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Normalize() error = %v", err)
			}
			if diff := cmp.Diff(digestOf(t, tt.wantImg), digestOf(t, got)); diff != "" {
				t.Errorf("Normalize() image digest (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckPlatformError(t *testing.T) {
	err := CheckPlatform(platformImage(t, arm64), amd64)
	var pe *PlatformError
	if !errors.As(err, &pe) {
		t.Fatalf("CheckPlatform() error = %v, want a *PlatformError", err)
	}
	if diff := cmp.Diff(PlatformError{Have: arm64, Want: amd64}, *pe); diff != "" {
		t.Errorf("PlatformError (-want +got):\n%s", diff)
	}
	if err := CheckPlatform(platformImage(t, amd64), amd64); err != nil {
		t.Errorf("CheckPlatform(amd64 image, amd64) = %v, want nil", err)
	}
}
