package cache

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// DirName is the cache's directory name under the runner's tool cache or the user cache dir.
const DirName = "lithops-runtime-cache"

// metaFile is the metadata blob of an entry; the other files of an entry are its named files.
const metaFile = "meta.json"

// DefaultDir returns where the cache lives unless configured: DirName under runnerToolCache (the
// value of RUNNER_TOOL_CACHE on GitHub's runners, which the caller reads) when set, else under the
// user cache directory.
func DefaultDir(runnerToolCache string) (string, error) {
	if runnerToolCache != "" {
		return filepath.Join(runnerToolCache, DirName), nil
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("finding the build cache directory: %w: set the cache directory explicitly", err)
	}
	return filepath.Join(dir, DirName), nil
}

// Cache is a build cache in a directory.
type Cache struct {
	dir    string
	logger *slog.Logger
}

// Option configures a Cache.
type Option func(*Cache)

// WithLogger receives debug records of lookups and stores (default: discarded).
func WithLogger(l *slog.Logger) Option {
	return func(c *Cache) {
		if l != nil {
			c.logger = l
		}
	}
}

// New returns the cache in dir, creating the directory.
func New(dir string, opts ...Option) (*Cache, error) {
	c := &Cache{dir: dir, logger: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(c)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating the build cache %q: %w", dir, err)
	}
	return c, nil
}

// Dir is the cache's directory.
func (c *Cache) Dir() string { return c.dir }

// Entry is a cached build.
type Entry struct {
	// Key is the entry's key.
	Key string
	// Dir holds the entry's files.
	Dir string
	// Meta is the metadata blob stored with the files.
	Meta []byte
}

// Path returns where the entry's file name is.
func (e *Entry) Path(name string) string { return filepath.Join(e.Dir, name) }

var validKey = regexp.MustCompile(`^[0-9a-f]{64}$`)

func checkKey(key string) error {
	if !validKey.MatchString(key) {
		return fmt.Errorf("build cache key %q is not a hex SHA-256", key)
	}
	return nil
}

// Get returns the entry of key, or ok false when there is none.
func (c *Cache) Get(key string) (entry *Entry, ok bool, err error) {
	if err := checkKey(key); err != nil {
		return nil, false, err
	}
	dir := filepath.Join(c.dir, key)
	meta, err := os.ReadFile(filepath.Join(dir, metaFile))
	if errors.Is(err, fs.ErrNotExist) {
		c.logger.Debug("build cache miss", "key", key)
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading build cache entry %s: %w", key, err)
	}
	c.logger.Debug("build cache hit", "key", key)
	c.touch(dir)
	return &Entry{Key: key, Dir: dir, Meta: meta}, true, nil
}

// Put stores files (entry name -> path of the file to copy; names are plain file names) and meta
// under key. An existing entry of the key is kept: the same key means the same content.
func (c *Cache) Put(key string, files map[string]string, meta []byte) (*Entry, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	final := filepath.Join(c.dir, key)
	if _, err := os.Stat(filepath.Join(final, metaFile)); err == nil {
		c.touch(final)
		return &Entry{Key: key, Dir: final, Meta: meta}, nil
	}
	tmp, err := os.MkdirTemp(c.dir, ".tmp-"+key[:12]+"-")
	if err != nil {
		return nil, fmt.Errorf("storing build cache entry %s: %w", key, err)
	}
	defer os.RemoveAll(tmp)
	for name, src := range files {
		if name == metaFile || name != filepath.Base(name) || strings.HasPrefix(name, ".") {
			return nil, fmt.Errorf("storing build cache entry %s: invalid file name %q", key, name)
		}
		if err := LinkOrCopy(src, filepath.Join(tmp, name)); err != nil {
			return nil, fmt.Errorf("storing build cache entry %s: %w", key, err)
		}
	}
	if err := os.WriteFile(filepath.Join(tmp, metaFile), meta, 0o644); err != nil {
		return nil, fmt.Errorf("storing build cache entry %s: %w", key, err)
	}
	if err := os.Rename(tmp, final); err != nil {
		if _, statErr := os.Stat(filepath.Join(final, metaFile)); statErr == nil {
			return &Entry{Key: key, Dir: final, Meta: meta}, nil // another run stored it first
		}
		return nil, fmt.Errorf("storing build cache entry %s: %w", key, err)
	}
	c.logger.Debug("build cache stored", "key", key, "files", len(files))
	return &Entry{Key: key, Dir: final, Meta: meta}, nil
}

// LinkOrCopy makes dst a hard link to src, or a copy when linking is not possible (another file
// system). dst must not exist.
func LinkOrCopy(src, dst string) error {
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("copying %q: %w", src, err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("copying %q to %q: %w", src, dst, err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copying %q to %q: %w", src, dst, err)
	}
	return out.Close()
}
