package run

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/config"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/zipbundle"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

func TestLimitsRefuseOversizeRuntimesBeforeUpload(t *testing.T) {
	tests := []struct {
		name, backend   string
		layer, function *zipbundle.Bundle
		want            []string // "" means within limits
	}{
		{"aws within", lithops.AWSLambda, &zipbundle.Bundle{UnzippedSize: 200e6}, &zipbundle.Bundle{UnzippedSize: 62e6}, nil},
		{"aws function plus layer over 262144000 unzipped", lithops.AWSLambda, &zipbundle.Bundle{UnzippedSize: 200e6}, &zipbundle.Bundle{UnzippedSize: 62144001},
			[]string{"250.0 MiB unzipped", "dependencies layer", "262144000 bytes", "container runtime"}},
		{"local mirrors aws", lithops.Local, &zipbundle.Bundle{UnzippedSize: 300e6}, &zipbundle.Bundle{UnzippedSize: 1}, []string{"262144000 bytes"}},
		{"fc within 500 MB", lithops.AliyunFC, nil, &zipbundle.Bundle{Size: 400 << 20}, nil},
		{"fc over 500 MB", lithops.AliyunFC, nil, &zipbundle.Bundle{Size: 501 << 20}, []string{"the code zip is", "through object storage", "container runtime"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log bytes.Buffer
			p := &pipeline{
				cfg:      &config.Config{Backend: tt.backend},
				deps:     Deps{UI: NewUI(&log, func(string) string { return "" })},
				artifact: &build.Artifact{Layer: tt.layer, Function: tt.function},
			}
			err := p.limits(context.Background())
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("within limits, got %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("over the limit, no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q: %v", w, err)
				}
			}
		})
	}
}
