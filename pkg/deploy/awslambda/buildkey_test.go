package awslambda_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/google/go-cmp/cmp"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakeaws"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy"
)

// TestLiveImage: the image every function runs, with the build key its tags record while they
// name that image; nothing for missing functions, zip functions, or functions that disagree.
func TestLiveImage(t *testing.T) {
	cloud := fakeaws.Start(t)
	b := newBackend(t, cloud)
	ctx := context.Background()
	live := func(mem ...int) *build.LiveImage {
		t.Helper()
		li, err := b.LiveImage(ctx, imageRequest(nil, mem...))
		if err != nil {
			t.Fatal(err)
		}
		return li
	}
	if li := live(512, 1024); li != nil {
		t.Errorf("no functions: LiveImage = %+v, want nil", li)
	}
	deployArt := func(art *build.Artifact, mem ...int) *deploy.Deployment {
		t.Helper()
		plan, err := b.Plan(ctx, imageRequest(art, mem...))
		if err != nil {
			t.Fatal(err)
		}
		d, err := b.Apply(ctx, plan)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	art := lambdaImage(t, "amd64")
	art.BuildKey, art.ContentDigest = "k1", "sha256:c1"
	deployArt(art, 512, 1024)
	want := &build.LiveImage{Digest: art.ImageDigest, BuildKey: "k1", ContentDigest: "sha256:c1"}
	if diff := cmp.Diff(want, live(512, 1024)); diff != "" {
		t.Errorf("LiveImage (-want +got):\n%s", diff)
	}
	if li := live(512, 1024, 2048); li != nil {
		t.Errorf("a function missing: LiveImage = %+v, want nil", li)
	}

	// The same key reused: the plan skips everything without the image.
	reused := &build.Artifact{PackageType: build.Image, ImageDigest: art.ImageDigest, BuildKey: "k1", ContentDigest: "sha256:c1", Reused: true}
	cloud.ResetCalls()
	plan, err := b.Plan(ctx, imageRequest(reused, 512, 1024))
	if err != nil {
		t.Fatal(err)
	}
	if plan.Changes() {
		t.Errorf("reused image: plan changes something:\n%s", plan.Summary())
	}

	// Another image deployed to one function by other means: its tags no longer name what it
	// runs, and the functions disagree.
	other := lambdaImage(t, "amd64")
	other.BuildKey, other.ContentDigest = "k2", "sha256:c2"
	deployArt(other, 1024)
	if li := live(512, 1024); li != nil {
		t.Errorf("functions running different images: LiveImage = %+v, want nil", li)
	}
	d := deployArt(other, 512)
	repo := strings.TrimSuffix(d.ImageURI, other.ImageDigest)
	if _, err := lambdaClient(t, cloud).UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{
		FunctionName: aws.String(d.Functions[0].Name), ImageUri: aws.String(repo + art.ImageDigest),
	}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&build.LiveImage{Digest: art.ImageDigest}, live(512)); diff != "" {
		t.Errorf("image changed by other means: LiveImage (-want +got):\n%s", diff)
	}
}
