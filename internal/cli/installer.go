package cli

import (
	"log/slog"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/config"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/cache"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/pip"
)

// newInstaller is the pip installer of a run: the wheel installer on, pip's index settings
// (PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, PIP_FIND_LINKS, PIP_NO_INDEX) told to it (for uv and for
// telling an unknown name from a missing wheel), uv resolving when the installer input asks for
// it or, with auto, when uv is on PATH, downloaded wheels kept next to the build cache, and wheels
// built from pure-Python source distributions kept there too.
func newInstaller(cfg *config.Config, sys System, logger *slog.Logger) *pip.Installer {
	// pip runs with the program's PIP_* settings (System.Getenv): uv and the index lookups see the same.
	opts := []pip.Option{pip.WithLogger(logger), pip.WithWheelInstaller(0), pip.WithIndex(pipIndex(sys.Getenv)), pip.WithEnv(pipEnv(sys.Getenv)...)}
	// pip checks Requires-Python against the interpreter that runs it, not --python-version (pip
	// 23.2: python3.11 resolves numpy 2.4 for a 3.12 runtime, python3.12 numpy 2.5): run pip with
	// the runtime's Python when this machine has it.
	if py, err := exec.LookPath("python" + cfg.Python.String()); err == nil {
		opts = append(opts, pip.WithPython(py))
	}
	if uv := uvPath(cfg.Installer); uv != "" {
		if cfg.Installer == "auto" {
			// A uv on PATH that does not run (a pyenv shim for another version) is not used.
			if out, err := exec.Command(uv, "--version").CombinedOutput(); err != nil {
				logger.Info("pip resolves the requirements: the uv on PATH does not run", "uv", uv, "error", firstLine(string(out)))
				uv = ""
			}
		}
		if uv != "" {
			logger.Info("uv resolves the requirements", "uv", uv)
			opts = append(opts, pip.WithUV(uv))
		}
	}
	if dir := wheelCacheDir(sys); dir != "" {
		opts = append(opts, pip.WithWheelCache(dir), pip.WithSourceBuilds(filepath.Join(dir, "built-from-source")))
	}
	return pip.NewInstaller(opts...)
}

// uvPath is the uv executable the installer input selects ("" for pip).
func uvPath(installer string) string {
	switch installer {
	case "pip":
		return ""
	case "auto", "uv", "":
		// installer: uv without uv on PATH is reported by the first uv run, with the fix.
		p, err := exec.LookPath("uv")
		if err != nil {
			if installer == "uv" {
				return "uv"
			}
			return ""
		}
		return p
	}
	return filepath.Clean(installer)
}

// pipIndex is pip's index configuration from its environment variables.
func pipIndex(getenv func(string) string) pip.Index {
	ix := pip.Index{
		URLs:      strings.Fields(getenv("PIP_INDEX_URL")),
		FindLinks: strings.Fields(getenv("PIP_FIND_LINKS")),
	}
	if extra := strings.Fields(getenv("PIP_EXTRA_INDEX_URL")); len(extra) > 0 {
		if len(ix.URLs) == 0 {
			ix.URLs = []string{"https://pypi.org/simple"}
		}
		ix.URLs = append(ix.URLs, extra...)
	}
	switch strings.ToLower(getenv("PIP_NO_INDEX")) {
	case "1", "true", "yes", "on":
		ix.NoIndex = true
	}
	return ix
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// wheelCacheDir is where downloaded wheels are kept: next to the build cache ("" when there is no
// cache directory).
func wheelCacheDir(sys System) string {
	dir, err := cache.DefaultDir(sys.Getenv("RUNNER_TOOL_CACHE"))
	if err != nil {
		return ""
	}
	return dir + "-wheels"
}

// pruneWheels removes the downloaded wheels no build used for cache.DefaultMaxAge.
func pruneWheels(sys System, logger *slog.Logger) {
	dir := wheelCacheDir(sys)
	if dir == "" {
		return
	}
	n, err := pip.PruneWheelCache(dir, cache.DefaultMaxAge)
	if err != nil {
		logger.Warn("wheel cache not pruned", "dir", dir, "error", err)
	} else if n > 0 {
		logger.Info("wheel cache pruned", "dir", dir, "removed", n)
	}
}
