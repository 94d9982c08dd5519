package image

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Load reads an image built by a Dockerfile builder from disk and normalizes it to want (see
// Normalize). path is one of:
//   - an OCI image layout directory (oci-layout, index.json, blobs/),
//   - an OCI archive: a tar of such a layout (buildx --output type=oci, buildah push oci-archive:),
//   - a docker-archive tar (docker save, buildah push docker-archive:) holding one image.
//
// A tar holding both an OCI layout and a docker save manifest.json (docker save with the containerd
// image store) is read as an OCI archive. The image is read lazily: path must stay on disk for as long
// as the image is used.
func Load(path string, want v1.Platform) (v1.Image, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("loading image %q: %w", path, err)
	}
	var x partial.Describable
	if fi.IsDir() {
		idx, err := layout.ImageIndexFromPath(path)
		if err != nil {
			return nil, fmt.Errorf("loading OCI image layout %q: %w", path, err)
		}
		x = idx
	} else {
		names, err := archiveNames(path)
		if err != nil {
			return nil, fmt.Errorf("loading image %q: %w", path, err)
		}
		switch {
		case names["index.json"]:
			idx, err := newArchiveIndex(&ociArchive{path: path})
			if err != nil {
				return nil, fmt.Errorf("loading OCI archive %q: %w", path, err)
			}
			x = idx
		case names["manifest.json"]:
			img, err := tarball.ImageFromPath(path, nil)
			if err != nil {
				return nil, fmt.Errorf("loading docker archive %q: %w", path, err)
			}
			x = img
		default:
			return nil, fmt.Errorf("loading image %q: neither an OCI archive (no index.json) nor a docker archive (no manifest.json)", path)
		}
	}
	img, err := Normalize(x, want)
	if err != nil {
		return nil, fmt.Errorf("loading image %q: %w", path, err)
	}
	return img, nil
}

// archiveNames lists the regular files of the tar at p, names cleaned ("./index.json" is "index.json").
func archiveNames(p string) (map[string]bool, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	names := map[string]bool{}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading tar: %w (is it an image archive?)", err)
		}
		if h.Typeflag == tar.TypeReg {
			names[path.Clean(h.Name)] = true
		}
	}
	return names, nil
}

// ociArchive reads files of an OCI layout stored in a tar, without extracting it.
type ociArchive struct{ path string }

// open returns the content of the file called name in the archive.
func (a *ociArchive) open(name string) (io.ReadCloser, error) {
	f, err := os.Open(a.path)
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			f.Close()
			return nil, fmt.Errorf("%s: not in the archive", name)
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("reading tar: %w", err)
		}
		if h.Typeflag == tar.TypeReg && path.Clean(h.Name) == name {
			return archiveReadCloser{Reader: tr, Closer: f}, nil
		}
	}
}

