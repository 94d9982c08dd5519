package registry

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// platformImage is a random image whose config says it is for p.
func platformImage(t *testing.T, p v1.Platform) v1.Image {
	t.Helper()
	img := randomImage(t, 512, 2)
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = p.OS, p.Architecture
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestPull(t *testing.T) {
	reg := newTestRegistry(t, nil)
	amd64 := v1.Platform{OS: "linux", Architecture: "amd64"}
	arm64 := v1.Platform{OS: "linux", Architecture: "arm64"}
	imgAMD, imgARM := platformImage(t, amd64), platformImage(t, arm64)
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: imgAMD, Descriptor: v1.Descriptor{Platform: &amd64}},
		mutate.IndexAddendum{Add: imgARM, Descriptor: v1.Descriptor{Platform: &arm64}},
	)
	opts := []Option{WithAuth(authn.Anonymous), WithInsecure(true)}
	multi, err := parseRef(reg.host+"/python:3.12", newOptions(opts))
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(multi, idx); err != nil {
		t.Fatalf("writing the index: %v", err)
	}
	if _, err := Push(context.Background(), imgARM, reg.host+"/arm-only:1", opts...); err != nil {
		t.Fatalf("Push: %v", err)
	}
	digest := func(img v1.Image) v1.Hash {
		d, err := img.Digest()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}

	tests := []struct {
		name     string
		ref      string
		platform v1.Platform
		want     v1.Hash
		wantErr  string
	}{
		{"index resolved to amd64", reg.host + "/python:3.12", amd64, digest(imgAMD), ""},
		{"index resolved to arm64", reg.host + "/python:3.12", arm64, digest(imgARM), ""},
		{"index without the platform", reg.host + "/python:3.12", v1.Platform{OS: "linux", Architecture: "s390x"}, v1.Hash{}, "s390x"},
		{"single image of the platform", reg.host + "/arm-only:1", arm64, digest(imgARM), ""},
		{"single image of another platform", reg.host + "/arm-only:1", amd64, v1.Hash{}, "the image is for linux/arm64, not linux/amd64"},
		{"missing tag", reg.host + "/python:2.7", amd64, v1.Hash{}, "MANIFEST_UNKNOWN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, err := Pull(context.Background(), tt.ref, tt.platform, opts...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Pull error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Pull: %v", err)
			}
			if diff := cmp.Diff(tt.want, digest(img)); diff != "" {
				t.Errorf("pulled image digest (-want +got):\n%s", diff)
			}
		})
	}
}
