package fakeecr

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

func sdkClient(t *testing.T, e *ECR) *ecr.Client {
	t.Helper()
	e.Setenv(t)
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRetryMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	return ecr.NewFromConfig(cfg)
}

func TestControlPlaneThroughTheSDK(t *testing.T) {
	e := Start(t)
	c := sdkClient(t, e)
	ctx := context.Background()

	_, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"app"}})
	var notFound *ecrtypes.RepositoryNotFoundException
	if !errors.As(err, &notFound) {
		t.Errorf("DescribeRepositories of a missing repository: error = %v, want RepositoryNotFoundException", err)
	}

	created, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{
		RepositoryName: aws.String("app"), ImageTagMutability: ecrtypes.ImageTagMutabilityImmutable,
		ImageScanningConfiguration: &ecrtypes.ImageScanningConfiguration{ScanOnPush: true},
	})
	if err != nil {
		t.Fatalf("CreateRepository: %v", err)
	}
	if _, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("team/base")}); err != nil {
		t.Fatalf("CreateRepository: %v", err)
	}
	_, err = c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("app")})
	var exists *ecrtypes.RepositoryAlreadyExistsException
	if !errors.As(err, &exists) {
		t.Errorf("CreateRepository of an existing repository: error = %v, want RepositoryAlreadyExistsException", err)
	}

	all, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{})
	if err != nil {
		t.Fatalf("DescribeRepositories: %v", err)
	}
	type repo struct {
		Name, URI, Mutability string
		Scan                  bool
	}
	var got []repo
	for _, r := range all.Repositories {
		got = append(got, repo{aws.ToString(r.RepositoryName), aws.ToString(r.RepositoryUri), string(r.ImageTagMutability), r.ImageScanningConfiguration.ScanOnPush})
	}
	slices.SortFunc(got, func(a, b repo) int { return strings.Compare(a.Name, b.Name) })
	want := []repo{
		{"app", e.Host() + "/app", "IMMUTABLE", true},
		{"team/base", e.Host() + "/team/base", "MUTABLE", false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("repositories (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(e.Host()+"/app", aws.ToString(created.Repository.RepositoryUri)); diff != "" {
		t.Errorf("created URI (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"app", "team/base"}, e.Repositories()); diff != "" {
		t.Errorf("Repositories (-want +got):\n%s", diff)
	}

	tok, err := c.GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		t.Fatalf("GetAuthorizationToken: %v", err)
	}
	data := tok.AuthorizationData[0]
	raw, err := base64.StdEncoding.DecodeString(aws.ToString(data.AuthorizationToken))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"AWS:" + e.Password(), e.Registry.URL}, []string{string(raw), aws.ToString(data.ProxyEndpoint)}); diff != "" {
		t.Errorf("token, proxy endpoint (-want +got):\n%s", diff)
	}
	if left := time.Until(aws.ToTime(data.ExpiresAt)); left < TokenLifetime-time.Minute || left > TokenLifetime+time.Minute {
		t.Errorf("token expires in %v, want about %v", left, TokenLifetime)
	}

	wantCalls := []string{"DescribeRepositories", "CreateRepository", "CreateRepository", "CreateRepository", "DescribeRepositories", "GetAuthorizationToken"}
	if diff := cmp.Diff(wantCalls, e.Calls()); diff != "" {
		t.Errorf("Calls (-want +got):\n%s", diff)
	}
}

