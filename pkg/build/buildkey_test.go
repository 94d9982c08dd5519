package build_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/image/dockerfile"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/pip"
)

// countingDockerfile is a DockerfileBuilder that returns one fixed image and counts its builds.
type countingDockerfile struct {
	img    v1.Image
	builds int
}

func (c *countingDockerfile) Build(context.Context, dockerfile.Spec) (v1.Image, string, error) {
	c.builds++
	return c.img, dockerfile.ToolBuildah, nil
}

func (c *countingDockerfile) ChooseTool(context.Context, string) (string, error) {
	return dockerfile.ToolBuildah, nil
}

// fixedLithops installs the same lithops files every time (fakeInstaller's RECORD order varies,
// and the zip's content is part of the build key).
type fixedLithops struct{ fakeInstaller }

func (fixedLithops) InstallLithops(_ context.Context, _, target string, _ pip.Platform, _ string) error {
	backend := filepath.Join(target, "lithops", "serverless", "backends", "aws_lambda")
	if err := os.MkdirAll(backend, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(target, "lithops", "__init__.py"), nil, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(backend, "entry_point.py"), []byte("# entry\n"), 0o644)
}

// TestDockerfileBuildKeySkips: the live image of the same build key is reused without a build; a
// build whose image (before the label) is the live one keeps the live image; otherwise the built
// image carries the key as a label.
func TestDockerfileBuildKeySkips(t *testing.T) {
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	content, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	ctxDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(ctxDir, "Dockerfile"), []byte("FROM scratch\nCOPY lithops_lambda.zip /\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	build1 := func(t *testing.T, live *build.LiveImage) (*build.Artifact, int) {
		t.Helper()
		df := &countingDockerfile{img: img}
		b := build.NewImageBuilder(fixedLithops{}, df, nil, build.WithBaseResolver(func(context.Context, string, v1.Platform) (string, error) {
			t.Fatal("FROM scratch resolves no base")
			return "", nil
		}))
		art, err := b.Build(context.Background(), build.ImageSpec{
			Dockerfile: filepath.Join(ctxDir, "Dockerfile"), ContextZip: "lithops_lambda.zip", Lithops: "3.7.0",
			EntryPoint: "lithops/serverless/backends/aws_lambda/entry_point.py", ImagePlatform: v1.Platform{OS: "linux", Architecture: "amd64"},
			WorkDir: t.TempDir(), Live: live,
		})
		if err != nil {
			t.Fatal(err)
		}
		return art, df.builds
	}
	fresh, builds := build1(t, nil)
	if builds != 1 || fresh.BuildKey == "" || fresh.Reused || fresh.ContentDigest != content.String() {
		t.Fatalf("first build: %d builds, artifact %+v", builds, fresh)
	}
	cf, err := fresh.Image.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.Config.Labels[build.BuildKeyLabel] != fresh.BuildKey || fresh.ImageDigest == content.String() {
		t.Errorf("built image: labels %v, digest %s (content %s); want the key as a label", cf.Config.Labels, fresh.ImageDigest, content)
	}

	type result struct {
		Builds               int
		Reused               bool
		Digest, Key, Content string
	}
	tests := []struct {
		name string
		live *build.LiveImage
		want result
	}{
		{"the live image has this key: not built", &build.LiveImage{Digest: "sha256:live", BuildKey: fresh.BuildKey, ContentDigest: "sha256:c"},
			result{0, true, "sha256:live", fresh.BuildKey, "sha256:c"}},
		{"another key, the same content: built, the live image kept", &build.LiveImage{Digest: "sha256:live", BuildKey: "old", ContentDigest: content.String()},
			result{1, true, "sha256:live", fresh.BuildKey, content.String()}},
		{"another key and content: built and labelled", &build.LiveImage{Digest: "sha256:live", BuildKey: "old", ContentDigest: "sha256:other"},
			result{1, false, fresh.ImageDigest, fresh.BuildKey, content.String()}},
		{"an untagged live image: built", &build.LiveImage{Digest: "sha256:live"},
			result{1, false, fresh.ImageDigest, fresh.BuildKey, content.String()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			art, builds := build1(t, tt.live)
			got := result{builds, art.Reused, art.ImageDigest, art.BuildKey, art.ContentDigest}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if art.Reused != (art.Image == nil) {
				t.Errorf("Reused %v with image %v", art.Reused, art.Image)
			}
		})
	}
}

func TestLiveImageFromTags(t *testing.T) {
	tests := []struct {
		name string
		tags map[string]string
		want build.LiveImage
	}{
		{"tags of the image it runs", map[string]string{build.BuildKeyLabel: "k", build.ContentDigestTag: "c", build.ImageDigestTag: "d"},
			build.LiveImage{Digest: "sha256:d", BuildKey: "k", ContentDigest: "sha256:c"}},
		{"tags of another image (changed by other means)", map[string]string{build.BuildKeyLabel: "k", build.ContentDigestTag: "c", build.ImageDigestTag: "e"},
			build.LiveImage{Digest: "sha256:d"}},
		{"a non-Dockerfile image", build.BuildKeyTags(&build.Artifact{PackageType: build.Image, ImageDigest: "sha256:d"}),
			build.LiveImage{Digest: "sha256:d"}},
		{"no tags", nil, build.LiveImage{Digest: "sha256:d"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, *build.LiveImageFromTags("sha256:d", tt.tags)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestDockerfileBuildWithoutKey: a base image whose digest cannot be resolved (e.g. credentials
// only the builder has) builds as before, without a key.
func TestDockerfileBuildWithoutKey(t *testing.T) {
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	ctxDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(ctxDir, "Dockerfile"), []byte("FROM private.example/base:1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	df := &countingDockerfile{img: img}
	b := build.NewImageBuilder(fixedLithops{}, df, nil, build.WithBaseResolver(func(context.Context, string, v1.Platform) (string, error) {
		return "", errors.New("UNAUTHORIZED: authentication required")
	}))
	art, err := b.Build(context.Background(), build.ImageSpec{
		Dockerfile: filepath.Join(ctxDir, "Dockerfile"), ContextZip: "lithops_lambda.zip", Lithops: "3.7.0",
		EntryPoint:    "lithops/serverless/backends/aws_lambda/entry_point.py",
		ImagePlatform: v1.Platform{OS: "linux", Architecture: "amd64"}, WorkDir: t.TempDir(),
		Live: &build.LiveImage{Digest: "sha256:live", BuildKey: ""},
	})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := img.Digest()
	if df.builds != 1 || art.BuildKey != "" || art.Reused || art.ImageDigest != want.String() {
		t.Errorf("%d builds, artifact key %q reused %v digest %s (built %s)", df.builds, art.BuildKey, art.Reused, art.ImageDigest, want)
	}
}
