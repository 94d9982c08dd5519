package pip_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/pip"
)

// resolvers are the resolvers the failure tests run: pip always, uv when it is on PATH (.ci/run
// installs it).
func resolvers(t *testing.T) map[string][]pip.Option {
	out := map[string][]pip.Option{"pip": nil}
	if uv, err := exec.LookPath("uv"); err == nil {
		out["uv"] = []pip.Option{pip.WithUV(uv)}
	} else {
		t.Logf("uv is not on PATH (pip install uv): only pip's failures are checked")
	}
	return out
}

// pypiOnly makes pip use PyPI whatever the environment says.
func pypiOnly(t *testing.T) {
	for _, k := range []string{"PIP_NO_INDEX", "PIP_FIND_LINKS", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("PIP_CONFIG_FILE", os.DevNull)
}

func writeReqs(t *testing.T, text string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "requirements.txt")
	if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestResolveFailuresToldApart runs real pip (and uv) against real PyPI and a closed local port
// and checks each failure comes back as its own error, at the requirements line.
func TestResolveFailuresToldApart(t *testing.T) {
	pypiOnly(t)
	// A name nobody can have registered before this run: a random suffix chosen now.
	suffix := make([]byte, 8)
	rand.Read(suffix)
	unknown := "lithops-runtime-action-test-" + hex.EncodeToString(suffix)
	lithopsList := []string{"requests", "urllib3<2"}
	platform := pip.Platform{Python: "3.12", Arch: "x86_64", GlibcMajor: 2, GlibcMinor: 34}

	// A port nothing listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String() + "/simple"
	l.Close()

	for name, opts := range resolvers(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			t.Run("unknown name", func(t *testing.T) {
				f := writeReqs(t, "# deps\n"+unknown+"\n")
				_, err := pip.NewInstaller(append(opts, pip.WithWheelInstaller(0))...).Resolve(ctx, pip.InstallRequest{RequirementFiles: []string{f}, Platform: platform})
				t.Log(err)
				var nf *pip.NotFoundError
				if !errors.As(err, &nf) || !strings.Contains(err.Error(), "no version of "+unknown+" on the index") {
					t.Fatalf("got %v, want a NotFoundError", err)
				}
				if file, line := nf.Location(); file != f || line != 2 {
					t.Errorf("located at %s:%d, want %s:2", file, line, f)
				}
			})
			t.Run("no wheel for the platform", func(t *testing.T) {
				// pywin32 publishes Windows wheels only.
				f := writeReqs(t, "six\npywin32\n")
				_, err := pip.NewInstaller(append(opts, pip.WithWheelInstaller(0))...).Resolve(ctx, pip.InstallRequest{RequirementFiles: []string{f}, Platform: platform})
				t.Log(err)
				var nw *pip.NoWheelError
				if !errors.As(err, &nw) || !strings.Contains(err.Error(), "win_amd64") || !strings.Contains(err.Error(), "Python 3.12") {
					t.Fatalf("got %v, want a NoWheelError naming the Windows wheels there are", err)
				}
				if file, line := nw.Location(); file != f || line != 2 {
					t.Errorf("located at %s:%d, want %s:2", file, line, f)
				}
			})
			t.Run("conflict with Lithops' list", func(t *testing.T) {
				f := writeReqs(t, "six\nurllib3>=2\n")
				_, err := pip.NewInstaller(append(opts, pip.WithWheelInstaller(0))...).Resolve(ctx, pip.InstallRequest{RequirementFiles: []string{f}, Requirements: lithopsList, Platform: platform})
				t.Log(err)
				var ce *pip.ConflictError
				if !errors.As(err, &ce) {
					t.Fatalf("got %v, want a ConflictError", err)
				}
				for _, want := range []string{"urllib3>=2", "urllib3<2 comes from Lithops' own runtime dependencies"} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error lacks %q:\n%v", want, err)
					}
				}
				if file, line := ce.Location(); file != f || line != 2 {
					t.Errorf("located at %s:%d, want %s:2", file, line, f)
				}
			})
			t.Run("unreachable index", func(t *testing.T) {
				t.Setenv("PIP_INDEX_URL", closed)
				t.Setenv("PIP_RETRIES", "2")
				t.Setenv("UV_HTTP_RETRIES", "1")
				f := writeReqs(t, "six\n")
				ix := pip.Index{URLs: []string{closed}}
				_, err := pip.NewInstaller(append(opts, pip.WithWheelInstaller(0), pip.WithIndex(ix))...).Resolve(ctx, pip.InstallRequest{RequirementFiles: []string{f}, Platform: platform})
				t.Log(err)
				var ue *pip.IndexUnreachableError
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), "the index could not be reached") {
					t.Fatalf("got %v, want an IndexUnreachableError", err)
				}
				if name == "pip" && (!strings.Contains(ue.Reason, "pip retried 2 times") || strings.Count(ue.Output, "Retrying") > 0) {
					t.Errorf("pip's retries are not collapsed to one line: reason %q, output:\n%s", ue.Reason, ue.Output)
				}
			})
		})
	}
}
