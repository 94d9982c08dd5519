package config

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/cli")

// golden compares got with testdata/cli/<name>.golden (rewritten with -update).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "cli", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

// TestCommandLineGolden: what a command line resolves to — the inputs it sets (value and source)
// after Load, or the one-line error — for the command lines a Go user types first.
func TestCommandLineGolden(t *testing.T) {
	ws := workspace(t)
	cases := []struct {
		name string
		args []string
	}{
		{"bare-switch-then-flag", []string{"--dry-run", "--memory", "1024"}},
		{"bare-switch-last", []string{"--memory", "1024", "--dry-run"}},
		{"switch-false", []string{"--dry-run=false", "--smoke-test=false", "--local-test"}},
		{"switch-with-separate-value", []string{"--dry-run", "true", "--smoke-test", "false"}},
		{"switch-then-stray-value", []string{"--dry-run", "1024"}},
		{"misspelled-flag", []string{"--memroy", "1024"}},
		{"flag-without-value", []string{"--dry-run", "--memory"}},
		{"stray-argument", []string{"requirements.txt"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b strings.Builder
			fmt.Fprintf(&b, "$ lithops-runtime %s\n", strings.Join(c.args, " "))
			cfg, err := Load(context.Background(), append([]string{"--lithops-version", "3.7.0", "--python-version", "3.11", "--local-dir", "state"}, c.args...),
				Env{Getenv: func(string) string { return "" }, Workdir: ws, GOOS: "linux", GOARCH: "amd64"})
			if err != nil {
				var ue *UsageError
				fmt.Fprintf(&b, "usage error: %v\n", errors.As(err, &ue))
				fmt.Fprintf(&b, "%v\n", err)
			} else {
				fmt.Fprintf(&b, "dry-run=%v smoke-test=%v write-metadata=%v local-test=%s memory=%v\n", cfg.DryRun, cfg.SmokeTest, cfg.WriteMetadata, cfg.LocalTest, cfg.Memory)
				var names []string
				for n, from := range cfg.Sources {
					if strings.HasPrefix(from, "--") {
						names = append(names, n)
					}
				}
				slices.Sort(names)
				for _, n := range names {
					fmt.Fprintf(&b, "  %s from %s\n", n, cfg.Sources[n])
				}
			}
			golden(t, c.name, b.String())
		})
	}
}

func TestHelpAndVersionRequests(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {"--memory", "1", "--help"}, {"-help"}} {
		if _, err := ParseArgs(args); !errors.Is(err, ErrHelp) {
			t.Errorf("%q: got %v, want ErrHelp", args, err)
		}
	}
	for _, args := range [][]string{{"--version"}, {"version"}, {"--dry-run", "--version"}} {
		if _, err := ParseArgs(args); !errors.Is(err, ErrVersion) {
			t.Errorf("%q: got %v, want ErrVersion", args, err)
		}
	}
}

// TestHelpText: --help groups every input (with its default) under what to build, where to
// deploy, checks and output, then lists every output and three examples.
func TestHelpText(t *testing.T) {
	var b bytes.Buffer
	Help(&b)
	golden(t, "help", b.String())
	text := b.String()
	for _, in := range Inputs {
		line := "  --" + in.Name
		if !strings.Contains(text, line) {
			t.Errorf("--help does not show %s", line)
		}
		if in.Default != "" && !regexp.MustCompile(`(?m)^  --`+regexp.QuoteMeta(in.Name)+`( \S+)?  \(default `+regexp.QuoteMeta(in.Default)+`\)$`).MatchString(text) {
			t.Errorf("--help does not show the default of %s", in.Name)
		}
	}
	for _, out := range Outputs {
		if !strings.Contains(text, "\n  "+out.Name+" ") {
			t.Errorf("--help does not list output %s", out.Name)
		}
	}
	for _, g := range []string{"What to build:", "Where to deploy:", "Checks:", "Output", "Examples:"} {
		if !strings.Contains(text, "\n"+g) {
			t.Errorf("--help has no section %q", g)
		}
	}
	if strings.Contains(text, "Other inputs:") {
		t.Errorf("an input is in no help group (add it to helpGroups in help.go)")
	}
	// Every example parses.
	for _, ex := range helpExamples {
		args := strings.Fields(strings.ReplaceAll(ex.cmd, "\\\n", " "))[1:]
		if _, err := ParseArgs(args); err != nil {
			t.Errorf("example %q: %v", ex.cmd, err)
		}
	}
}

func TestSuggest(t *testing.T) {
	for name, want := range map[string]string{
		"memroy": "memory", "dryrun": "dry-run", "python": "python-version", "requirement": "requirements",
		"regoin": "region", "lithops-verison": "lithops-version", "xyz": "", "verbose": "",
	} {
		if got := suggest(name); got != want {
			t.Errorf("suggest(%q) = %q, want %q", name, got, want)
		}
	}
}
