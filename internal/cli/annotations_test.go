package cli

import (
	"maps"
	"path/filepath"
	"strings"
	"testing"
)

// TestPipFailureIsAnnotatedAtTheRequirementLine: a requirement with no wheel for the platform is
// reported at its line of the requirements file, relative to the workspace.
func TestPipFailureIsAnnotatedAtTheRequirementLine(t *testing.T) {
	offline(t, goodWheels)
	ws := t.TempDir()
	writeFile(t, filepath.Join(ws, "deps", "requirements.txt"), "# runtime deps\nacme-text-utils\nfastnative\n")
	env, _, _ := actionsEnv(t, map[string]string{"requirements": "deps/requirements.txt", "lithops-version": "3.7.0", "local-dir": t.TempDir()})
	env["GITHUB_WORKSPACE"] = ws
	s := runMain(t, ws, env)
	if s.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", s.code, s.stdout.String())
	}
	if want := "::error file=deps/requirements.txt,line=3::build: no wheel of fastnative"; !strings.Contains(s.stdout.String(), want) {
		t.Errorf("log lacks %q:\n%s", want, s.stdout.String())
	}
}

// TestDockerfileFailureIsAnnotatedAtTheStep: a failing RUN is reported at its Dockerfile line.
func TestDockerfileFailureIsAnnotatedAtTheStep(t *testing.T) {
	parallelOffline(t, goodWheels)
	base := serveLambdaBase(t, "3.12")
	sandbox := buildahSandboxEnv(t, strings.Split(base, "/")[0])
	ws := t.TempDir()
	writeFile(t, filepath.Join(ws, "runtime", "Dockerfile"), "FROM "+base+"\n# a comment\nCOPY lithops_lambda.zip /var/task/\nRUN echo about to fail && exit 3\nCMD [\"handler.entry_point.lambda_handler\"]\n")
	env, _, _ := actionsEnv(t, map[string]string{"dockerfile": "runtime/Dockerfile", "runtime-name": "broken:1", "lithops-version": "3.7.0",
		"python-version": "3.12", "builder": "buildah", "local-dir": t.TempDir()})
	env["GITHUB_WORKSPACE"] = ws
	maps.Copy(env, sandbox)
	s := runMain(t, ws, env)
	if s.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", s.code, s.stdout.String())
	}
	if want := "::error file=runtime/Dockerfile,line=4::"; !strings.Contains(s.stdout.String(), want) {
		t.Errorf("log lacks %q:\n%s", want, s.stdout.String())
	}
}
