package zipbundle

import (
	"io"
	"io/fs"
	"log/slog"
	"runtime"
	"time"
)

// defaultModTime is the timestamp every entry carries unless [WithModTime] says otherwise: the
// earliest time a zip (MS-DOS) timestamp can represent.
func defaultModTime() time.Time { return time.Date(1980, time.January, 1, 0, 0, 0, 0, time.UTC) }

// DefaultLevel is the flate compression level used unless [WithLevel] says otherwise. Level 5 of
// klauspost/compress/flate compresses close to the standard library's level 6 at a fraction of
// its cost.
const DefaultLevel = 5

// Option configures [Write].
type Option func(*options)

type options struct {
	modTime     time.Time
	level       int
	concurrency int
	excludes    []func(relPath string, d fs.DirEntry) bool
	logger      *slog.Logger
	// spillThreshold is the size from which a file is compressed to a temporary file rather than
	// into memory.
	spillThreshold int64
	// window bounds the uncompressed bytes of the entries in flight (read or compressed but not yet
	// written to the archive).
	window int64
	// afterEntry, when set, is called after each entry is written (tests use it to cancel midway).
	afterEntry func(index int)
}

func makeOptions(opts ...Option) options {
	o := options{
		modTime:        defaultModTime(),
		level:          DefaultLevel,
		concurrency:    runtime.GOMAXPROCS(0),
		logger:         slog.New(slog.NewTextHandler(io.Discard, nil)),
		spillThreshold: 4 << 20,
		window:         64 << 20,
	}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithModTime sets the timestamp stored for every entry (pass SOURCE_DATE_EPOCH for reproducible
// builds). Zip timestamps have a two-second resolution and cover 1980 to 2107; times outside are
// clamped to that range. The default is 1980-01-01 00:00:00 UTC, the earliest zip timestamp.
func WithModTime(t time.Time) Option {
	return func(o *options) { o.modTime = t }
}

// WithLevel sets the flate compression level, 1 (fastest) to 9 (smallest), 0 to store every entry
// uncompressed, or -2 for Huffman-only. The default is [DefaultLevel].
func WithLevel(level int) Option {
	return func(o *options) { o.level = level }
}

// WithConcurrency sets how many entries are read and compressed at once; values below 1 mean 1. The
// output does not depend on it. The default is runtime.GOMAXPROCS(0).
func WithConcurrency(n int) Option {
	return func(o *options) { o.concurrency = n }
}

// WithExclude leaves out the files and directories (with their contents) for which exclude returns
// true. relPath is the slash-separated path relative to the source directory, d the entry as listed
// (for a symbolic link, the link itself). Several WithExclude options add up: an entry is left out
// when any says so. By default nothing is excluded beyond what is always left out: __pycache__
// directories and *.pyc files.
func WithExclude(exclude func(relPath string, d fs.DirEntry) bool) Option {
	return func(o *options) {
		if exclude != nil {
			o.excludes = append(o.excludes, exclude)
		}
	}
}

// WithLogger sets the logger that receives debug records about the bundles written. The default
// discards everything.
func WithLogger(logger *slog.Logger) Option {
	return func(o *options) {
		if logger != nil {
			o.logger = logger
		}
	}
}
