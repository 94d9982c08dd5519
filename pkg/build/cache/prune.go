package cache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Defaults of the pruning the tool does after each run (see [Cache.Prune]).
const (
	// DefaultMaxAge is how long an entry no run has used is kept.
	DefaultMaxAge = 14 * 24 * time.Hour
	// DefaultMaxBytes bounds the cache's size; the least recently used entries go first.
	DefaultMaxBytes = 2 << 30
	// recentlyUsed entries are never removed: a run (this one, or another on the same machine)
	// may still be reading them.
	recentlyUsed = time.Hour
)

// Pruned is what Prune removed and kept.
type Pruned struct {
	Removed, Kept           int
	RemovedBytes, KeptBytes int64
}

// touch records that an entry was used now (its metadata file's modification time).
func (c *Cache) touch(dir string) {
	now := time.Now()
	if err := os.Chtimes(filepath.Join(dir, metaFile), now, now); err != nil {
		c.logger.Debug("build cache entry not touched", "dir", dir, "error", err)
	}
}

type entryInfo struct {
	dir      string
	lastUsed time.Time
	size     int64
}

// Prune removes the entries no run has used for maxAge, then the least recently used ones until
// the cache holds at most maxBytes, and abandoned partial stores; entries used in the last hour
// are kept whatever their size. An entry's last use is its last Get hit or its Put.
func (c *Cache) Prune(maxAge time.Duration, maxBytes int64) (Pruned, error) {
	items, err := os.ReadDir(c.dir)
	if err != nil {
		return Pruned{}, fmt.Errorf("listing the build cache %s: %w", c.dir, err)
	}
	now := time.Now()
	var entries []entryInfo
	var errs []error
	var res Pruned
	for _, it := range items {
		dir := filepath.Join(c.dir, it.Name())
		if !it.IsDir() {
			continue
		}
		if strings.HasPrefix(it.Name(), ".tmp-") {
			// A store that a killed run left half done.
			if fi, err := it.Info(); err == nil && now.Sub(fi.ModTime()) > recentlyUsed {
				errs = append(errs, os.RemoveAll(dir))
			}
			continue
		}
		if checkKey(it.Name()) != nil {
			continue // not ours
		}
		e := entryInfo{dir: dir}
		fi, err := os.Stat(filepath.Join(dir, metaFile))
		if err != nil {
			continue // incomplete: Get treats it as a miss, Put replaces it
		}
		e.lastUsed = fi.ModTime()
		filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				if info, err := d.Info(); err == nil {
					e.size += info.Size()
				}
			}
			return nil
		})
		entries = append(entries, e)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].lastUsed.After(entries[j].lastUsed) })
	var total int64
	for _, e := range entries {
		recent := now.Sub(e.lastUsed) < recentlyUsed
		if !recent && (now.Sub(e.lastUsed) > maxAge || total+e.size > maxBytes) {
			if err := os.RemoveAll(e.dir); err != nil {
				errs = append(errs, err)
				continue
			}
			res.Removed++
			res.RemovedBytes += e.size
			continue
		}
		total += e.size
		res.Kept++
		res.KeptBytes += e.size
	}
	if err := errors.Join(errs...); err != nil {
		return res, fmt.Errorf("pruning the build cache %s: %w", c.dir, err)
	}
	if res.Removed > 0 {
		c.logger.Debug("build cache pruned", "removed", res.Removed, "removed_bytes", res.RemovedBytes, "kept", res.Kept, "kept_bytes", res.KeptBytes)
	}
	return res, nil
}
