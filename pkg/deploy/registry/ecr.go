package registry

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-containerregistry/pkg/authn"
)

// ECRAPI is the part of the ECR client used.
type ECRAPI interface {
	DescribeRepositories(ctx context.Context, in *ecr.DescribeRepositoriesInput, opts ...func(*ecr.Options)) (*ecr.DescribeRepositoriesOutput, error)
	CreateRepository(ctx context.Context, in *ecr.CreateRepositoryInput, opts ...func(*ecr.Options)) (*ecr.CreateRepositoryOutput, error)
	GetAuthorizationToken(ctx context.Context, in *ecr.GetAuthorizationTokenInput, opts ...func(*ecr.Options)) (*ecr.GetAuthorizationTokenOutput, error)
}

// ECRLogin gets a registry token from ECR. It returns the registry host (the token's proxy
// endpoint without its scheme), an authenticator for it (user "AWS" and the token's password),
// and the password, so that the caller can mask it in logs.
func ECRLogin(ctx context.Context, api ECRAPI) (host string, auth authn.Authenticator, secret string, err error) {
	out, err := api.GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		return "", nil, "", fmt.Errorf("getting an ECR authorization token: %w (the credentials need ecr:GetAuthorizationToken)", err)
	}
	if len(out.AuthorizationData) == 0 {
		return "", nil, "", errors.New("getting an ECR authorization token: the answer has no authorization data")
	}
	data := out.AuthorizationData[0]
	endpoint := aws.ToString(data.ProxyEndpoint)
	host = strings.TrimSuffix(endpoint, "/")
	if i := strings.Index(host, "://"); i >= 0 {
		host = host[i+len("://"):]
	}
	if host == "" {
		return "", nil, "", errors.New("getting an ECR authorization token: the answer has no proxy endpoint")
	}
	raw, err := base64.StdEncoding.DecodeString(aws.ToString(data.AuthorizationToken))
	if err != nil {
		return "", nil, "", fmt.Errorf("decoding the ECR authorization token for %q: %w", host, err)
	}
	user, password, ok := strings.Cut(string(raw), ":")
	if !ok || user == "" || password == "" {
		return "", nil, "", fmt.Errorf("decoding the ECR authorization token for %q: want \"AWS:<password>\"", host)
	}
	return host, &authn.Basic{Username: user, Password: password}, password, nil
}

// EnsureECRRepository returns the URI of the repository name, creating it (image scanning off,
// tags mutable, so that a runtime tag can be pushed again) when ECR says it does not exist;
// created tells which happened.
func EnsureECRRepository(ctx context.Context, api ECRAPI, name string) (uri string, created bool, err error) {
	uri, err = describeECRRepository(ctx, api, name)
	var notFound *ecrtypes.RepositoryNotFoundException
	switch {
	case err == nil:
		return uri, false, nil
	case !errors.As(err, &notFound):
		return "", false, err
	}
	out, err := api.CreateRepository(ctx, &ecr.CreateRepositoryInput{
		RepositoryName:             aws.String(name),
		ImageTagMutability:         ecrtypes.ImageTagMutabilityMutable,
		ImageScanningConfiguration: &ecrtypes.ImageScanningConfiguration{ScanOnPush: false},
	})
	var exists *ecrtypes.RepositoryAlreadyExistsException
	switch {
	case errors.As(err, &exists):
		// Created by someone else since we looked.
		uri, err = describeECRRepository(ctx, api, name)
		return uri, false, err
	case err != nil:
		return "", false, fmt.Errorf("creating ECR repository %q: %w (the credentials need ecr:CreateRepository, or create it beforehand)", name, err)
	case out.Repository == nil || aws.ToString(out.Repository.RepositoryUri) == "":
		return "", false, fmt.Errorf("creating ECR repository %q: the answer has no repository URI", name)
	}
	return aws.ToString(out.Repository.RepositoryUri), true, nil
}

// describeECRRepository returns the URI of repository name; the error wraps ECR's
// RepositoryNotFoundException when there is none.
func describeECRRepository(ctx context.Context, api ECRAPI, name string) (string, error) {
	out, err := api.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{name}})
	if err != nil {
		return "", fmt.Errorf("describing ECR repository %q: %w", name, err)
	}
	for _, r := range out.Repositories {
		if aws.ToString(r.RepositoryName) == name && aws.ToString(r.RepositoryUri) != "" {
			return aws.ToString(r.RepositoryUri), nil
		}
	}
	return "", fmt.Errorf("describing ECR repository %q: the answer does not list it", name)
}
