// Package cache is a content-addressed store of built runtimes on disk: each entry is a set of
// named files (the zips) and a metadata blob, filed under a key that is the SHA-256 of everything
// the build depended on (see [Key]). Entries are written atomically (a temporary directory renamed
// into place) and never modified, so the directory can be shared between runs and persisted by
// actions/cache.
package cache
