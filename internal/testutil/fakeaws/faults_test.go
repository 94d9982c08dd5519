package fakeaws_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakeaws"
)

func TestRandomFaultsAreDeterministic(t *testing.T) {
	sequence := func(seed int64) []string {
		f := fakeaws.RandomFaults(0.2, seed)
		var out []string
		for range 2000 {
			e := f("op", "target")
			if e == nil {
				out = append(out, "")
			} else {
				out = append(out, e.Code)
			}
		}
		return out
	}
	a, b, other := sequence(7), sequence(7), sequence(8)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("the same seed gave other faults (-first +second):\n%s", diff)
	}
	if cmp.Equal(a, other) {
		t.Error("another seed gave the same faults")
	}
	kinds := map[string]int{}
	for _, k := range a {
		if k != "" {
			kinds[k]++
		}
	}
	total := 0
	for _, n := range kinds {
		total += n
	}
	if total < 300 || total > 500 {
		t.Errorf("%d faults in 2000 calls at rate 0.2", total)
	}
	want := []string{"ServiceException", "TooManyRequestsException", fakeaws.CodeConnectionReset, fakeaws.CodeLostReply, fakeaws.CodeSlow}
	for _, k := range want {
		if kinds[k] < 40 {
			t.Errorf("fault %s given %d times of %d: %v", k, kinds[k], total, kinds)
		}
	}
}

// sdk is one call of each service through the real SDK, without retries.
type sdk struct {
	lambda *lambda.Client
	sts    *sts.Client
	s3     *s3.Client
	ecr    *ecr.Client
}

func sdkClients(t *testing.T, c *fakeaws.Cloud) sdk {
	t.Helper()
	c.Setenv(t)
	t.Setenv("AWS_ENDPOINT_URL", "")
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRetryMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	return sdk{lambda.NewFromConfig(cfg), sts.NewFromConfig(cfg), s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }), ecr.NewFromConfig(cfg)}
}

// TestInjectedFaultsReachEveryService injects each kind of fault into one call of every service
// and checks what the SDK (or the registry client) sees, and whether the call took effect.
func TestInjectedFaultsReachEveryService(t *testing.T) {
	ctx := context.Background()
	type outcome struct {
		Code     string // the API error code, "transport" for a dropped connection, "" for success
		Effect   bool   // the call's change was made
		TookSlow bool
	}
	// Each call makes a change that effect sees (STS makes none).
	calls := []struct {
		service string
		call    func(s sdk) error
		effect  func(c *fakeaws.Cloud, s sdk) bool
		codes   map[string]string // the error code of a throttle and of a 500
	}{
		{"lambda", func(s sdk) error {
			_, err := s.lambda.PublishLayerVersion(ctx, &lambda.PublishLayerVersionInput{LayerName: aws.String("l"),
				Content: &types.LayerVersionContentInput{ZipFile: zipWith(t, map[string]string{"python/x.py": ""}, 0)}})
			return err
		}, func(c *fakeaws.Cloud, _ sdk) bool { return len(c.LayerVersions("l")) > 0 },
			map[string]string{"throttle": "TooManyRequestsException", "500": "ServiceException"}},
		{"s3", func(s sdk) error {
			_, err := s.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("fault-bucket")})
			return err
		}, func(_ *fakeaws.Cloud, s sdk) bool {
			_, err := s.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("fault-bucket")})
			return err == nil
		}, map[string]string{"throttle": "SlowDown", "500": "InternalError"}},
		{"sts", func(s sdk) error {
			_, err := s.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			return err
		}, func(*fakeaws.Cloud, sdk) bool { return false }, map[string]string{"throttle": "Throttling", "500": "InternalFailure"}},
		{"ecr", func(s sdk) error {
			_, err := s.ecr.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("repo")})
			return err
		}, func(c *fakeaws.Cloud, _ sdk) bool { return len(c.ECR.Repositories()) == 1 },
			map[string]string{"throttle": "ThrottlingException", "500": "ServerException"}},
	}
	faults := []struct {
		name  string
		fault func() *fakeaws.Error
		want  func(codes map[string]string) outcome
	}{
		{"throttle", fakeaws.Throttle, func(c map[string]string) outcome { return outcome{Code: c["throttle"]} }},
		{"500", fakeaws.ServiceError, func(c map[string]string) outcome { return outcome{Code: c["500"]} }},
		{"connection reset", fakeaws.ConnectionReset, func(map[string]string) outcome { return outcome{Code: "transport"} }},
		{"lost reply", fakeaws.LostReply, func(map[string]string) outcome { return outcome{Code: "transport", Effect: true} }},
		{"slow", fakeaws.Slow, func(map[string]string) outcome { return outcome{Effect: true, TookSlow: true} }},
	}
	for _, call := range calls {
		for _, f := range faults {
			t.Run(call.service+"/"+f.name, func(t *testing.T) {
				c := fakeaws.Start(t)
				s := sdkClients(t, c)
				c.InjectFaults(fakeaws.Once(f.fault, "PublishLayerVersion", "PUT", "GetCallerIdentity", "CreateRepository"))
				start := time.Now()
				err := call.call(s)
				got := outcome{TookSlow: time.Since(start) >= fakeaws.SlowDelay}
				var ae smithy.APIError
				switch {
				case errors.As(err, &ae):
					got.Code = ae.ErrorCode()
				case err != nil:
					got.Code = "transport"
				}
				got.Effect = call.effect(c, s)
				want := f.want(call.codes)
				if call.service == "sts" {
					want.Effect = false
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("(-want +got):\n%s\nerror: %v", diff, err)
				}
			})
		}
	}
}

// TestInjectedFaultsReachTheRegistry: the registry answers 429 and 500 in the distribution spec's
// format and drops connections, as the control plane does.
func TestInjectedFaultsReachTheRegistry(t *testing.T) {
	tests := []struct {
		name   string
		fault  func() *fakeaws.Error
		status int // 0: the connection is dropped
	}{
		{"throttle", fakeaws.Throttle, http.StatusTooManyRequests},
		{"500", fakeaws.ServiceError, http.StatusInternalServerError},
		{"connection reset", fakeaws.ConnectionReset, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fakeaws.Start(t)
			c.InjectFaults(fakeaws.Once(tt.fault, http.MethodGet))
			req, _ := http.NewRequest(http.MethodGet, c.ECR.Registry.URL+"/v2/", nil)
			req.SetBasicAuth("AWS", c.ECR.Password())
			resp, err := http.DefaultClient.Do(req)
			switch {
			case tt.status == 0 && err == nil:
				resp.Body.Close()
				t.Errorf("got %s, want a dropped connection", resp.Status)
			case tt.status != 0 && err != nil:
				t.Errorf("request failed: %v", err)
			case tt.status != 0:
				defer resp.Body.Close()
				if resp.StatusCode != tt.status {
					t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
				}
			}
			// The next request is served: a client that retries gets through.
			ref, _ := name.ParseReference(c.ECR.Host() + "/repo:tag")
			_, err = remote.Head(ref, remote.WithAuth(&authn.Basic{Username: "AWS", Password: c.ECR.Password()}))
			if err == nil || !strings.Contains(err.Error(), "404") && !strings.Contains(err.Error(), "NAME_UNKNOWN") {
				t.Errorf("after the fault, HEAD of a missing repository: %v (want the registry's answer)", err)
			}
			if c.ECR.Requests() < 2 {
				t.Errorf("%d registry requests counted", c.ECR.Requests())
			}
		})
	}
}
