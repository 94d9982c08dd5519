package image

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestPlatformFor(t *testing.T) {
	tests := []struct {
		arch    string
		want    v1.Platform
		wantErr string
	}{
		{arch: "x86_64", want: v1.Platform{OS: "linux", Architecture: "amd64"}},
		{arch: "arm64", want: v1.Platform{OS: "linux", Architecture: "arm64"}},
		{arch: "amd64", wantErr: `unsupported architecture "amd64": use "x86_64" or "arm64"`},
		{arch: "", wantErr: `unsupported architecture "": use "x86_64" or "arm64"`},
	}
	for _, tt := range tests {
		t.Run(tt.arch, func(t *testing.T) {
			got, err := PlatformFor(tt.arch)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("PlatformFor(%q) error = %v, want %q", tt.arch, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("PlatformFor(%q): %v", tt.arch, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("PlatformFor(%q) (-want +got):\n%s", tt.arch, diff)
			}
		})
	}
}

func TestMatchBasePlatform(t *testing.T) {
	amd64 := v1.Platform{OS: "linux", Architecture: "amd64"}
	arm64 := v1.Platform{OS: "linux", Architecture: "arm64"}
	tests := []struct {
		name    string
		base    v1.ConfigFile
		want    v1.Platform
		wantErr string // substring; "" means no error
	}{
		{name: "same", base: v1.ConfigFile{OS: "linux", Architecture: "amd64"}, want: amd64},
		{name: "base variant, none wanted", base: v1.ConfigFile{OS: "linux", Architecture: "arm64", Variant: "v8"}, want: arm64},
		{name: "variant wanted, base has none", base: v1.ConfigFile{OS: "linux", Architecture: "arm64"},
			want: v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}},
		{name: "architecture differs", base: v1.ConfigFile{OS: "linux", Architecture: "arm64"}, want: amd64,
			wantErr: "the base image is linux/arm64, not linux/amd64"},
		{name: "variant differs", base: v1.ConfigFile{OS: "linux", Architecture: "arm", Variant: "v6"},
			want:    v1.Platform{OS: "linux", Architecture: "arm", Variant: "v7"},
			wantErr: "the base image is linux/arm/v6, not linux/arm/v7"},
		{name: "os differs", base: v1.ConfigFile{OS: "windows", Architecture: "amd64"}, want: amd64,
			wantErr: "the base image is windows/amd64, not linux/amd64"},
		{name: "base names no platform", base: v1.ConfigFile{}, want: amd64,
			wantErr: "the base image is of unknown platform"},
		{name: "no platform wanted", base: v1.ConfigFile{OS: "linux", Architecture: "amd64"},
			wantErr: "no target platform given"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := matchBasePlatform(&tt.base, tt.want)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("matchBasePlatform: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("matchBasePlatform error = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}
