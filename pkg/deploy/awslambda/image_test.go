package awslambda_test

import (
	"context"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakeaws"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy"
)

// lambdaImage is a random single-platform image of Docker media types for arch.
func lambdaImage(t *testing.T, arch string) *build.Artifact {
	t.Helper()
	img, err := random.Image(1024, 2)
	if err != nil {
		t.Fatal(err)
	}
	img = mutate.MediaType(img, types.DockerManifestSchema2)
	cf, _ := img.ConfigFile()
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", arch
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	return &build.Artifact{PackageType: build.Image, Image: img, ImageDigest: d.String(), ImageSize: 2048}
}

func imageRequest(art *build.Artifact, mem ...int) *deploy.Request {
	r := request(art, mem...)
	r.RuntimeName = "my-runtime:1"
	return r
}

// TestImageRuntimeDeploy pushes to the ECR repository Lithops names, creates image functions
// pinned by digest, skips everything when unchanged, updates and restores the image.
func TestImageRuntimeDeploy(t *testing.T) {
	cloud := fakeaws.Start(t)
	b := newBackend(t, cloud)
	ctx := context.Background()
	art := lambdaImage(t, "amd64")

	plan, err := b.Plan(ctx, imageRequest(art, 512, 1024))
	if err != nil {
		t.Fatal(err)
	}
	if len(cloud.ECR.Repositories()) != 0 || len(cloud.MutatingCalls()) != 0 {
		t.Fatalf("Plan changed something: repositories %v, calls %+v", cloud.ECR.Repositories(), cloud.MutatingCalls())
	}
	d, err := b.Apply(ctx, plan)
	if err != nil {
		t.Fatal(err)
	}
	repo := "lithops_v370_mple/my-runtime"
	if got := cloud.ECR.Repositories(); len(got) != 1 || got[0] != repo {
		t.Errorf("ECR repositories %v, want [%s]", got, repo)
	}
	wantURI := cloud.ECR.Host() + "/" + repo + "@" + art.ImageDigest
	if d.ImageURI != wantURI || !d.Changed {
		t.Errorf("deployment image %q changed %v, want %q", d.ImageURI, d.Changed, wantURI)
	}
	for _, f := range plan.Functions {
		st, ok := cloud.Function(f.Name)
		if !ok {
			t.Fatalf("function %s missing", f.Name)
		}
		c := st.Configuration
		if c.PackageType != "Image" || c.Runtime != "" || c.Handler != "" || len(c.Layers) != 0 || "sha256:"+c.CodeSha256 != art.ImageDigest {
			t.Errorf("function %s: %+v", f.Name, c)
		}
		if st.Tags["runtime_name"] != "my-runtime:1" || st.Tags["lithops_version"] != "3.7.0" {
			t.Errorf("function %s tags %v", f.Name, st.Tags)
		}
	}

	// Unchanged: no push, no mutating call.
	uploads := cloud.ECR.BlobUploads()
	cloud.ResetCalls()
	plan, err = b.Plan(ctx, imageRequest(art, 512, 1024))
	if err != nil {
		t.Fatal(err)
	}
	if plan.Changes() {
		t.Errorf("unchanged image planned changes:\n%s", plan.Summary())
	}
	if d, err = b.Apply(ctx, plan); err != nil || d.Changed {
		t.Fatalf("unchanged apply: changed %v, %v", d.Changed, err)
	}
	if cloud.ECR.BlobUploads() != uploads || len(cloud.MutatingCalls()) != 0 {
		t.Errorf("unchanged apply: blob uploads %d -> %d, mutating calls %+v", uploads, cloud.ECR.BlobUploads(), cloud.MutatingCalls())
	}

	// A new image: both functions updated to it; Restore puts the previous one back.
	before, _ := cloud.Function(plan.Functions[0].Name)
	art2 := lambdaImage(t, "amd64")
	plan, err = b.Plan(ctx, imageRequest(art2, 512, 1024))
	if err != nil {
		t.Fatal(err)
	}
	if d, err = b.Apply(ctx, plan); err != nil {
		t.Fatal(err)
	}
	after, _ := cloud.Function(plan.Functions[0].Name)
	if "sha256:"+after.Configuration.CodeSha256 != art2.ImageDigest {
		t.Errorf("function not updated to the new image: %s", after.Configuration.CodeSha256)
	}
	if err := b.Restore(ctx, d); err != nil {
		t.Fatal(err)
	}
	restored, _ := cloud.Function(plan.Functions[0].Name)
	if restored.Configuration.CodeSha256 != before.Configuration.CodeSha256 {
		t.Errorf("restore: image %s, want %s", restored.Configuration.CodeSha256, before.Configuration.CodeSha256)
	}

	// A zip runtime cannot take an image function's place.
	layer := zipOf(t, "python/", map[string][]byte{"dep/__init__.py": nil})
	fn := zipOf(t, "", map[string][]byte{"entry_point.py": []byte("def lambda_handler(e, c):\n    return {}\n")})
	zreq := imageRequest(&build.Artifact{PackageType: build.Zip, Layer: layer, Function: fn}, 512)
	// Under the image's name, my-runtime:1, the layer name would hold a ':' (refused first).
	if _, err := b.Plan(ctx, zreq); err == nil || !strings.Contains(err.Error(), "layer name") {
		t.Errorf("zip runtime named my-runtime:1: %v", err)
	}
	// Under a name valid for both (an image tagged latest), the image function is in the way.
	ireq := imageRequest(art2, 512)
	ireq.RuntimeName = "my-runtime"
	if plan, err = b.Plan(ctx, ireq); err != nil {
		t.Fatal(err)
	}
	if _, err = b.Apply(ctx, plan); err != nil {
		t.Fatal(err)
	}
	zreq.RuntimeName = "my-runtime"
	if _, err := b.Plan(ctx, zreq); err == nil || !strings.Contains(err.Error(), "exists as a container image function") {
		t.Errorf("zip over image: %v", err)
	}
}

// TestLambdaRefusesForeignImages: Lambda (the fake, as AWS) takes single-platform manifests of the
// function's architecture only; an arm64 image for an x86_64 function fails at create.
func TestLambdaRefusesForeignImages(t *testing.T) {
	cloud := fakeaws.Start(t)
	b := newBackend(t, cloud)
	ctx := context.Background()
	plan, err := b.Plan(ctx, imageRequest(lambdaImage(t, "arm64"), 512))
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.Apply(ctx, plan)
	if err == nil || !strings.Contains(err.Error(), "the image is linux/arm64, the function's architecture is x86_64") {
		t.Errorf("arm64 image on x86_64: %v", err)
	}
}

var _ v1.Image = nil