func (a *ociArchive) readFile(name string) ([]byte, error) {
	rc, err := a.open(name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

func blobName(h v1.Hash) string { return path.Join("blobs", h.Algorithm, h.Hex) }

func (a *ociArchive) blob(h v1.Hash) (io.ReadCloser, error) { return a.open(blobName(h)) }

// readBlob reads a blob and checks its digest.
func (a *ociArchive) readBlob(h v1.Hash) ([]byte, error) {
	b, err := a.readFile(blobName(h))
	if err != nil {
		return nil, err
	}
	got, _, err := v1.SHA256(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	if h.Algorithm == got.Algorithm && got != h {
		return nil, fmt.Errorf("blob %s has digest %s", h, got)
	}
	return b, nil
}

type archiveReadCloser struct {
	io.Reader
	io.Closer
}

// archiveIndex is an index (index.json or a nested index blob) of an ociArchive.
type archiveIndex struct {
	a         *ociArchive
	raw       []byte
	mediaType types.MediaType
	manifest  *v1.IndexManifest
}

var _ v1.ImageIndex = (*archiveIndex)(nil)

func newArchiveIndex(a *ociArchive) (*archiveIndex, error) {
	raw, err := a.readFile("index.json")
	if err != nil {
		return nil, err
	}
	return parseArchiveIndex(a, raw, types.OCIImageIndex)
}

func parseArchiveIndex(a *ociArchive, raw []byte, mt types.MediaType) (*archiveIndex, error) {
	m, err := v1.ParseIndexManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("parsing image index: %w", err)
	}
	if m.MediaType != "" {
		mt = m.MediaType
	}
	return &archiveIndex{a: a, raw: raw, mediaType: mt, manifest: m}, nil
}

func (i *archiveIndex) MediaType() (types.MediaType, error) { return i.mediaType, nil }
func (i *archiveIndex) Digest() (v1.Hash, error)            { return partial.Digest(i) }
func (i *archiveIndex) Size() (int64, error)                { return int64(len(i.raw)), nil }
func (i *archiveIndex) RawManifest() ([]byte, error)        { return i.raw, nil }

func (i *archiveIndex) IndexManifest() (*v1.IndexManifest, error) {
	m := *i.manifest
	return &m, nil
}

func (i *archiveIndex) descriptor(h v1.Hash) (v1.Descriptor, error) {
	for _, d := range i.manifest.Manifests {
		if d.Digest == h {
			return d, nil
		}
	}
	return v1.Descriptor{}, fmt.Errorf("%s: not in the image index", h)
}

func (i *archiveIndex) Image(h v1.Hash) (v1.Image, error) {
	d, err := i.descriptor(h)
	if err != nil {
		return nil, err
	}
	raw, err := i.a.readBlob(h)
	if err != nil {
		return nil, err
	}
	m, err := v1.ParseManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("parsing image manifest %s: %w", h, err)
	}
	mt := m.MediaType
	if mt == "" {
		mt = d.MediaType
	}
	if mt == "" {
		mt = types.OCIManifestSchema1
	}
	return partial.CompressedToImage(&archiveImage{a: i.a, raw: raw, mediaType: mt, manifest: m})
}

func (i *archiveIndex) ImageIndex(h v1.Hash) (v1.ImageIndex, error) {
	d, err := i.descriptor(h)
	if err != nil {
		return nil, err
	}
	raw, err := i.a.readBlob(h)
	if err != nil {
		return nil, err
	}
	return parseArchiveIndex(i.a, raw, d.MediaType)
}

// archiveImage is an image manifest of an ociArchive.
type archiveImage struct {
	a         *ociArchive
	raw       []byte
	mediaType types.MediaType
	manifest  *v1.Manifest
}

var _ partial.CompressedImageCore = (*archiveImage)(nil)

func (i *archiveImage) MediaType() (types.MediaType, error) { return i.mediaType, nil }
func (i *archiveImage) RawManifest() ([]byte, error)        { return i.raw, nil }
func (i *archiveImage) RawConfigFile() ([]byte, error) {
	return i.a.readBlob(i.manifest.Config.Digest)
}

func (i *archiveImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	if h == i.manifest.Config.Digest {
		return &archiveBlob{a: i.a, desc: i.manifest.Config}, nil
	}
	for _, d := range i.manifest.Layers {
		if d.Digest == h {
			return &archiveBlob{a: i.a, desc: d}, nil
		}
	}
	return nil, fmt.Errorf("layer %s: not in the image manifest", h)
}

// archiveBlob is a layer (or the config) of an archiveImage.
type archiveBlob struct {
	a    *ociArchive
	desc v1.Descriptor
}

func (b *archiveBlob) Digest() (v1.Hash, error)            { return b.desc.Digest, nil }
func (b *archiveBlob) Compressed() (io.ReadCloser, error)  { return b.a.blob(b.desc.Digest) }
func (b *archiveBlob) Size() (int64, error)                { return b.desc.Size, nil }
func (b *archiveBlob) MediaType() (types.MediaType, error) { return b.desc.MediaType, nil }
func (b *archiveBlob) Descriptor() (*v1.Descriptor, error) { d := b.desc; return &d, nil }
