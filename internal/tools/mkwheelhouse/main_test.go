package main

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// wheelNames returns the sorted file names in dir.
func wheelNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("reading %s: %v", dir, err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func TestRun(t *testing.T) {
	src, err := filepath.Abs(filepath.Join("..", "..", "..", "testdata", "wheelsrc"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		args        func(out string) []string
		wantLithops []string
	}{
		{"defaults", func(out string) []string { return []string{"-o", out} },
			[]string{"lithops-3.7.0-py3-none-any.whl"}},
		{"two versions and explicit source", func(out string) []string {
			return []string{"-o", out, "-lithops", "3.7.0, 3.6.0", "-src", src}
		}, []string{"lithops-3.6.0-py3-none-any.whl", "lithops-3.7.0-py3-none-any.whl"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "wh")
			var stdout, stderr bytes.Buffer
			if code := run(tc.args(out), &stdout, &stderr); code != 0 {
				t.Fatalf("run exit %d, stderr:\n%s", code, stderr.String())
			}
			if diff := cmp.Diff(out+"\n", stdout.String()); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
			var lithops []string
			names := wheelNames(t, out)
			for _, n := range names {
				if strings.HasPrefix(n, "lithops-") {
					lithops = append(lithops, n)
				}
			}
			if diff := cmp.Diff(tc.wantLithops, lithops); diff != "" {
				t.Errorf("lithops wheels (-want +got):\n%s", diff)
			}
			for _, want := range []string{"acme_text_utils-1.2.0-py3-none-any.whl", "ps_mem-3.14-py3-none-any.whl", "urllib3-1.26.18-py3-none-any.whl"} {
				if i := sort.SearchStrings(names, want); i == len(names) || names[i] != want {
					t.Errorf("%s missing from %v", want, names)
				}
			}
		})
	}
}

func TestRunErrors(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStderr string
	}{
		{"no output directory", nil, 2, "usage: mkwheelhouse -o DIR"},
		{"stray argument", []string{"-o", "x", "extra"}, 2, "usage: mkwheelhouse -o DIR"},
		{"unknown flag", []string{"-bogus"}, 2, "flag provided but not defined: -bogus"},
		{"missing source", []string{"-o", "OUT", "-src", "ABSENT"}, 1, "mkwheelhouse: reading wheel sources"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			args := make([]string, len(tc.args))
			for i, a := range tc.args {
				args[i] = strings.NewReplacer("OUT", filepath.Join(dir, "out"), "ABSENT", filepath.Join(dir, "absent")).Replace(a)
			}
			var stdout, stderr bytes.Buffer
			code := run(args, &stdout, &stderr)
			if diff := cmp.Diff(tc.wantCode, code); diff != "" {
				t.Errorf("exit code (-want +got):\n%s", diff)
			}
			if !strings.Contains(stderr.String(), tc.wantStderr) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tc.wantStderr)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout should be empty, got %q", stdout.String())
			}
		})
	}
}
