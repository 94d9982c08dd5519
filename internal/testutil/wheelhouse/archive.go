package wheelhouse

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// epoch is the fixed modification time of every entry: the earliest a zip can hold.
var epoch = time.Date(1980, time.January, 1, 0, 0, 0, 0, time.UTC)

// generator names this package in the WHEEL file.
const generator = "lithops-runtime-action-wheelhouse"

// entry is one file of the wheel archive.
type entry struct {
	name string
	data []byte
}

// zipBytes returns the wheel archive: the files sorted by path, then the .dist-info files,
// RECORD last.
func (w Wheel) zipBytes() ([]byte, error) {
	entries := make([]entry, 0, len(w.Files)+4)
	for p, content := range w.Files {
		entries = append(entries, entry{p, []byte(content)})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	info := w.distInfo()
	entries = append(entries,
		entry{info + "/METADATA", []byte(w.metadata())},
		entry{info + "/WHEEL", []byte(w.wheelFile())},
		entry{info + "/top_level.txt", []byte(strings.Join(w.topLevel(), "\n") + "\n")},
	)
	entries = append(entries, entry{info + "/RECORD", []byte(record(entries, info+"/RECORD"))})

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: epoch}
		h.SetMode(0o644)
		f, err := zw.CreateHeader(h)
		if err != nil {
			return nil, fmt.Errorf("adding %q: %w", e.name, err)
		}
		if _, err := f.Write(e.data); err != nil {
			return nil, fmt.Errorf("writing %q: %w", e.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("closing zip: %w", err)
	}
	return buf.Bytes(), nil
}

// metadata returns the METADATA file (core metadata 2.1).
func (w Wheel) metadata() string {
	var b strings.Builder
	b.WriteString("Metadata-Version: 2.1\n")
	b.WriteString("Name: " + w.Name + "\n")
	b.WriteString("Version: " + w.Version + "\n")
	b.WriteString("Summary: offline test fixture for lithops-runtime-action (not the real " + w.Name + ")\n")
	for _, r := range w.Requires {
		b.WriteString("Requires-Dist: " + r + "\n")
	}
	return b.String()
}

// wheelFile returns the WHEEL file; a wheel is purelib unless its tag names an ABI or platform.
func (w Wheel) wheelFile() string {
	parts := strings.Split(w.tag(), "-")
	pure := parts[1] == "none" && parts[2] == "any"
	return "Wheel-Version: 1.0\n" +
		"Generator: " + generator + "\n" +
		"Root-Is-Purelib: " + strconv.FormatBool(pure) + "\n" +
		"Tag: " + w.tag() + "\n"
}

// record returns the RECORD file for entries: "path,sha256=<urlsafe b64, no padding>,size" per
// file, and the RECORD itself with empty hash and size.
func record(entries []entry, self string) string {
	var b strings.Builder
	for _, e := range entries {
		fmt.Fprintf(&b, "%s,%s,%d\n", e.name, RecordHash(e.data), len(e.data))
	}
	b.WriteString(self + ",,\n")
	return b.String()
}

// RecordHash returns data's hash as a wheel RECORD writes it: "sha256=" and the urlsafe base64
// of the digest without padding.
func RecordHash(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256=" + base64.RawURLEncoding.EncodeToString(sum[:])
}
