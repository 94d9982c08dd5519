package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// TestCommandLineGolden runs the program on the command lines a new user types first and compares
// its exit code, stdout and stderr with testdata/golden/<case>.golden (-update rewrites them).
// Nothing here builds: each line is answered before the build (a usage error, help, version) or
// stops at input validation.
func TestCommandLineGolden(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		args []string
	}{
		// A misspelled flag: one line naming the flag it resembles, exit 2, no usage dump.
		{"misspelled-flag", []string{"--memroy", "1024"}},
		// Bare switches, before a flag and last: parsed as true, so the run reaches input
		// validation and reports only the missing requirements file (a dry run needs no role).
		{"bare-switch-then-flag", []string{"--backend", "aws_lambda", "--region", "us-east-1", "--dry-run", "--memory", "1024", "--requirements", "missing.txt"}},
		{"bare-switch-last", []string{"--backend", "aws_lambda", "--region", "us-east-1", "--requirements", "missing.txt", "--memory", "1024", "--dry-run"}},
		// Without --dry-run the role is required: the two cases above did turn it on.
		{"no-dry-run", []string{"--backend", "aws_lambda", "--region", "us-east-1", "--requirements", "missing.txt", "--memory", "1024"}},
		{"help-word", []string{"help"}},
		{"flag-without-value", []string{"--memory"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ws := t.TempDir()
			env := map[string]string{}
			s := &session{env: env}
			s.code = Main(context.Background(), append(slices.Clip(c.args), "--lithops-version", "3.7.0", "--python-version", "3.11"), System{
				Getenv: func(k string) string { return env[k] }, Stdout: &s.stdout, Stderr: &s.stderr, Workdir: ws,
				Probe: func(context.Context) (string, string, error) { return "3.11", "", nil },
			})
			stderr := strings.ReplaceAll(s.stderr.String(), ws, "$WORKSPACE")
			stderr = strings.ReplaceAll(stderr, version()+" ("+runtime.GOOS+"/"+runtime.GOARCH+")", "$VERSION")
			got := fmt.Sprintf("$ lithops-runtime %s\nexit %d\n--- stdout\n%s--- stderr\n%s", strings.Join(c.args, " "), s.code, s.stdout.String(), stderr)
			path := filepath.Join("testdata", "golden", c.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test -run TestCommandLineGolden -update creates it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", path, diff)
			}
		})
	}
}

func TestVersionText(t *testing.T) {
	goos := runtime.GOOS + "/" + runtime.GOARCH
	cases := []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{"release", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"}}, true,
			"lithops-runtime v1.4.0 (go1.26.8, " + goos + ")\n"},
		{"development build with VCS", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "7083145abc"}, {Key: "vcs.time", Value: "2026-12-05T14:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}, true,
			"lithops-runtime (devel) (development build, go1.26.8, " + goos + ")\nrevision 7083145abc (2026-12-05T14:00:00Z), with uncommitted changes\n"},
		{"pseudo-version from go install", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20261205140000-7083145abcde"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "7083145abcde"}}}, true,
			"lithops-runtime v0.0.0-20261205140000-7083145abcde (development build, go1.26.8, " + goos + ")\nrevision 7083145abcde\n"},
		{"-buildvcs=false", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, true,
			"lithops-runtime (devel) (development build, go1.26.8, " + goos + ")\nno VCS revision recorded (built with -buildvcs=false or outside a git checkout)\n"},
		{"no build info", nil, false,
			"lithops-runtime (devel) (development build, " + runtime.Version() + ", " + goos + ")\nno VCS revision recorded (built with -buildvcs=false or outside a git checkout)\n"},
	}
	for _, c := range cases {
		if diff := cmp.Diff(c.want, versionText(c.bi, c.ok)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, diff)
		}
	}
	// The binary under test answers --version on stdout with exit 0.
	s := runMain(t, t.TempDir(), map[string]string{}, "--version")
	if s.code != 0 || !strings.HasPrefix(s.stdout.String(), "lithops-runtime ") || s.stderr.Len() != 0 {
		t.Errorf("--version: exit %d, stdout %q, stderr %q", s.code, s.stdout.String(), s.stderr.String())
	}
}
