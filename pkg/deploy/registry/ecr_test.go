package registry

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakeecr"
)

var _ ECRAPI = (*ecr.Client)(nil)

// newECRClient is the real SDK client pointed at fake through the environment.
func newECRClient(t *testing.T, fake *fakeecr.ECR) *ecr.Client {
	t.Helper()
	fake.Setenv(t)
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRetryMaxAttempts(1))
	if err != nil {
		t.Fatalf("loading the AWS config: %v", err)
	}
	return ecr.NewFromConfig(cfg)
}

func TestEnsureECRRepository(t *testing.T) {
	fake := fakeecr.Start(t)
	api := newECRClient(t, fake)
	const name = "lithops/runtime-py312"
	wantURI := fake.Host() + "/" + name

	steps := []struct {
		name        string
		wantCreated bool
		wantCalls   []string
	}{
		{"missing: created", true, []string{"DescribeRepositories", "CreateRepository"}},
		{"existing: found", false, []string{"DescribeRepositories"}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			before := len(fake.Calls())
			uri, created, err := EnsureECRRepository(context.Background(), api, name)
			if err != nil {
				t.Fatalf("EnsureECRRepository: %v", err)
			}
			if diff := cmp.Diff(wantURI, uri); diff != "" {
				t.Errorf("uri (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(s.wantCreated, created); diff != "" {
				t.Errorf("created (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(s.wantCalls, fake.Calls()[before:]); diff != "" {
				t.Errorf("ECR calls (-want +got):\n%s", diff)
			}
		})
	}
	repo, ok := fake.Repository(name)
	if !ok {
		t.Fatalf("the fake has no repository %q; it has %v", name, fake.Repositories())
	}
	want := fakeecr.Repository{Name: name, URI: wantURI, TagMutability: "MUTABLE", ScanOnPush: false}
	if diff := cmp.Diff(want, repo, cmpopts.IgnoreFields(fakeecr.Repository{}, "CreatedAt")); diff != "" {
		t.Errorf("created repository (-want +got):\n%s", diff)
	}
}

func TestEnsureECRRepositoryErrors(t *testing.T) {
	fake := fakeecr.Start(t)
	api := newECRClient(t, fake)
	_, _, err := EnsureECRRepository(context.Background(), api, "Not_A_Valid_Name")
	var invalid *ecrtypes.InvalidParameterException
	if !errors.As(err, &invalid) || !strings.Contains(err.Error(), `creating ECR repository "Not_A_Valid_Name"`) {
		t.Errorf("EnsureECRRepository error = %v, want a wrapped InvalidParameterException", err)
	}
}

func TestECRLoginAndPush(t *testing.T) {
	fake := fakeecr.Start(t)
	api := newECRClient(t, fake)
	ctx := context.Background()
	uri, _, err := EnsureECRRepository(ctx, api, "lithops/runtime")
	if err != nil {
		t.Fatalf("EnsureECRRepository: %v", err)
	}
	host, auth, secret, err := ECRLogin(ctx, api)
	if err != nil {
		t.Fatalf("ECRLogin: %v", err)
	}
	if diff := cmp.Diff(fake.Host(), host); diff != "" {
		t.Errorf("host (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(fake.Password(), secret); diff != "" {
		t.Errorf("secret (-want +got):\n%s", diff)
	}
	img := randomImage(t, 1024, 2)
	want, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		ref     string
		opts    []Option
		wantErr string
	}{
		{"token from ECRLogin", uri + ":v1", []Option{WithAuth(auth)}, ""},
		{"token from the keychain", uri + ":v2", []Option{WithKeychain(staticKeychain{host: host, auth: auth})}, ""},
		{"wrong password", uri + ":v3", []Option{WithAuth(&authn.Basic{Username: "AWS", Password: "wrong"})}, "401 unauthorized"},
		{"no credentials", uri + ":v4", []Option{WithKeychain(staticKeychain{})}, "401 unauthorized"},
		{"repository not created", fake.Host() + "/lithops/other:v1", []Option{WithAuth(auth)}, "does the repository exist?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			puts := fake.ManifestPuts()
			res, err := Push(ctx, img, tt.ref, append(tt.opts, WithInsecure(true))...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(strings.ToLower(err.Error()), tt.wantErr) {
					t.Fatalf("Push error = %v, want one containing %q (any case)", err, tt.wantErr)
				}
				if diff := cmp.Diff(puts, fake.ManifestPuts()); diff != "" {
					t.Errorf("manifest PUTs after a failed push (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("Push: %v", err)
			}
			if diff := cmp.Diff(uri+"@"+want.String(), res.Ref); diff != "" {
				t.Errorf("Ref (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(puts+1, fake.ManifestPuts()); diff != "" {
				t.Errorf("manifest PUTs (-want +got):\n%s", diff)
			}
		})
	}
	if fake.BlobUploads() == 0 {
		t.Errorf("the fake registry recorded no blob uploads")
	}
}

// staticKeychain has credentials for one host (none: anonymous everywhere).
type staticKeychain struct {
	host string
	auth authn.Authenticator
}

func (k staticKeychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	if k.auth != nil && r.RegistryStr() == k.host {
		return k.auth, nil
	}
	return authn.Anonymous, nil
}

// stubECR answers GetAuthorizationToken with out.
type stubECR struct {
	ECRAPI
	out *ecr.GetAuthorizationTokenOutput
	err error
}

func (s stubECR) GetAuthorizationToken(context.Context, *ecr.GetAuthorizationTokenInput, ...func(*ecr.Options)) (*ecr.GetAuthorizationTokenOutput, error) {
	return s.out, s.err
}

func TestECRLoginTokens(t *testing.T) {
	token := func(endpoint, tok string) *ecr.GetAuthorizationTokenOutput {
		return &ecr.GetAuthorizationTokenOutput{AuthorizationData: []ecrtypes.AuthorizationData{{
			ProxyEndpoint: aws.String(endpoint), AuthorizationToken: aws.String(tok),
		}}}
	}
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name       string
		api        stubECR
		wantHost   string
		wantSecret string
		wantErr    string
	}{
		{"https endpoint", stubECR{out: token("https://123456789012.dkr.ecr.eu-west-1.amazonaws.com", b64("AWS:s3cret:with:colons"))},
			"123456789012.dkr.ecr.eu-west-1.amazonaws.com", "s3cret:with:colons", ""},
		{"no authorization data", stubECR{out: &ecr.GetAuthorizationTokenOutput{}}, "", "", "no authorization data"},
		{"token not base64", stubECR{out: token("https://r.example", "%%%")}, "", "", "decoding the ECR authorization token"},
		{"token without password", stubECR{out: token("https://r.example", b64("AWS"))}, "", "", `want "AWS:<password>"`},
		{"API error", stubECR{err: errors.New("AccessDenied")}, "", "", "ecr:GetAuthorizationToken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host, auth, secret, err := ECRLogin(context.Background(), tt.api)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ECRLogin error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ECRLogin: %v", err)
			}
			cfg, err := auth.Authorization()
			if err != nil {
				t.Fatal(err)
			}
			got := []string{host, secret, cfg.Username, cfg.Password}
			if diff := cmp.Diff([]string{tt.wantHost, tt.wantSecret, "AWS", tt.wantSecret}, got); diff != "" {
				t.Errorf("host, secret, user, password (-want +got):\n%s", diff)
			}
		})
	}
}
