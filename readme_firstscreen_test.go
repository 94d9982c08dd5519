package main

import (
	"os"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/cache"
)

// TestReadmeFirstScreen checks the README's quick start section against the repository: the Go
// version it asks for is go.mod's, the go install line names go.mod's module path and the binary
// name go install gives (the module path's last element), the test command has the -timeout that
// .ci/run and ci.yml use, and the state, cache and reset paths are the ones the code uses.
func TestReadmeFirstScreen(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	start := strings.Index(text, "## Quick start")
	end := strings.Index(text, "## What the main job does")
	if start < 0 || end < start {
		t.Fatalf("README.md: want a \"## Quick start\" section before \"## What the main job does\"")
	}
	first := text[start:end]
	gomod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	module := regexp.MustCompile(`(?m)^module (\S+)$`).FindStringSubmatch(string(gomod))
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)(\.\d+)?$`).FindStringSubmatch(string(gomod))
	if module == nil || goVersion == nil {
		t.Fatalf("go.mod: no module or go line")
	}
	ciRun, err := os.ReadFile(".ci/run")
	if err != nil {
		t.Fatal(err)
	}
	timeout := regexp.MustCompile(`go test -count=1 (-timeout \S+) \./\.\.\.`).FindStringSubmatch(string(ciRun))
	if timeout == nil {
		t.Fatalf(".ci/run: no go test -timeout line")
	}
	ciYML, err := os.ReadFile(".github/workflows/ci.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Go " + goVersion[1] + " or newer",
		"`go " + goVersion[1] + goVersion[2] + "`",
		"go install " + module[1] + "@latest",
		"**`" + path.Base(module[1]) + "`**",
		"go test " + timeout[1] + " ./...",
		"~/.cache/lithops-runtime-action", // config's local-dir default (userCacheDir + lithops-runtime-action)
		"~/.cache/" + cache.DirName,       // the build cache under the user cache directory
		"rm -rf ~/.cache/lithops-runtime-action ~/.cache/" + cache.DirName,
		"`python3` with `pip`",
		"--help",
		"CI=true",
	} {
		if !strings.Contains(first, want) {
			t.Errorf("README.md quick start lacks %q", want)
		}
	}
	if !strings.Contains(string(ciYML), "go test -count=1 "+timeout[1]+" ./...") {
		t.Errorf(".github/workflows/ci.yml: want go test -count=1 %s ./... as in .ci/run", timeout[1])
	}
}
