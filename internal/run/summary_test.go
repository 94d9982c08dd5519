package run

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/config"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/zipbundle"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/golden")

// summaryPipeline is a finished run of two functions, with fixed sizes, digests and timings.
func summaryPipeline(backend, packageType string) *pipeline {
	py, _ := lithops.ParsePython("3.12")
	cfg := &config.Config{
		Backend: backend, RuntimeName: "default-runtime-v312", PackageType: packageType, Memory: []int{256, 1024}, Timeout: 180,
		Python: py, Lithops: lithops.MustParseVersion("3.7.0"), Architecture: "x86_64", Region: "us-east-1", WriteMetadata: true, SmokeTest: true,
	}
	art := &build.Artifact{PackageType: packageType}
	if backend == lithops.AliyunFC {
		cfg.RuntimeName, cfg.AccountID, cfg.Timeout = "default-python-runtime-v312", "1234567890123456", 300
		art.Function = &zipbundle.Bundle{Size: 30 << 20, UnzippedSize: 99 << 20, SHA256: "5f2c0a6e9d1b4c3a8e7f6d5c4b3a29180716f5e4d3c2b1a09f8e7d6c5b4a3928"}
	} else if packageType == build.Zip {
		art.Layer = &zipbundle.Bundle{Size: 20 << 20, UnzippedSize: 80 << 20}
		art.Function = &zipbundle.Bundle{Size: 2 << 20, UnzippedSize: 9 << 20, SHA256: "5f2c0a6e9d1b4c3a8e7f6d5c4b3a29180716f5e4d3c2b1a09f8e7d6c5b4a3928"}
	} else {
		cfg.RuntimeName = "my-runtime:1"
		art.ImageDigest, art.ImageSize, art.ImageBuilder = "sha256:0b1c2d3e4f5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0", 310<<20, "daemonless"
	}
	plan := &deploy.Plan{Backend: backend, Region: "us-east-1", UserKey: "abcd", Bucket: "lithops-us-east-1-abcd"}
	for _, m := range cfg.Memory {
		name := lithops.AWSFunctionName("abcd", cfg.Lithops, cfg.RuntimeName, m, "")
		if backend == lithops.AliyunFC {
			name, _ = lithops.FCFunctionName(cfg.RuntimeName, m, cfg.Lithops)
			plan.UserKey, plan.Bucket = "", "lithops-cn-hangzhou-0a1b2c3d4e5f"
		}
		plan.Functions = append(plan.Functions, deploy.Function{Name: name, MemoryMB: m, RuntimeKey: lithops.RuntimeKey(backend, cfg.Lithops, "us-east-1", "", name)})
		plan.Steps = append(plan.Steps, deploy.Step{Action: deploy.Create, Resource: "function", Name: name})
	}
	d := &deploy.Deployment{Plan: plan, Functions: plan.Functions, Changed: true}
	if backend == lithops.AliyunFC {
		plan.Region = "cn-hangzhou"
	} else if packageType == build.Zip {
		// A new layer version is published: the plan does not know its ARN, the deployment does.
		d.LayerID = "arn:aws:lambda:us-east-1:123456789012:layer:lithops_v370_abcd_default-runtime-v312_layer:3"
		plan.Steps = append([]deploy.Step{{Action: deploy.Create, Resource: "layer", Name: "lithops_v370_abcd_default-runtime-v312_layer"}}, plan.Steps...)
	} else {
		d.ImageURI = "123456789012.dkr.ecr.us-east-1.amazonaws.com/lithops_v370_abcd/my-runtime@" + art.ImageDigest
	}
	p := &pipeline{cfg: cfg, artifact: art, plan: plan, deployment: d, changed: true, result: &Result{}}
	p.metadata = []*lithops.Metadata{{PythonVersion: "3.12", LithopsVersion: "3.7.0"}}
	p.written = []string{plan.Functions[0].MetadataKey()}
	for i, s := range []string{"build", "limits", "local-test", "deploy", "verify", "publish"} {
		p.result.Timings = append(p.result.Timings, StageTiming{Stage: s, Duration: time.Duration(i+1) * 1234 * time.Millisecond})
	}
	return p
}

// TestSummaryGolden renders the step summary of finished runs; -update rewrites the golden files.
func TestSummaryGolden(t *testing.T) {
	for _, tc := range []struct {
		name, backend, packageType string
		mod                        func(*pipeline)
	}{
		{"aws_zip", lithops.AWSLambda, build.Zip, nil},
		{"aws_image", lithops.AWSLambda, build.Image, nil},
		{"local_zip", lithops.Local, build.Zip, nil},
		{"aliyun_fc_zip", lithops.AliyunFC, build.Zip, nil},
		{"aliyun_fc_image", lithops.AliyunFC, build.Image, func(p *pipeline) {
			p.cfg.RuntimeName, p.cfg.DeployMode = "default-container-runtime-v312", "custom-container"
			p.cfg.Registry = "registry.cn-hangzhou.aliyuncs.com/my-namespace/lithops"
		}},
		{"aliyun_fc2_zip", lithops.AliyunFC, build.Zip, func(p *pipeline) {
			p.cfg.Lithops, p.cfg.Python, p.cfg.RuntimeName, p.cfg.FCService = lithops.MustParseVersion("3.6.4"), lithops.Python{Major: 3, Minor: 10}, "default-runtime-v310", "lithops_ltai"
			p.cfg.StorageRegion = "cn-beijing"
		}},
		{"aws_dockerfile_unchanged", lithops.AWSLambda, build.Image, func(p *pipeline) {
			// A Dockerfile runtime whose functions already run the image of its build key.
			p.artifact.Reused, p.artifact.ImageSize, p.artifact.ImageBuilder = true, 0, "buildah"
			p.artifact.BuildKey = "3d529b797a83f83232914fbcd84057804dc4e8bf50a6ec5896ec2bc65702af95"
			p.changed, p.deployment.Changed, p.written = false, false, nil
			for i := range p.plan.Steps {
				p.plan.Steps[i].Action, p.plan.Steps[i].Detail = deploy.Skip, "same code and configuration, build key "+p.artifact.BuildKey
			}
			p.result.Timings[0].Skipped = "every function already runs image " + p.artifact.ImageDigest + " of build key " + p.artifact.BuildKey + ": nothing to build or push"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := summaryPipeline(tc.backend, tc.packageType)
			if tc.mod != nil {
				tc.mod(p)
			}
			got := renderSummary(p)
			path := filepath.Join("testdata", "golden", "summary_"+tc.name+".md")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/run -run TestSummaryGolden -update)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("summary (-want +got); if intended, go test ./internal/run -run TestSummaryGolden -update:\n%s", diff)
			}
		})
	}
}
