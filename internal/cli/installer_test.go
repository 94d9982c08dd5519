package cli

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/config"
)

// TestInstallerAutoSkipsABrokenUV: with installer auto, a uv on PATH that does not run (as a pyenv
// shim for another Python) leaves the resolving to pip instead of failing every build.
func TestInstallerAutoSkipsABrokenUV(t *testing.T) {
	dir := t.TempDir()
	script := "#!/bin/sh\necho 'pyenv: uv: command not found' >&2\nexit 127\n"
	if err := os.WriteFile(filepath.Join(dir, "uv"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	for _, tt := range []struct{ installer, want string }{
		{"auto", "pip resolves the requirements: the uv on PATH does not run"},
		{"uv", "uv resolves the requirements"}, // asked for: its failure is reported by the build
		{"pip", ""},
	} {
		var logs strings.Builder
		newInstaller(&config.Config{Installer: tt.installer}, System{Getenv: os.Getenv}, slog.New(slog.NewTextHandler(&logs, nil)))
		if tt.want == "" && strings.Contains(logs.String(), "uv") || tt.want != "" && !strings.Contains(logs.String(), tt.want) {
			t.Errorf("installer %s: log %q, want %q", tt.installer, logs.String(), tt.want)
		}
	}
}
