package registry

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/go-containerregistry/pkg/authn"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
)

func TestPushSkipsBlobsTheRegistryHas(t *testing.T) {
	reg := newTestRegistry(t, nil)
	base := randomImage(t, 2048, 4)
	extra1, err := random.Layer(3000, "application/vnd.oci.image.layer.v1.tar+gzip")
	if err != nil {
		t.Fatal(err)
	}
	extra2, err := random.Layer(1000, "application/vnd.oci.image.layer.v1.tar+gzip")
	if err != nil {
		t.Fatal(err)
	}
	derived, err := mutate.AppendLayers(base, extra1, extra2)
	if err != nil {
		t.Fatal(err)
	}
	baseLayers, baseConfig := blobSizes(t, base)
	derivedLayers, derivedConfig := blobSizes(t, derived)
	repo := reg.host + "/lithops/runtime"

	// The steps run in order against the same registry.
	steps := []struct {
		name        string
		img         v1.Image
		ref         string
		want        Result
		wantUploads int // blob upload requests the registry served in this step
	}{
		{
			name: "first push uploads every blob",
			img:  base, ref: repo + ":v1",
			want: Result{BlobsUploaded: 5, BlobsSkipped: 0, BytesUploaded: baseLayers + baseConfig},
			// POST, PATCH, PUT per blob.
			wantUploads: 5 * 3,
		},
		{
			name: "same image again uploads nothing",
			img:  base, ref: repo + ":v1",
			want: Result{BlobsUploaded: 0, BlobsSkipped: 5},
		},
		{
			name: "same image under another tag uploads nothing",
			img:  base, ref: repo + ":v1-again",
			want: Result{BlobsUploaded: 0, BlobsSkipped: 5},
		},
		{
			name: "image on the same base uploads only its new layers and config",
			img:  derived, ref: repo + ":v2",
			want:        Result{BlobsUploaded: 3, BlobsSkipped: 4, BytesUploaded: derivedLayers - baseLayers + derivedConfig},
			wantUploads: 3 * 3,
		},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			before := reg.blobUploads()
			got, err := Push(context.Background(), s.img, s.ref, WithAuth(authn.Anonymous), WithInsecure(true))
			if err != nil {
				t.Fatalf("Push: %v", err)
			}
			d, err := s.img.Digest()
			if err != nil {
				t.Fatal(err)
			}
			want := s.want
			want.Digest = d
			want.Ref = repo + "@" + d.String()
			if diff := cmp.Diff(want, *got); diff != "" {
				t.Errorf("Push result (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(s.wantUploads, reg.blobUploads()-before); diff != "" {
				t.Errorf("blob upload requests the registry served (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(d, remoteDigest(t, got.Ref)); diff != "" {
				t.Errorf("digest read back by the pinned ref (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(d, remoteDigest(t, s.ref)); diff != "" {
				t.Errorf("digest read back by the tag (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPushJobs(t *testing.T) {
	tests := []struct {
		name string
		jobs int
	}{
		{"one at a time", 1},
		{"default", 0},
		{"many", 16},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := newTestRegistry(t, nil)
			img := randomImage(t, 1024, 6)
			opts := []Option{WithAuth(authn.Anonymous), WithInsecure(true)}
			if tt.jobs != 0 {
				opts = append(opts, WithJobs(tt.jobs))
			}
			got, err := Push(context.Background(), img, reg.host+"/r:t", opts...)
			if err != nil {
				t.Fatalf("Push: %v", err)
			}
			if diff := cmp.Diff(Result{BlobsUploaded: 7}, *got, cmpopts.IgnoreFields(Result{}, "Ref", "Digest", "BytesUploaded")); diff != "" {
				t.Errorf("Push result (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(got.Digest, remoteDigest(t, got.Ref)); diff != "" {
				t.Errorf("digest read back (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPushBadReference(t *testing.T) {
	img := randomImage(t, 16, 1)
	tests := []struct {
		name, ref string
		opts      []Option
		wantErr   string
	}{
		{"not a reference", "UPPER/Case:tag", nil, "parsing image reference"},
		{"plain HTTP to a remote registry", "registry.example.com/r:t", []Option{WithInsecure(true)}, "plain HTTP is only allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Push(context.Background(), img, tt.ref, tt.opts...)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Push(%q) error = %v, want one containing %q", tt.ref, err, tt.wantErr)
			}
		})
	}
}

func TestIsLoopback(t *testing.T) {
	tests := map[string]bool{
		"localhost:5000":    true,
		"localhost":         true,
		"127.0.0.1:43211":   true,
		"[::1]:5000":        true,
		"10.0.0.1:5000":     false,
		"registry.example":  false,
		"123.dkr.ecr.x.com": false,
	}
	for host, want := range tests {
		t.Run(host, func(t *testing.T) {
			if diff := cmp.Diff(want, isLoopback(host)); diff != "" {
				t.Errorf("isLoopback(%q) (-want +got):\n%s", host, diff)
			}
		})
	}
}
