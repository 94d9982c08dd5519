package pip

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Resolution is what pip resolved for a request, without installing it.
type Resolution struct {
	Distributions []ResolvedDistribution
}

// ResolvedDistribution is one distribution pip chose.
type ResolvedDistribution struct {
	Name      string
	Version   string
	Requested bool
	// URL is where pip found the wheel (file:// for a local wheelhouse).
	URL string
	// SHA256 is the wheel's hex digest as pip reports it ("" when pip reports none).
	SHA256 string
}

// WithWheelInstaller makes InstallRequirements let pip resolve (pip install --dry-run --report,
// with the same platform flags) and unpack the resolved wheels itself, jobs at a time (<= 0: twice
// the number of CPUs), instead of letting pip install them one after another. Wheels it does not
// support (see [UnpackWheels]) make it fall back to a plain pip install.
func WithWheelInstaller(jobs int) Option {
	return func(i *Installer) { i.unpack, i.jobs = true, jobs }
}

// errFallback says the wheel installer cannot do this request and pip must.
var errFallback = errors.New("falling back to pip install")

// Resolve runs pip's resolver for req (pip install --dry-run --report with req's platform flags)
// and returns the distributions it chose. A second call with the same request returns the first
// result without running pip again, so a caller keying a cache on it does not pay twice.
func (i *Installer) Resolve(ctx context.Context, req InstallRequest) (*Resolution, error) {
	if len(req.RequirementFiles) == 0 && len(req.Requirements) == 0 {
		return &Resolution{}, nil
	}
	// Hash-locked files take the extra requirements they pin; the memo is keyed on what pip is
	// given, so the install of the same request (adapted the same way) reuses the resolution.
	adapted, lock, err := lockedRequest(req)
	if err != nil {
		return nil, err
	}
	useUV := i.uv != "" && !hashLocked(req.RequirementFiles)
	res, err := i.resolveBuilding(ctx, func() (*Resolution, error) {
		if useUV {
			return i.resolveUV(ctx, adapted)
		}
		return i.resolve(ctx, adapted)
	})
	if err != nil {
		return nil, err
	}
	var names []string
	for _, d := range res.Distributions {
		names = append(names, d.Name)
	}
	if err := checkCovered(req.RequirementFiles, req.Requirements, lock, names); err != nil {
		return nil, err
	}
	return res, nil
}

// hashLocked reports whether requirement files are a hash lock (pip checks the hashes: uv's
// resolution is not used for them).
func hashLocked(files []string) bool {
	lock, err := ReadLock(files)
	return err == nil && lock != nil
}

// resolve is Resolve of a request pip accepts as it is, memoized.
func (i *Installer) resolve(ctx context.Context, req InstallRequest) (*Resolution, error) {
	key := requestKey(req) + strings.Join(i.sourceLinks(), " ")
	if r := i.resolvedFor(key); r != nil {
		return r, nil
	}
	reportFile, err := os.CreateTemp("", "pip-report-*.json")
	if err != nil {
		return nil, fmt.Errorf("creating pip's report file: %w", err)
	}
	reportPath := reportFile.Name()
	reportFile.Close()
	defer os.Remove(reportPath)
	scratch, err := os.MkdirTemp("", "pip-resolve-*")
	if err != nil {
		return nil, fmt.Errorf("creating pip's scratch target: %w", err)
	}
	defer os.RemoveAll(scratch)

	args := i.baseArgs(scratch, req.Platform)
	args = append(args, "--dry-run", "--quiet", "--report", reportPath)
	if req.NoDeps {
		args = append(args, "--no-deps")
	}
	for _, f := range req.RequirementFiles {
		args = append(args, "-r", f)
	}
	args = append(args, req.Requirements...)
	start := time.Now()
	if err := i.run(ctx, args, req); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(reportPath)
	if err != nil {
		return nil, fmt.Errorf("reading pip's install report: %w", err)
	}
	res, err := parseResolution(data)
	if err != nil {
		return nil, err
	}
	i.logger.Debug("pip resolved", "distributions", len(res.Distributions), "took", time.Since(start).Round(time.Millisecond))
	i.remember(key, res)
	return res, nil
}

// requestKey identifies a request's resolution (the target does not matter).
func requestKey(req InstallRequest) string {
	h := sha256.New()
	for _, f := range req.RequirementFiles {
		data, _ := os.ReadFile(f)
		fmt.Fprintf(h, "file %q %x\n", f, sha256.Sum256(data))
	}
	fmt.Fprintf(h, "no-deps %t\n", req.NoDeps)
	for _, r := range req.Requirements {
		fmt.Fprintf(h, "req %q\n", r)
	}
	fmt.Fprintf(h, "platform %q %v\n", req.Platform.Python, req.Platform.Tags())
	return hex.EncodeToString(h.Sum(nil))
}

// resolutionReport is the part of pip's --report JSON (format version 1) we read.
type resolutionReport struct {
	Install []struct {
		Requested    bool `json:"requested"`
		DownloadInfo struct {
			URL         string `json:"url"`
			ArchiveInfo struct {
				Hashes map[string]string `json:"hashes"`
				Hash   string            `json:"hash"`
			} `json:"archive_info"`
		} `json:"download_info"`
		Metadata struct {
			Name    string `json:"name"`
			Version string `json:"version"`
		} `json:"metadata"`
	} `json:"install"`
}

