package pip

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sync/atomic"
	"time"
)

// WithWheelCache makes the wheel installer download the resolved wheels itself, several at once,
// from the URLs the resolver reports, each checked against its reported sha256 and kept in dir
// under its hash: a wheel is downloaded once per machine, and the next build of a changed runtime
// reads the others from disk. Without it (or for a wheel whose download fails, e.g. from an index
// that needs pip's credentials) `pip download --no-deps` fetches them.
func WithWheelCache(dir string) Option { return func(i *Installer) { i.wheelCache = dir } }

// cachedWheel is where a wheel of this hash and file name is kept in the wheel cache.
func (i *Installer) cachedWheel(sum, name string) string {
	return filepath.Join(i.wheelCache, sum[:2], sum, name)
}

// downloadWheels puts the remote distributions' wheels into the wheel cache, jobs at a time, and
// returns the wheels it has and the distributions it could not fetch (for pip download).
func (i *Installer) downloadWheels(ctx context.Context, remote []ResolvedDistribution) (map[string]string, []ResolvedDistribution) {
	got := make([]string, len(remote))
	errs := make([]error, len(remote))
	jobs := i.jobs
	if jobs <= 0 {
		jobs = 8
	}
	start := time.Now()
	var fetched atomic.Int64
	forEach(ctx, len(remote), jobs, func(k int) error {
		d := remote[k]
		u, err := url.Parse(d.URL)
		if err != nil || d.SHA256 == "" || len(d.SHA256) != 64 {
			errs[k] = fmt.Errorf("no URL and sha256 to download %s %s", d.Name, d.Version)
			return nil
		}
		dst := i.cachedWheel(d.SHA256, path.Base(u.Path))
		if _, err := os.Stat(dst); err == nil {
			now := time.Now()
			os.Chtimes(dst, now, now) // used: PruneWheelCache keeps it
			got[k] = dst
			return nil
		}
		n, err := fetchTo(ctx, u.String(), dst, d.SHA256)
		if err != nil {
			errs[k] = err
			return nil
		}
		fetched.Add(n)
		got[k] = dst
		return nil
	})
	have := map[string]string{}
	var left []ResolvedDistribution
	for k, d := range remote {
		if got[k] != "" {
			have[d.Name] = got[k]
			continue
		}
		if errs[k] != nil {
			i.logger.Info("pip downloads a wheel the installer could not", "distribution", d.Name+"=="+d.Version, "reason", errs[k])
		}
		left = append(left, d)
	}
	i.logger.Debug("wheels fetched", "count", len(remote)-len(left), "downloaded_bytes", fetched.Load(), "took", time.Since(start).Round(time.Millisecond))
	return have, left
}

// fetchTo downloads url into dst (atomically), checking its sha256.
func fetchTo(ctx context.Context, url, dst, sum string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return 0, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".download-*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), resp.Body)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("GET %s: %w", url, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum {
		return 0, fmt.Errorf("GET %s: sha256 %s, the resolver reported %s", url, got, sum)
	}
	return n, os.Rename(tmp.Name(), dst)
}

// PruneWheelCache removes from a WithWheelCache directory the downloaded wheels not used for maxAge
// (every use refreshes a wheel's modification time); the wheels built from source are kept. It
// returns how many wheels it removed.
func PruneWheelCache(dir string, maxAge time.Duration) (int, error) {
	wheels, err := filepath.Glob(filepath.Join(dir, "??", "*", "*.whl"))
	if err != nil {
		return 0, err
	}
	removed := 0
	for _, w := range wheels {
		info, err := os.Stat(w)
		if err != nil || time.Since(info.ModTime()) <= maxAge {
			continue
		}
		if err := os.RemoveAll(filepath.Dir(w)); err != nil {
			return removed, err
		}
		removed++
	}
	return removed, nil
}
