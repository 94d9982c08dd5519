package dockerfile

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestBaseImages(t *testing.T) {
	amd := v1.Platform{OS: "linux", Architecture: "amd64"}
	arm := v1.Platform{OS: "linux", Architecture: "arm64"}
	tests := []struct {
		name       string
		dockerfile string
		args       map[string]string
		platform   v1.Platform
		want       []imageRef
	}{
		{
			name:       "one FROM",
			dockerfile: "FROM python:3.12-slim\nRUN true\n",
			platform:   amd,
			want:       []imageRef{{Ref: "python:3.12-slim", Platform: amd, Line: 1}},
		},
		{
			name:       "scratch reads nothing",
			dockerfile: "FROM scratch\nCOPY x /\n",
			platform:   amd,
		},
		{
			name: "ARG in FROM, default and overridden by a build arg, Lithops' template style",
			dockerfile: "# comment\nARG PYTHON_VERSION=3.12\nARG BASE_IMAGE=public.ecr.aws/lambda/python:${PYTHON_VERSION}\n" +
				"FROM ${BASE_IMAGE}\nARG PYTHON_VERSION\nRUN echo $PYTHON_VERSION\n",
			args:     map[string]string{"PYTHON_VERSION": "3.11"},
			platform: arm,
			want:     []imageRef{{Ref: "public.ecr.aws/lambda/python:3.11", Platform: arm, Line: 4}},
		},
		{
			name: "multi-stage: stages are not images; COPY --from an image is; --platform",
			dockerfile: "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN go build\n" +
				"FROM build AS tested\nFROM \\\n  python:3.12 AS final\nCOPY --from=build /x /x\nCOPY --from=0 /y /y\n" +
				"COPY --from=ghcr.io/astral-sh/uv:0.4 /uv /bin/\nFROM scratch\nCOPY --from=final / /\n",
			platform: arm,
			want: []imageRef{
				{Ref: "golang:1.22", Platform: arm, Line: 1},
				{Ref: "python:3.12", Platform: arm, Line: 4},
				{Ref: "ghcr.io/astral-sh/uv:0.4", Platform: arm, Line: 8},
			},
		},
		{
			name:       "${VAR:-default}",
			dockerfile: "ARG TAG\nFROM alpine:${TAG:-3.20}\n",
			platform:   amd,
			want:       []imageRef{{Ref: "alpine:3.20", Platform: amd, Line: 2}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := baseImages(tt.dockerfile, tt.args, tt.platform)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("baseImages (-want +got):\n%s", diff)
			}
		})
	}
}