func parseResolution(data []byte) (*Resolution, error) {
	var r resolutionReport
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("reading pip's install report: %w", err)
	}
	res := &Resolution{}
	for _, in := range r.Install {
		sum := in.DownloadInfo.ArchiveInfo.Hashes["sha256"]
		if sum == "" {
			sum, _ = strings.CutPrefix(in.DownloadInfo.ArchiveInfo.Hash, "sha256=")
		}
		res.Distributions = append(res.Distributions, ResolvedDistribution{
			Name: in.Metadata.Name, Version: in.Metadata.Version, Requested: in.Requested,
			URL: in.DownloadInfo.URL, SHA256: sum,
		})
	}
	return res, nil
}

// installWheels is InstallRequirements' fast path: pip resolves, UnpackWheels installs. It returns
// errFallback (wrapped) when pip must do the install.
func (i *Installer) installWheels(ctx context.Context, req InstallRequest) (*Report, error) {
	res, err := i.Resolve(ctx, req)
	if err != nil {
		return nil, err
	}
	wheels, cleanup, err := i.fetchWheels(ctx, res, req.Platform)
	defer cleanup()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	plans, closeWheels, err := i.planWheels(ctx, wheels, req.Platform)
	defer closeWheels()
	if err != nil {
		var unsup *UnsupportedWheelError
		if errors.As(err, &unsup) {
			i.logger.Info("the wheel installer cannot install this tree: pip installs it", "reason", unsup.Error())
			return nil, fmt.Errorf("%w: %v", errFallback, err)
		}
		return nil, err
	}
	if err := installPlans(ctx, req.Target, plans, i.jobs); err != nil {
		return nil, err
	}
	i.logger.Info("installed wheels", "count", len(wheels), "target", req.Target, "took", time.Since(start).Round(time.Millisecond))
	rep := &Report{}
	names := metadataNames(plans)
	for _, d := range res.Distributions {
		top, err := TopLevel(req.Target, d.Name, d.Version)
		if err != nil {
			return nil, err
		}
		rep.Distributions = append(rep.Distributions, Distribution{Name: names.of(d.Name), Version: d.Version, Requested: d.Requested, TopLevel: top})
	}
	return rep, nil
}

// fetchWheels returns the resolved wheels as local files: those pip found on disk (a
// PIP_FIND_LINKS wheelhouse) as they are, the others fetched by one `pip download --no-deps` of
// the exact versions (pip's cache and index settings apply) into a temporary directory that
// cleanup removes. Downloaded wheels are checked against the resolver's hashes.
func (i *Installer) fetchWheels(ctx context.Context, res *Resolution, p Platform) ([]WheelFile, func(), error) {
	cleanup := func() {}
	var wheels []WheelFile
	var remote []ResolvedDistribution
	for _, d := range res.Distributions {
		u, err := url.Parse(d.URL)
		if err == nil && u.Scheme == "file" && strings.HasSuffix(u.Path, ".whl") {
			wheels = append(wheels, WheelFile{Path: filepath.FromSlash(u.Path), Requested: d.Requested})
			continue
		}
		if !strings.HasSuffix(strings.SplitN(d.URL, "#", 2)[0], ".whl") {
			return nil, cleanup, fmt.Errorf("%w: %s %s is not a wheel (%s)", errFallback, d.Name, d.Version, d.URL)
		}
		remote = append(remote, d)
	}
	if len(remote) > 0 && i.wheelCache != "" {
		var have map[string]string
		all := remote
		have, remote = i.downloadWheels(ctx, remote)
		for _, d := range all {
			if p, ok := have[d.Name]; ok {
				wheels = append(wheels, WheelFile{Path: p, Requested: d.Requested})
			}
		}
	}
	if len(remote) == 0 {
		return wheels, cleanup, nil
	}
	dir, err := os.MkdirTemp("", "pip-wheels-*")
	if err != nil {
		return nil, cleanup, fmt.Errorf("creating the wheel download directory: %w", err)
	}
	cleanup = func() { os.RemoveAll(dir) }
	args := []string{"-m", "pip", "download", "--no-deps", "--dest", dir}
	args = append(args, p.pipArgs()...)
	args = append(args, "--disable-pip-version-check", "--no-input", "--quiet")
	for _, d := range remote {
		args = append(args, d.Name+"=="+d.Version)
	}
	if err := i.run(ctx, args, InstallRequest{Platform: p}); err != nil {
		return nil, cleanup, err
	}
	for _, d := range remote {
		u, _ := url.Parse(d.URL)
		file := filepath.Join(dir, filepath.Base(u.Path))
		if d.SHA256 != "" {
			sum, err := fileSHA256(file)
			if err != nil {
				return nil, cleanup, fmt.Errorf("%w: pip download did not give %s: %v", errFallback, filepath.Base(file), err)
			}
			if sum != d.SHA256 {
				return nil, cleanup, fmt.Errorf("%w: %s has sha256 %s, pip resolved %s", errFallback, filepath.Base(file), sum, d.SHA256)
			}
		}
		wheels = append(wheels, WheelFile{Path: file, Requested: d.Requested})
	}
	return wheels, cleanup, nil
}

func fileSHA256(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// resolvedFor returns the resolution this installer already made for key (nil when none).
func (i *Installer) resolvedFor(key string) *Resolution {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.resolved[key]
}

// remember keeps res as the resolution of key for later requests of this installer.
func (i *Installer) remember(key string, res *Resolution) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.resolved == nil {
		i.resolved = map[string]*Resolution{}
	}
	i.resolved[key] = res
}
