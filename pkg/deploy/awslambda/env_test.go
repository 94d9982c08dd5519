package awslambda_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakeaws"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy/awslambda"
)

// TestSettingsFromTheProgramsEnvironment: the SDK's standard settings given in ClientOptions.Getenv
// (the program's environment) apply before the process environment's: here the process points
// every service at a closed port with no credentials, and the fake answers because Getenv's
// endpoints and keys are used.
func TestSettingsFromTheProgramsEnvironment(t *testing.T) {
	cloud := fakeaws.Start(t)
	env := cloud.Env(t.TempDir())
	for _, k := range []string{"AWS_ENDPOINT_URL_LAMBDA", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_ECR",
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	b, err := awslambda.NewFromEnvironment(context.Background(), awslambda.Options{
		Region: "us-east-1", Role: fakeaws.DefaultRole, WaitMinDelay: 20 * time.Millisecond, WaitMaxDelay: 100 * time.Millisecond,
	}, awslambda.ClientOptions{S3PathStyle: true, MaxAttempts: 1, Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	art := &build.Artifact{PackageType: build.Zip,
		Layer:    zipOf(t, "python", map[string][]byte{"m/__init__.py": []byte("")}),
		Function: zipOf(t, "", map[string][]byte{"entry_point.py": []byte("")})}
	if _, err := b.Plan(context.Background(), request(art, 256)); err != nil {
		t.Fatalf("plan with the program's settings: %v", err)
	}
	if len(cloud.Calls()) == 0 {
		t.Errorf("the fake saw no call")
	}
}
