package fakeecr

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// TestDescribeImages: the images of a repository by digest with their tags, as pushed (Lithops
// reads them to find a container runtime's image); an unknown repository is an error.
func TestDescribeImages(t *testing.T) {
	e := Start(t)
	c := sdkClient(t, e)
	ctx := context.Background()
	if _, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("lithops_v370_mple/my-runtime")}); err != nil {
		t.Fatal(err)
	}
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range []string{"1", "latest"} {
		ref, err := name.ParseReference(e.Host() + "/lithops_v370_mple/my-runtime:" + tag)
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Write(ref, img, remote.WithAuth(&authn.Basic{Username: User, Password: e.Password()})); err != nil {
			t.Fatal(err)
		}
	}
	digest, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("lithops_v370_mple/my-runtime")})
	if err != nil {
		t.Fatal(err)
	}
	type image struct {
		Digest string
		Tags   []string
	}
	var got []image
	for _, d := range out.ImageDetails {
		got = append(got, image{aws.ToString(d.ImageDigest), d.ImageTags})
	}
	if diff := cmp.Diff([]image{{digest.String(), []string{"1", "latest"}}}, got); diff != "" {
		t.Errorf("DescribeImages (-want +got):\n%s", diff)
	}
	if _, err := c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("nope")}); err == nil {
		t.Error("DescribeImages of an unknown repository succeeded")
	}
}
