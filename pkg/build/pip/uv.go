package pip

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// WithUV makes Resolve use uv (the executable at path) instead of pip's resolver: `uv pip compile`
// for the target platform (--python-platform, --python-version, --only-binary :all:) writes a
// PEP 751 lock (pylock.toml) listing the compatible wheels of every distribution, and of each the
// wheel pip would pick (pip's own tag priority, see supportedTags) is taken. The wheels, and so the
// artifacts, are the ones pip's resolver gives for the same versions. uv does not read PIP_*
// variables: it is given WithIndex's settings. Hash-locked requirements stay with pip.
func WithUV(path string) Option {
	return func(i *Installer) { i.uv = path }
}

// uvManylinux are the glibc minor versions uv's --python-platform knows (manylinux_2_N).
var uvManylinux = []int{40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 28, 17}

// uvPlatform is uv's --python-platform for p: the newest manylinux uv knows that p's glibc runs.
// (uv knows no tag between 2_17 and 2_28: a 2.26 platform resolves as manylinux_2_17, so a version
// with only manylinux_2_24/2_26 wheels is not chosen by uv where pip would take it.)
func uvPlatform(p Platform) string {
	arch := p.WheelArch()
	_, minor := p.glibc()
	for _, m := range uvManylinux {
		if m <= minor {
			return fmt.Sprintf("%s-manylinux_2_%d", arch, m)
		}
	}
	return arch + "-manylinux_2_17"
}

// resolveUV is resolve with uv.
func (i *Installer) resolveUV(ctx context.Context, req InstallRequest) (*Resolution, error) {
	key := "uv " + requestKey(req) + strings.Join(i.sourceLinks(), " ")
	if r := i.resolvedFor(key); r != nil {
		return r, nil
	}
	dir, err := os.MkdirTemp("", "uv-resolve-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	lock := filepath.Join(dir, "pylock.toml")
	args := []string{"pip", "compile", "--quiet", "--no-header", "--format", "pylock.toml", "-o", lock,
		"--python-platform", uvPlatform(req.Platform), "--python-version", req.Platform.Python, "--only-binary", ":all:"}
	if req.NoDeps {
		args = append(args, "--no-deps")
	}
	args = append(args, i.index.uvArgs()...)
	args = append(args, i.sourceLinks()...)
	args = append(args, req.RequirementFiles...)
	if len(req.Requirements) > 0 {
		extra := filepath.Join(dir, "requirements.txt")
		if err := os.WriteFile(extra, []byte(strings.Join(req.Requirements, "\n")+"\n"), 0o644); err != nil {
			return nil, err
		}
		args = append(args, extra)
	}
	start := time.Now()
	if err := i.runUV(ctx, args, req); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(lock)
	if err != nil {
		return nil, fmt.Errorf("reading uv's lock: %w", err)
	}
	res, err := parsePylock(data, supportedTags(req.Platform), requestedNames(req))
	if err != nil {
		return nil, err
	}
	i.logger.Debug("uv resolved", "distributions", len(res.Distributions), "took", time.Since(start).Round(time.Millisecond))
	i.remember(key, res)
	return res, nil
}

// runUV runs uv, logging its lines; a failure is reported like pip's (see ResolveError).
func (i *Installer) runUV(ctx context.Context, args []string, req InstallRequest) error {
	return i.runTool(ctx, "uv", i.uv, args, req, fmt.Sprintf("running uv (%s)", i.uv), "install it (pip install uv) or set installer: pip")
}

var (
	pylockName    = regexp.MustCompile(`(?m)^name = "([^"]+)"`)
	pylockVersion = regexp.MustCompile(`(?m)^version = "([^"]+)"`)
	pylockWheel   = regexp.MustCompile(`\{ (?:url|path) = "([^"]+)"[^\n]*?sha256 = "([0-9a-f]{64})"`)
)

// parsePylock reads uv's pylock.toml: each package's name, version and, of its wheels, the one
// with the most preferred tag in tags (pip's order).
func parsePylock(data []byte, tags []string, requested map[string]bool) (*Resolution, error) {
	rank := make(map[string]int, len(tags))
	for k, t := range tags {
		rank[t] = k
	}
	res := &Resolution{}
	blocks := strings.Split(string(data), "[[packages]]")
	for _, b := range blocks[1:] {
		name, version := pylockName.FindStringSubmatch(b), pylockVersion.FindStringSubmatch(b)
		if name == nil || version == nil {
			return nil, fmt.Errorf("uv's lock has a package without name or version:\n%s", b)
		}
		best, bestRank := ResolvedDistribution{}, len(tags)
		for _, w := range pylockWheel.FindAllStringSubmatch(b, -1) {
			r := wheelRank(path.Base(w[1]), rank)
			if r < bestRank {
				best, bestRank = ResolvedDistribution{URL: w[1], SHA256: w[2]}, r
			}
		}
		if bestRank == len(tags) {
			return nil, fmt.Errorf("uv chose %s %s, which has no wheel pip installs here (uv's lock lists: %s)",
				name[1], version[1], strings.Join(wheelNames(b), ", "))
		}
		best.Name, best.Version, best.Requested = name[1], version[1], requested[normalize(name[1])]
		res.Distributions = append(res.Distributions, best)
	}
	return res, nil
}

func wheelNames(block string) []string {
	var out []string
	for _, w := range pylockWheel.FindAllStringSubmatch(block, -1) {
		out = append(out, path.Base(w[1]))
	}
	return out
}

// wheelRank is the best rank of a wheel file name's tags (len(rank) when none is supported).
func wheelRank(file string, rank map[string]int) int {
	best := len(rank)
	parts := strings.Split(strings.TrimSuffix(file, ".whl"), "-")
	if len(parts) < 5 {
		return best
	}
	py, abi, plat := parts[len(parts)-3], parts[len(parts)-2], parts[len(parts)-1]
	for _, x := range strings.Split(py, ".") {
		for _, y := range strings.Split(abi, ".") {
			for _, z := range strings.Split(plat, ".") {
				if r, ok := rank[x+"-"+y+"-"+z]; ok && r < best {
					best = r
				}
			}
		}
	}
	return best
}

// requestedNames are the distributions a request names (its requirements and the requirement
// lines of its files), normalized: pip marks them REQUESTED.
func requestedNames(req InstallRequest) map[string]bool {
	names := map[string]bool{}
	for _, r := range req.Requirements {
		names[normalizeName(r)] = true
	}
	for _, f := range req.RequirementFiles {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n") {
			line, _, _ = strings.Cut(line, " #")
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "-") {
				continue
			}
			names[normalizeName(line)] = true
		}
	}
	return names
}
