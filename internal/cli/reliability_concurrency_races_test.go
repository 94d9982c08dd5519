package cli

import (
	"context"
	"maps"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakeaws"
)

// The three races of two deployments of one runtime, each made to happen at the worst moment by
// the fake's hooks, which run "the other deployment" while this run's call waits.

// otherDeployment changes a function as another deployment would: configuration only (a layer
// of its own and a timeout), the code stays this run's.
func otherDeployment(t *testing.T, d *awsDeploy, fn string) {
	t.Helper()
	lc := d.lambdaClient(t)
	ctx := context.Background()
	layer, err := lc.PublishLayerVersion(ctx, &lambda.PublishLayerVersionInput{
		LayerName: aws.String(awsLayer), Content: &types.LayerVersionContentInput{ZipFile: otherZip(t)},
	})
	if err != nil {
		t.Errorf("the other deployment's layer: %v", err)
		return
	}
	if _, err := lc.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{
		FunctionName: aws.String(fn), Layers: []string{aws.ToString(layer.LayerVersionArn)}, Timeout: aws.Int32(77),
	}); err != nil {
		t.Errorf("the other deployment's update: %v", err)
	}
}

// TestMetadataNotWrittenOverAConcurrentLayerChange: another deployment with other requirements
// has the same function code; it changes only the function's layer after this run's smoke test.
// This run must not write metadata listing its own requirements for a function that runs the
// other layer.
func TestMetadataNotWrittenOverAConcurrentLayerChange(t *testing.T) {
	parallelOffline(t, goodWheels)
	d := newAWSDeploy(t, "--memory", "256")
	var once sync.Once
	d.cloud.Fault = func(op, target string) *fakeaws.Error {
		if op == "Invoke" {
			once.Do(func() { otherDeployment(t, d, target) })
		}
		return nil
	}
	s := d.run(t)
	if s.code != 1 || !strings.Contains(s.stderr.String(), "runs other code than this run deployed and smoke-tested (or other layers or configuration") {
		t.Fatalf("exit %d\n%s", s.code, s.stderr.String())
	}
	if md, ok := d.cloud.Object(awsBucket, awsMetadataKey(awsFunctions[0])); ok {
		t.Errorf("metadata was written for a layer the function no longer runs:\n%s", md)
	}
}

// TestRestoreDoesNotOverwriteANewerDeployment: this run's smoke test fails, and meanwhile another
// deployment updated the function. The restore must leave the other deployment's update (it is
// newer), and say so.
func TestRestoreDoesNotOverwriteANewerDeployment(t *testing.T) {
	parallelOffline(t, goodWheels)
	d := newAWSDeploy(t, "--memory", "256")
	if s := d.run(t); s.code != 0 {
		t.Fatalf("first deploy: exit %d\n%s", s.code, s.stderr.String())
	}
	useWheels(t, raisingWheels)
	var once sync.Once
	d.cloud.Fault = func(op, target string) *fakeaws.Error {
		if op == "Invoke" {
			once.Do(func() { otherDeployment(t, d, target) })
		}
		return nil
	}
	s := d.run(t)
	if s.code != 1 {
		t.Fatalf("failing runtime: exit %d\n%s", s.code, s.stderr.String())
	}
	wantLines(t, "the failing run", s.stderr.String(), "smoke test", "another deployment changed it after this run did", "left as that deployment made it")
	st, _ := d.cloud.Function(awsFunctions[0])
	if st.Configuration.Timeout != 77 {
		t.Errorf("the restore overwrote the other deployment's newer update: timeout %d, layers %+v", st.Configuration.Timeout, st.Configuration.Layers)
	}
}

// TestMetadataWriteDoesNotOverwriteANewerDeployment: between this run's check of the function and
// its metadata write, another deployment changes the function and writes its own metadata. This
// run must not overwrite that metadata, and must fail saying why.
func TestMetadataWriteDoesNotOverwriteANewerDeployment(t *testing.T) {
	parallelOffline(t, goodWheels)
	d := newAWSDeploy(t, "--memory", "256")
	key := awsMetadataKey(awsFunctions[0])
	const theirs = `{"other": "deployment"}`
	var once sync.Once
	d.cloud.S3Fault = func(op, target string) *fakeaws.Error {
		if op == "PUT" && strings.HasSuffix(target, key) {
			once.Do(func() {
				otherDeployment(t, d, awsFunctions[0])
				if err := d.cloud.PutObject(awsBucket, key, []byte(theirs)); err != nil {
					t.Error(err)
				}
			})
		}
		return nil
	}
	env, outFile, _ := actionsEnv(t, nil)
	maps.Copy(env, d.env)
	s := runMain(t, d.ws, env, d.args...)
	if s.code != 1 || !strings.Contains(s.stdout.String(), "another deployment changed it meanwhile") {
		t.Fatalf("exit %d\n%s", s.code, s.stdout.String())
	}
	if md, _ := d.cloud.Object(awsBucket, key); string(md) != theirs {
		t.Errorf("the other deployment's metadata was overwritten:\n%s", md)
	}
	if out := readFileString(t, outFile); out != "" {
		t.Errorf("outputs published although the metadata was not written: %s", out)
	}
}
