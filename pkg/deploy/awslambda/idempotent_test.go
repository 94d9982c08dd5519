package awslambda_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/google/go-cmp/cmp"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakeaws"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy"
)

const testLayer = "lithops_v370_mple_default-runtime-v312_layer"

// TestLostRepliesAreNotRepeated: when Lambda makes a change but its reply is lost (the connection
// drops), the SDK retries the call. Apply must see that the change is already made instead of
// publishing a second layer version, failing on "Function already exist", or reporting its own
// update as someone else's.
func TestLostRepliesAreNotRepeated(t *testing.T) {
	t.Setenv("AWS_NEW_RETRIES_2026", "true") // the SDK's short backoff for errors other than throttling
	handler := []byte("def lambda_handler(event, context):\n    return {}\n")
	tests := []struct {
		name string
		op   string
		// update deploys v1 first, then v2 with a new layer, new code or both.
		update, newLayer, newCode bool
		wantLayers                int
	}{
		{"layer published", "PublishLayerVersion", false, false, false, 1},
		{"function created", "CreateFunction", false, false, false, 1},
		{"new layer version published", "PublishLayerVersion", true, true, true, 2},
		{"code updated (conditionally)", "UpdateFunctionCode", true, false, true, 1},
		{"configuration updated (conditionally)", "UpdateFunctionConfiguration", true, true, false, 2},
		{"configuration updated after the code", "UpdateFunctionConfiguration", true, true, true, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cloud := fakeaws.Start(t)
			b := newBackend(t, cloud)
			ctx := context.Background()
			layer := zipOf(t, "python/", map[string][]byte{"dep/__init__.py": []byte("")})
			fn := zipOf(t, "", map[string][]byte{"entry_point.py": handler})
			if tt.update {
				deployArtifact(t, b, &build.Artifact{PackageType: build.Zip, Layer: layer, Function: fn})
				if tt.newLayer {
					layer = zipOf(t, "python/", map[string][]byte{"dep/__init__.py": []byte("v = 2\n")})
				}
				if tt.newCode {
					fn = zipOf(t, "", map[string][]byte{"entry_point.py": append(handler, "# v2\n"...)})
				}
			}
			cloud.Fault = fakeaws.Once(fakeaws.LostReply, tt.op)
			plan, err := b.Plan(ctx, request(&build.Artifact{PackageType: build.Zip, Layer: layer, Function: fn}, 256))
			if err != nil {
				t.Fatal(err)
			}
			d, err := b.Apply(ctx, plan)
			if err != nil {
				t.Fatalf("apply with the reply of %s lost: %v", tt.op, err)
			}
			if !dropped(cloud, tt.op) {
				t.Fatalf("no reply of %s was lost: the test tests nothing; calls %+v", tt.op, cloud.Calls())
			}
			if got := cloud.LayerVersions(testLayer); len(got) != tt.wantLayers {
				t.Errorf("layer versions %v, want %d", got, tt.wantLayers)
			}
			st, ok := cloud.Function(plan.Functions[0].Name)
			if !ok {
				t.Fatal("no function")
			}
			got := []string{st.Configuration.CodeSha256, st.Configuration.Layers[0].Arn}
			if diff := cmp.Diff([]string{fn.CodeSHA256, d.LayerID}, got); diff != "" {
				t.Errorf("function code and layer (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFunctionCreatedMeanwhileIsNotOverwritten: a function another deployment created between
// Plan and Apply, with other code, is left alone, and the error says why.
func TestFunctionCreatedMeanwhileIsNotOverwritten(t *testing.T) {
	cloud := fakeaws.Start(t)
	b := newBackend(t, cloud)
	ctx := context.Background()
	layer := zipOf(t, "python/", map[string][]byte{"dep/__init__.py": []byte("")})
	fn := zipOf(t, "", map[string][]byte{"entry_point.py": []byte("def lambda_handler(event, context):\n    return {}\n")})
	plan, err := b.Plan(ctx, request(&build.Artifact{PackageType: build.Zip, Layer: layer, Function: fn}, 256))
	if err != nil {
		t.Fatal(err)
	}
	name := plan.Functions[0].Name
	other := zipOf(t, "", map[string][]byte{"entry_point.py": []byte("def lambda_handler(event, context):\n    return {'other': 1}\n")})
	if _, err := lambdaClient(t, cloud).CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: "python3.12", Handler: aws.String("entry_point.lambda_handler"),
		Role: aws.String(fakeaws.DefaultRole), Code: &types.FunctionCode{ZipFile: mustRead(t, other.Path)},
	}); err != nil {
		t.Fatal(err)
	}
	_, err = b.Apply(ctx, plan)
	if err == nil || !strings.Contains(err.Error(), "created since this run read it") || !strings.Contains(err.Error(), "nothing of it was overwritten") {
		t.Fatalf("apply over a function created meanwhile: %v", err)
	}
	if st, _ := cloud.Function(name); st.Configuration.CodeSha256 != other.CodeSHA256 {
		t.Errorf("the other deployment's function was overwritten: %+v", st.Configuration)
	}
	if n := cloud.CountCalls("CreateFunction"); n != 2 {
		t.Errorf("%d CreateFunction calls, want 2 (the other deployment's, and one of Apply, not retried)", n)
	}
}

// TestInterruptedApplySaysWhereItStopped: an Apply whose context is canceled after the layer is
// published says what it changed and which functions it did not reach.
func TestInterruptedApplySaysWhereItStopped(t *testing.T) {
	cloud := fakeaws.Start(t)
	b := newBackend(t, cloud)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	layer := zipOf(t, "python/", map[string][]byte{"dep/__init__.py": []byte("")})
	fn := zipOf(t, "", map[string][]byte{"entry_point.py": []byte("def lambda_handler(event, context):\n    return {}\n")})
	plan, err := b.Plan(ctx, request(&build.Artifact{PackageType: build.Zip, Layer: layer, Function: fn}, 256, 512))
	if err != nil {
		t.Fatal(err)
	}
	created := false
	cloud.Fault = func(op, target string) *fakeaws.Error {
		switch {
		case op == "CreateFunction":
			created = true
		case op == "GetFunction" && created:
			cancel() // interrupted while the first function's creation is waited for
		}
		return nil
	}
	d, err := b.Apply(ctx, plan)
	if err == nil {
		t.Fatal("the interrupted Apply succeeded")
	}
	want := "where the deployment stopped: layer version " + d.LayerID + " was published; it stopped during function " + plan.Functions[0].Name +
		" being created (Lambda had accepted the change); not reached: function " + plan.Functions[1].Name
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q\nlacks %q", err, want)
	}
	if !d.Changed {
		t.Error("the deployment does not say it changed the cloud")
	}
}

// deployArtifact plans and applies art with one 256 MB function.
func deployArtifact(t *testing.T, b interface {
	Plan(context.Context, *deploy.Request) (*deploy.Plan, error)
	Apply(context.Context, *deploy.Plan) (*deploy.Deployment, error)
}, art *build.Artifact) {
	t.Helper()
	plan, err := b.Plan(context.Background(), request(art, 256))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Apply(context.Background(), plan); err != nil {
		t.Fatal(err)
	}
}

// dropped tells whether a reply of op was lost.
func dropped(c *fakeaws.Cloud, op string) bool {
	for _, call := range c.Calls() {
		if call.Op == op && call.Dropped && call.Status != 0 {
			return true
		}
	}
	return false
}
