package awslambda

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/google/go-cmp/cmp"
)

func TestConfigDiffs(t *testing.T) {
	live := &types.FunctionConfiguration{
		Runtime: types.RuntimePython312, Handler: aws.String("entry_point.lambda_handler"),
		MemorySize: aws.Int32(256), Timeout: aws.Int32(180), Role: aws.String("arn:role/a"),
		Architectures: []types.Architecture{types.ArchitectureX8664},
		Layers:        []types.Layer{{Arn: aws.String("arn:layer:1")}},
	}
	same := wanted{runtime: "python3.12", handler: "entry_point.lambda_handler", role: "arn:role/a", mem: 256, timeout: 180, eph: 512, arch: "x86_64", layer: "arn:layer:1"}
	tests := []struct {
		name string
		edit func(w *wanted)
		want []string
	}{
		{"identical (no ephemeral storage reported means 512)", func(w *wanted) {}, nil},
		{"memory and timeout", func(w *wanted) { w.mem, w.timeout = 1024, 300 }, []string{"memory 256 -> 1024", "timeout 180 -> 300"}},
		{"new layer version to publish", func(w *wanted) { w.layer = "" }, []string{"layer -> new version"}},
		{"other layer", func(w *wanted) { w.layer = "arn:layer:2" }, []string{"layers [arn:layer:1] -> [arn:layer:2]"}},
		{"runtime and architecture", func(w *wanted) { w.runtime, w.arch = "python3.13", "arm64" }, []string{"runtime python3.12 -> python3.13", "architecture x86_64 -> arm64"}},
		{"no role input keeps the live role", func(w *wanted) { w.role = "" }, nil},
		{"role", func(w *wanted) { w.role = "arn:role/b" }, []string{"role arn:role/a -> arn:role/b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := same
			tt.edit(&w)
			if d := cmp.Diff(tt.want, configDiffs(live, w)); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
		})
	}
}