// TestBuildKey changes one input at a time and checks whether the key changes.
func TestBuildKey(t *testing.T) {
	root := t.TempDir()
	zip := filepath.Join(root, "lithops_lambda.zip")
	if err := os.WriteFile(zip, []byte("zip v1"), 0o644); err != nil {
		t.Fatal(err)
	}
	setup := func(t *testing.T) Spec {
		ctxDir := filepath.Join(t.TempDir(), "ctx")
		tree(t, ctxDir, map[string]string{
			"Dockerfile":    "ARG BASE=registry.test/base:1\nFROM ${BASE} AS b\nFROM b\nCOPY lithops_lambda.zip app/ /x/\nRUN echo hi\n",
			".dockerignore": "notes/\n*.log\n!keep.log\n",
			"app/main.py":   "print(1)\n",
			"notes/todo.md": "later\n",
			"debug.log":     "noise\n",
			"keep.log":      "kept\n",
		})
		return Spec{
			Dockerfile: filepath.Join(ctxDir, "Dockerfile"), Platform: v1.Platform{OS: "linux", Architecture: "amd64"},
			ContextFiles: map[string]string{"lithops_lambda.zip": zip}, BuildArgs: map[string]string{"GREETING": "hi"},
			WorkDir: filepath.Join(root, "work"),
		}
	}
	bases := map[string]string{"registry.test/base:1": "sha256:aaaa", "registry.test/base:2": "sha256:bbbb"}
	resolver := func(_ context.Context, ref string, _ v1.Platform) (string, error) { return bases[ref], nil }
	key := func(t *testing.T, s Spec, tool string) string {
		t.Helper()
		k, err := BuildKey(context.Background(), s, tool, resolver)
		if err != nil {
			t.Fatal(err)
		}
		return k.Sum
	}
	write := func(t *testing.T, s Spec, name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(filepath.Dir(s.Dockerfile), name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name    string
		change  func(t *testing.T, s *Spec) string // returns the tool
		changed bool
	}{
		{"nothing", func(*testing.T, *Spec) string { return ToolBuildah }, false},
		{"a context file", func(t *testing.T, s *Spec) string { write(t, *s, "app/main.py", "print(2)\n"); return ToolBuildah }, true},
		{"a new context file", func(t *testing.T, s *Spec) string { write(t, *s, "app/new.py", ""); return ToolBuildah }, true},
		{"a file mode", func(t *testing.T, s *Spec) string {
			if err := os.Chmod(filepath.Join(filepath.Dir(s.Dockerfile), "app/main.py"), 0o755); err != nil {
				t.Fatal(err)
			}
			return ToolBuildah
		}, true},
		{"an ignored directory's file", func(t *testing.T, s *Spec) string { write(t, *s, "notes/todo.md", "now\n"); return ToolBuildah }, false},
		{"an ignored file", func(t *testing.T, s *Spec) string { write(t, *s, "debug.log", "more noise\n"); return ToolBuildah }, false},
		{"a file brought back by !pattern", func(t *testing.T, s *Spec) string { write(t, *s, "keep.log", "changed\n"); return ToolBuildah }, true},
		{".containerignore wins for buildah", func(t *testing.T, s *Spec) string {
			write(t, *s, ".containerignore", "app/\n")
			write(t, *s, "app/main.py", "print(3)\n")
			return ToolBuildah
		}, true}, // (the ignore set changed: debug.log counts now; app/ does not)
		{"the Dockerfile", func(t *testing.T, s *Spec) string {
			write(t, *s, "Dockerfile", "FROM registry.test/base:1\n")
			return ToolBuildah
		}, true},
		{"a build arg", func(t *testing.T, s *Spec) string {
			s.BuildArgs = map[string]string{"GREETING": "bonjour"}
			return ToolBuildah
		}, true},
		{"the base, through a build arg in FROM", func(t *testing.T, s *Spec) string {
			s.BuildArgs = map[string]string{"GREETING": "hi", "BASE": "registry.test/base:2"}
			return ToolBuildah
		}, true},
		{"the platform", func(t *testing.T, s *Spec) string { s.Platform.Architecture = "arm64"; return ToolBuildah }, true},
		{"the builder", func(*testing.T, *Spec) string { return ToolPodman }, true},
		{"reproducible off", func(_ *testing.T, s *Spec) string { s.NotReproducible = true; return ToolBuildah }, true},
		{"the lithops zip", func(t *testing.T, s *Spec) string {
			z := filepath.Join(t.TempDir(), "z.zip")
			if err := os.WriteFile(z, []byte("zip v2"), 0o644); err != nil {
				t.Fatal(err)
			}
			s.ContextFiles = map[string]string{"lithops_lambda.zip": z}
			return ToolBuildah
		}, true},
		{"a context file the overlay replaces", func(t *testing.T, s *Spec) string { write(t, *s, "lithops_lambda.zip", "stale"); return ToolBuildah }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := setup(t)
			before := key(t, s, ToolBuildah)
			tool := tt.change(t, &s)
			after := key(t, s, tool)
			if got := before != after; got != tt.changed {
				t.Errorf("key changed = %v, want %v (%s -> %s)", got, tt.changed, before, after)
			}
		})
	}

	t.Run("the base image pushed again under its tag", func(t *testing.T) {
		s := setup(t)
		before := key(t, s, ToolBuildah)
		bases["registry.test/base:1"] = "sha256:cccc"
		defer func() { bases["registry.test/base:1"] = "sha256:aaaa" }()
		if after := key(t, s, ToolBuildah); after == before {
			t.Errorf("key unchanged after the base's digest changed")
		}
	})
	t.Run("bases reported resolved", func(t *testing.T) {
		k, err := BuildKey(context.Background(), setup(t), ToolDocker, resolver)
		if err != nil {
			t.Fatal(err)
		}
		got := struct {
			Bases  []string
			Ignore string
		}{k.Bases, filepath.Base(k.Ignore)}
		want := struct {
			Bases  []string
			Ignore string
		}{[]string{"registry.test/base:1@sha256:aaaa"}, ".dockerignore"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("key (-want +got):\n%s", diff)
		}
	})
}
