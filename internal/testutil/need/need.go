// Package need checks the preconditions of tests that use real tools (python3.X interpreters).
// Locally a missing one skips the test with a message starting "precondition missing:" (list them
// with go test -v ./... | grep 'precondition missing'); under CI=true, which GitHub Actions and
// .ci/run set, it fails the test: CI provides every interpreter, so a missing one is a broken CI
// setup, not a reason to print ok.
package need

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// TB is the part of testing.TB the checks use.
type TB interface {
	Helper()
	Skipf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// Missing reports a missing precondition: t.Fatalf under CI=true, else t.Skipf.
func Missing(t TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("precondition missing under CI=true (CI must provide it): %s", msg)
		return
	}
	t.Skipf("precondition missing: %s", msg)
}

// Python returns the real executable of python<version> ("3.12", or "3" for python3) on PATH,
// or reports it missing.
func Python(t TB, version string) string {
	t.Helper()
	name := "python" + version
	out, err := exec.Command(name, "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		Missing(t, "%s is not runnable (%v); put python3.9 ... python3.13 on PATH as .ci/run does (PYENV_VERSION=3.11.7:3.12.1:3.10.13:3.9.18:3.13.0)", name, err)
		return ""
	}
	return strings.TrimSpace(string(out))
}

// Tool returns the path of the executable name on PATH, or reports it missing with how to get it.
func Tool(t TB, name, how string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, "%s is not on PATH (%s)", name, how)
		return ""
	}
	return p
}

// Root reports a missing precondition unless the test runs as root (what needs it: why).
func Root(t TB, why string) {
	t.Helper()
	if os.Geteuid() != 0 {
		Missing(t, "%s needs root (euid %d); .ci/run runs as root", why, os.Geteuid())
	}
}