func TestControlPlaneWire(t *testing.T) {
	e := Start(t)
	tests := []struct {
		name       string
		target     string
		ctype      string
		auth       string
		body       string
		wantStatus int
		wantType   string
	}{
		{"missing named repository", targetPrefix + "DescribeRepositories", contentType, "AWS4-HMAC-SHA256 Credential=" + AccessKeyID + "/x",
			`{"repositoryNames":["nope"]}`, http.StatusBadRequest, "RepositoryNotFoundException"},
		{"unknown operation", targetPrefix + "DeleteRepository", contentType, "AWS4-HMAC-SHA256 Credential=" + AccessKeyID + "/x",
			`{}`, http.StatusBadRequest, "UnknownOperationException"},
		{"unsigned", targetPrefix + "DescribeRepositories", contentType, "",
			`{}`, http.StatusBadRequest, "UnrecognizedClientException"},
		{"wrong content type", targetPrefix + "DescribeRepositories", "application/json", "AWS4-HMAC-SHA256 Credential=" + AccessKeyID + "/x",
			`{}`, http.StatusBadRequest, "SerializationException"},
		{"invalid name", targetPrefix + "CreateRepository", contentType, "AWS4-HMAC-SHA256 Credential=" + AccessKeyID + "/x",
			`{"repositoryName":"UPPER"}`, http.StatusBadRequest, "InvalidParameterException"},
		{"list when empty", targetPrefix + "DescribeRepositories", contentType, "AWS4-HMAC-SHA256 Credential=" + AccessKeyID + "/x",
			`{}`, http.StatusOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, e.API.URL+"/", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("X-Amz-Target", tt.target)
			req.Header.Set("Content-Type", tt.ctype)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct {
				Type string `json:"__type"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			got := []any{resp.StatusCode, body.Type, resp.Header.Get("Content-Type")}
			if diff := cmp.Diff([]any{tt.wantStatus, tt.wantType, contentType}, got); diff != "" {
				t.Errorf("status, __type, content type (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRegistryAuthAndRecording(t *testing.T) {
	e := Start(t)
	c := sdkClient(t, e)
	if _, err := c.CreateRepository(context.Background(), &ecr.CreateRepositoryInput{RepositoryName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	get := func(user, pass string) (int, string) {
		req, err := http.NewRequest(http.MethodGet, e.Registry.URL+"/v2/", nil)
		if err != nil {
			t.Fatal(err)
		}
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("WWW-Authenticate")
	}
	img, err := random.Image(512, 3)
	if err != nil {
		t.Fatal(err)
	}
	push := func(repo, pass string) error {
		ref, err := name.ParseReference(e.Host() + "/" + repo + ":v1")
		if err != nil {
			t.Fatal(err)
		}
		return remote.Write(ref, img, remote.WithAuth(&authn.Basic{Username: User, Password: pass}))
	}

	tests := []struct {
		name          string
		do            func() any
		want          any
		uploads, puts int // recorded after the step
	}{
		{"no credentials", func() any { s, h := get("", ""); return []any{s, h} }, []any{401, `Basic realm="fake"`}, 0, 0},
		{"wrong password", func() any { s, _ := get(User, "nope"); return s }, 401, 0, 0},
		{"right password", func() any { s, _ := get(User, e.Password()); return s }, 200, 0, 0},
		{"push with the wrong password", func() any { return push("app", "nope") != nil }, true, 0, 0},
		{"push to a missing repository", func() any {
			err := push("missing", e.Password())
			return err != nil && strings.Contains(err.Error(), "NAME_UNKNOWN")
		}, true, 0, 0},
		// 4 blobs (3 layers, config): POST, PATCH, PUT each.
		{"push", func() any { return fmt.Sprint(push("app", e.Password())) }, "<nil>", 12, 1},
		{"push again: blobs and manifest exist", func() any { return fmt.Sprint(push("app", e.Password())) }, "<nil>", 12, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.do()); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]int{tt.uploads, tt.puts}, []int{e.BlobUploads(), e.ManifestPuts()}); diff != "" {
				t.Errorf("BlobUploads, ManifestPuts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEnv(t *testing.T) {
	e := Start(t)
	env := e.Env()
	for _, k := range []string{"AWS_ENDPOINT_URL_ECR", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"} {
		if env[k] == "" {
			t.Errorf("Env()[%q] is empty", k)
		}
	}
	if diff := cmp.Diff(e.API.URL, env["AWS_ENDPOINT_URL_ECR"]); diff != "" {
		t.Errorf("AWS_ENDPOINT_URL_ECR (-want +got):\n%s", diff)
	}
}
