package pip

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTags(t *testing.T) {
	tests := []struct {
		name string
		p    Platform
		want []string
	}{
		{"lambda 3.11 x86_64 (AL2, glibc 2.26)", Platform{"3.11", "x86_64", 2, 26}, []string{
			"manylinux_2_26_x86_64", "manylinux_2_25_x86_64", "manylinux_2_24_x86_64", "manylinux_2_23_x86_64",
			"manylinux_2_22_x86_64", "manylinux_2_21_x86_64", "manylinux_2_20_x86_64", "manylinux_2_19_x86_64",
			"manylinux_2_18_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64",
			"manylinux_2_16_x86_64", "manylinux_2_15_x86_64", "manylinux_2_14_x86_64", "manylinux_2_13_x86_64",
			"manylinux_2_12_x86_64", "manylinux2010_x86_64", "manylinux_2_11_x86_64", "manylinux_2_10_x86_64",
			"manylinux_2_9_x86_64", "manylinux_2_8_x86_64", "manylinux_2_7_x86_64", "manylinux_2_6_x86_64",
			"manylinux_2_5_x86_64", "manylinux1_x86_64",
		}},
		{"arm64 3.12 (AL2023, glibc 2.34): aarch64 spelling, no legacy tags", Platform{"3.12", "arm64", 2, 34}, []string{
			"manylinux_2_34_aarch64", "manylinux_2_33_aarch64", "manylinux_2_32_aarch64", "manylinux_2_31_aarch64",
			"manylinux_2_30_aarch64", "manylinux_2_29_aarch64", "manylinux_2_28_aarch64", "manylinux_2_27_aarch64",
			"manylinux_2_26_aarch64", "manylinux_2_25_aarch64", "manylinux_2_24_aarch64", "manylinux_2_23_aarch64",
			"manylinux_2_22_aarch64", "manylinux_2_21_aarch64", "manylinux_2_20_aarch64", "manylinux_2_19_aarch64",
			"manylinux_2_18_aarch64", "manylinux_2_17_aarch64", "manylinux2014_aarch64",
		}},
		{"unset glibc means the 2.17 baseline", Platform{Python: "3.10", Arch: "arm64"}, []string{"manylinux_2_17_aarch64", "manylinux2014_aarch64"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := cmp.Diff(tt.want, tt.p.Tags()); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
		})
	}
}

func TestTagsNeverExceedGlibc(t *testing.T) {
	for minor := 17; minor <= 40; minor++ {
		for _, tag := range (Platform{"3.12", "x86_64", 2, minor}).Tags() {
			var n int
			if _, err := fmt.Sscanf(tag, "manylinux_2_%d_", &n); err == nil && n > minor {
				t.Errorf("glibc 2.%d: tag %s is newer", minor, tag)
			}
		}
	}
}
