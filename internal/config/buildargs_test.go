package config

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseBuildArgs(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want map[string]string
	}{
		{"empty", "", nil},
		{"only comments and blank lines", "# nothing\n\n   \n  # still nothing\n", nil},
		{"one", "GREETING=hello", map[string]string{"GREETING": "hello"}},
		{"several, comments, blank lines, indentation, CRLF",
			"# the base\r\nBASE=registry.test/base:1\r\n\r\n  PYTHON_VERSION=3.12  \n_private=x\n",
			map[string]string{"BASE": "registry.test/base:1", "PYTHON_VERSION": "3.12", "_private": "x"}},
		{"value keeps = and #", "URL=https://x.test/?a=1&b=2#frag", map[string]string{"URL": "https://x.test/?a=1&b=2#frag"}},
		{"empty value", "LITHOPS_DEPENDENCIES=", map[string]string{"LITHOPS_DEPENDENCIES": ""}},
		{"spaces inside the value", "MSG=hello  world", map[string]string{"MSG": "hello  world"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseBuildArgs(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseBuildArgs(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParseBuildArgsErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // the error message
	}{
		{"a line without =", "A=1\n# c\nsupersecretvalue\n",
			`line 3 has no "=": each line is KEY=VALUE (KEY= for an empty value); blank lines and lines starting with # are ignored`},
		{"a key with a space", "A=1\nMY KEY=supersecretvalue",
			`line 2: "MY KEY" is not a build argument name: a letter or _ followed by letters, digits or _, as the Dockerfile's ARG declares it (no spaces around "=")`},
		{"space before =", "KEY =supersecretvalue",
			`line 1: "KEY " is not a build argument name: a letter or _ followed by letters, digits or _, as the Dockerfile's ARG declares it (no spaces around "=")`},
		{"a key starting with a digit", "1A=supersecretvalue",
			`line 1: "1A" is not a build argument name: a letter or _ followed by letters, digits or _, as the Dockerfile's ARG declares it (no spaces around "=")`},
		{"an empty key", "=supersecretvalue",
			`line 1: "" is not a build argument name: a letter or _ followed by letters, digits or _, as the Dockerfile's ARG declares it (no spaces around "=")`},
		{"a key twice", "TOKEN=a\n\nTOKEN=supersecretvalue",
			`lines 1 and 3 both set TOKEN: set each build argument once`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseBuildArgs(tt.in)
			if err == nil {
				t.Fatalf("parseBuildArgs(%q) = %v, want an error", tt.in, got)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

// TestBuildArgsInput loads build-args through each source: the action's multi-line input, one
// --build-args flag per argument, and a multi-line flag value.
func TestBuildArgsInput(t *testing.T) {
	want := map[string]string{"GREETING": "hello", "BASE": "registry.test/base:1"}
	loadArgs := func(t *testing.T, args []string, env map[string]string) *Config {
		t.Helper()
		ws := workspace(t)
		env["HOME"] = "/home/runner"
		cfg, err := Load(context.Background(), append([]string{"--dockerfile", "Dockerfile", "--runtime-name", "my-runtime:1"}, args...), Env{
			Getenv: func(k string) string { return env[k] }, Workdir: ws, Probe: probe("3.11", "3.7.0", nil), GOOS: "linux", GOARCH: "amd64",
		})
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	for _, tt := range []struct {
		name, from string
		args       []string
		env        map[string]string
	}{
		{"action input", "INPUT_BUILD-ARGS", nil, map[string]string{"INPUT_BUILD-ARGS": "# base and greeting\nBASE=registry.test/base:1\nGREETING=hello\n"}},
		{"one flag per argument", "--build-args", []string{"--build-args", "GREETING=hello", "--build-args=BASE=registry.test/base:1"}, map[string]string{}},
		{"a multi-line flag", "--build-args", []string{"--build-args", "GREETING=hello\nBASE=registry.test/base:1"}, map[string]string{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := loadArgs(t, tt.args, tt.env)
			if diff := cmp.Diff(want, cfg.BuildArgs); diff != "" {
				t.Errorf("BuildArgs (-want +got):\n%s", diff)
			}
			if got := cfg.Sources["build-args"]; got != tt.from {
				t.Errorf("Sources[build-args] = %q, want %q", got, tt.from)
			}
		})
	}
}

// TestBuildArgsInputErrors: build-args problems are input errors naming build-args and where it
// came from, on one line, without any value of the input.
func TestBuildArgsInputErrors(t *testing.T) {
	const secret = "s3cr3t-value"
	tests := []struct {
		name   string
		inputs map[string]string
		want   string
	}{
		{"without a dockerfile", with(nil, "requirements", "requirements.txt", "build-args", "TOKEN="+secret+"\nGREETING=hi"),
			`build-args: sets GREETING, TOKEN, but build arguments are passed to a Dockerfile build and dockerfile is not set; set dockerfile, or remove build-args`},
		{"a line without =", with(nil, "dockerfile", "Dockerfile", "runtime-name", "my-runtime:1", "build-args", "GREETING=hi\n"+secret),
			`build-args: line 2 has no "=": each line is KEY=VALUE (KEY= for an empty value); blank lines and lines starting with # are ignored`},
		{"a bad name", with(nil, "dockerfile", "Dockerfile", "runtime-name", "my-runtime:1", "build-args", "MY-TOKEN="+secret),
			`build-args: line 1: "MY-TOKEN" is not a build argument name: a letter or _ followed by letters, digits or _, as the Dockerfile's ARG declares it (no spaces around "=")`},
	}
	for _, via := range []string{"flags", "INPUT"} {
		for _, tt := range tests {
			t.Run(via+"/"+tt.name, func(t *testing.T) {
				cfg, err := load(t, workspace(t), tt.inputs, via == "flags", nil)
				if err == nil {
					t.Fatalf("Load accepted %v: %+v", tt.inputs, cfg)
				}
				ies := InputErrors(err)
				if len(ies) != 1 {
					t.Fatalf("want exactly one input error, got %d:\n%v", len(ies), err)
				}
				from := " (from INPUT_BUILD-ARGS)"
				if via == "flags" {
					from = " (from --build-args)"
				}
				if diff := cmp.Diff(tt.want+from, ies[0].Error()); diff != "" {
					t.Errorf("error (-want +got):\n%s", diff)
				}
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error shows a value of build-args: %v", err)
				}
			})
		}
	}
}
