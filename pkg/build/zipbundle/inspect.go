package zipbundle

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
)

// Inspect describes the zip file at zipPath, recomputing its sizes and hashes from disk.
//
// It refuses, naming the entry, the zips Extract refuses: absolute paths, "." or ".." components,
// backslashes, drive letters, symbolic links and other special files, duplicate names, and
// entries below a file entry. Such a zip is never one Write made, and must not be uploaded.
func Inspect(zipPath string) (*Bundle, error) {
	f, err := os.Open(zipPath)
	if err != nil {
		return nil, fmt.Errorf("inspecting %q: %w", zipPath, err)
	}
	defer f.Close()
	d := newDigester()
	if _, err := io.Copy(d, f); err != nil {
		return nil, fmt.Errorf("inspecting %q: %w", zipPath, err)
	}
	zr, err := zip.NewReader(f, d.count)
	if err != nil {
		return nil, fmt.Errorf("inspecting %q: %w", zipPath, err)
	}
	if _, err := checkEntries(zr.File); err != nil {
		return nil, fmt.Errorf("inspecting %q: %w", zipPath, err)
	}
	b := &Bundle{Path: zipPath}
	for _, zf := range zr.File {
		if isDirEntry(zf) {
			continue
		}
		b.Files++
		b.UnzippedSize += int64(zf.UncompressedSize64)
	}
	d.fill(b)
	return b, nil
}
