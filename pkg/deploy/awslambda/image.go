package awslambda

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/bytesize"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy/registry"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

// imagePlan is the image part of an image runtime's plan.
type imagePlan struct {
	// repo is the ECR repository name Lithops computes; "" when the registry input names one.
	repo string
	// uri is the repository (host/path): known at Plan when it exists or the registry input names
	// it, else after Apply created it.
	uri string
	tag string
	// create tells that the ECR repository does not exist yet.
	create bool
	// push tells that a function needs the image, so it must be in the registry.
	push bool
	// imageURI is uri@digest once pushed.
	imageURI string
	pushed   bool
	step     int // index of the image step in the plan
}

// planImage resolves where the image goes: the registry input, or the account's ECR repository
// named as Lithops names it (read only: nothing is created by Plan).
func (b *Backend) planImage(ctx context.Context, p *plan, pkg string) (deploy.Step, error) {
	art := p.req.Artifact
	ip := &imagePlan{}
	p.image = ip
	if b.opts.Registry != "" {
		repo, tag, err := splitRegistry(b.opts.Registry)
		if err != nil {
			return deploy.Step{}, err
		}
		ip.uri, ip.tag = repo, tag
		if ip.tag == "" {
			if _, ip.tag, err = lithops.AWSECRRepository(pkg, p.req.RuntimeName); err != nil {
				return deploy.Step{}, err
			}
		}
	} else {
		if b.ecr == nil {
			return deploy.Step{}, errors.New("image runtimes need an ECR client or the registry input")
		}
		var err error
		if ip.repo, ip.tag, err = lithops.AWSECRRepository(pkg, p.req.RuntimeName); err != nil {
			return deploy.Step{}, err
		}
		out, err := b.ecr.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{ip.repo}})
		var nf *ecrtypes.RepositoryNotFoundException
		switch {
		case errors.As(err, &nf):
			ip.create = true
		case err != nil:
			return deploy.Step{}, fmt.Errorf("reading ECR repository %s: %w", ip.repo, err)
		case len(out.Repositories) == 0:
			ip.create = true
		default:
			ip.uri = aws.ToString(out.Repositories[0].RepositoryUri)
		}
	}
	name := ip.uri + ":" + ip.tag
	if ip.uri == "" {
		name = ip.repo + ":" + ip.tag + " (new ECR repository)"
	}
	detail := fmt.Sprintf("%s, %s (layers the registry has are not uploaded again)", art.ImageDigest, bytesize.Format(art.ImageSize))
	if art.BuildKey != "" {
		detail += ", build key " + art.BuildKey
	}
	return deploy.Step{Action: deploy.Create, Resource: "image", Name: name, Detail: detail}, nil
}

// finishImagePlan marks the push unneeded when every function already runs the image.
func (b *Backend) finishImagePlan(p *plan, out *deploy.Plan) {
	ip := p.image
	for _, fp := range p.functions {
		if fp.action == deploy.Create || fp.codeChanged {
			ip.push = true
		}
	}
	if !ip.push {
		for i := range out.Steps {
			if out.Steps[i].Resource == "image" {
				out.Steps[i].Action = deploy.Skip
				out.Steps[i].Detail = "every function already runs " + p.req.Artifact.ImageDigest
				if key := p.req.Artifact.BuildKey; key != "" {
					out.Steps[i].Detail += " (build key " + key + ")"
				}
			}
		}
	}
}

// pushImage creates the ECR repository when missing and pushes the image, pinned by digest.
func (b *Backend) pushImage(ctx context.Context, p *plan) error {
	ip := p.image
	if !ip.push {
		return nil
	}
	if p.req.Artifact.Image == nil {
		return fmt.Errorf("the image %s was not built (the functions ran it when this run read them): a function changed meanwhile; run again", p.req.Artifact.ImageDigest)
	}
	opts := []registry.Option{registry.WithLogger(b.log)}
	if ip.repo != "" {
		if ip.uri == "" {
			uri, created, err := registry.EnsureECRRepository(ctx, b.ecr, ip.repo)
			if err != nil {
				return err
			}
			if created {
				b.log.Info("created ECR repository", "repository", uri)
			}
			ip.uri = uri
		}
		_, auth, secret, err := registry.ECRLogin(ctx, b.ecr)
		if err != nil {
			return err
		}
		if b.opts.Mask != nil {
			b.opts.Mask(secret)
		}
		opts = append(opts, registry.WithAuth(auth))
	} else {
		opts = append(opts, registry.WithKeychain(authn.DefaultKeychain))
	}
	ref := ip.uri + ":" + ip.tag
	b.log.Info("pushing image", "ref", ref, "digest", p.req.Artifact.ImageDigest, "size", bytesize.Format(p.req.Artifact.ImageSize))
	res, err := registry.Push(ctx, p.req.Artifact.Image, ref, opts...)
	if err != nil {
		return fmt.Errorf("pushing the image to %s: %w", ref, err)
	}
	if got := res.Digest.String(); got != p.req.Artifact.ImageDigest {
		return fmt.Errorf("pushing the image to %s: the registry holds digest %s, not the built %s", ref, got, p.req.Artifact.ImageDigest)
	}
	ip.imageURI = res.Ref
	ip.pushed = res.BlobsUploaded > 0
	return nil
}

// ImageURI is the image deployed by a plan (repo@digest), "" for zip runtimes or before Apply.
func ImageURI(dp *deploy.Plan) string {
	if p, ok := dp.State.(*plan); ok && p.image != nil {
		if p.image.imageURI != "" {
			return p.image.imageURI
		}
		if p.image.uri != "" {
			return p.image.uri + "@" + p.req.Artifact.ImageDigest
		}
	}
	return ""
}

// splitRegistry splits the registry input ("host/path[:tag]") into repository and tag.
func splitRegistry(s string) (repo, tag string, err error) {
	if strings.Contains(s, "@") {
		return "", "", fmt.Errorf("registry %q: name a repository (host/path[:tag]), not a digest", s)
	}
	if t, err := name.NewTag(s, name.WithDefaultTag("")); err == nil && t.TagStr() != "" && strings.HasSuffix(s, ":"+t.TagStr()) {
		return t.Repository.Name(), t.TagStr(), nil
	}
	r, err := name.NewRepository(s)
	if err != nil {
		return "", "", fmt.Errorf("registry %q is not a repository reference (host/path[:tag]): %w", s, err)
	}
	return r.Name(), "", nil
}
