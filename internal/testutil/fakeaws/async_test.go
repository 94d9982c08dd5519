package fakeaws_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakeaws"
)

// TestQueuedInvocationsAndLayers: Event invocations are answered 202 with a request ID and run in
// the background with the sandbox's environment and the runtime's packages; DryRun runs nothing;
// ListLayers gives each layer's latest version.
func TestQueuedInvocationsAndLayers(t *testing.T) {
	cloud := fakeaws.Start(t)
	cloud.Settle = 0
	lc, _ := clients(t, cloud)
	ctx := context.Background()
	pkgs := t.TempDir()
	if err := os.MkdirAll(filepath.Join(pkgs, "python"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pkgs, "python", "runtimesdk.py"), []byte("NAME = 'sdk'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cloud.RuntimePackages = pkgs
	cloud.FunctionEnv = map[string]string{"AWS_ENDPOINT_URL_S3": "http://127.0.0.1:1"}
	code := zipWith(t, map[string]string{"app.py": "import os, runtimesdk\n" +
		"def handler(event, context):\n    return {'sdk': runtimesdk.NAME, 's3': os.environ['AWS_ENDPOINT_URL_S3'], 'key': os.environ['AWS_ACCESS_KEY_ID'], 'event': event}\n"}, 0)
	if _, err := lc.PublishLayerVersion(ctx, &lambda.PublishLayerVersionInput{LayerName: aws.String("lay"), Content: &types.LayerVersionContentInput{ZipFile: zipWith(t, map[string]string{"python/x.py": ""}, 0)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.PublishLayerVersion(ctx, &lambda.PublishLayerVersionInput{LayerName: aws.String("lay"), Content: &types.LayerVersionContentInput{ZipFile: zipWith(t, map[string]string{"python/y.py": ""}, 0)}}); err != nil {
		t.Fatal(err)
	}
	layers, err := lc.ListLayers(ctx, &lambda.ListLayersInput{})
	if err != nil || len(layers.Layers) != 1 || aws.ToString(layers.Layers[0].LayerName) != "lay" || layers.Layers[0].LatestMatchingVersion.Version != 2 {
		t.Fatalf("ListLayers: %+v %v", layers, err)
	}
	if _, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("f"), Runtime: types.RuntimePython312,
		Role: aws.String(fakeaws.DefaultRole), Handler: aws.String("app.handler"), Code: &types.FunctionCode{ZipFile: code}}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	dry, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("f"), InvocationType: types.InvocationTypeDryRun})
	if err != nil || dry.StatusCode != 204 {
		t.Fatalf("DryRun: %+v %v", dry, err)
	}
	ev, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("f"), InvocationType: types.InvocationTypeEvent, Payload: []byte(`{"n":1}`)})
	if err != nil || ev.StatusCode != 202 || len(ev.Payload) != 0 {
		t.Fatalf("Event: %+v %v", ev, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(cloud.AsyncInvocations()) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	runs := cloud.AsyncInvocations()
	if len(runs) != 1 || runs[0].FunctionError != "" || runs[0].Err != "" {
		t.Fatalf("queued invocations: %+v", runs)
	}
	var got map[string]any
	if err := json.Unmarshal(runs[0].Payload, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"sdk": "sdk", "s3": "http://127.0.0.1:1", "key": fakeaws.AccessKeyID, "event": map[string]any{"n": float64(1)}}
	for k, v := range want {
		if b, _ := json.Marshal(got[k]); string(b) != mustJSON(v) {
			t.Errorf("%s = %s, want %s", k, b, mustJSON(v))
		}
	}
	if runs[0].Function != "f" {
		t.Errorf("function %q", runs[0].Function)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
