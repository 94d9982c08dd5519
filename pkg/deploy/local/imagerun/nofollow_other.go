//go:build !unix

package imagerun

// noFollow is not available here; extraction relies on O_EXCL after removing the old entry.
const noFollow = 0
