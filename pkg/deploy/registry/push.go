package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Result is what a push did.
type Result struct {
	Ref           string // repo@sha256:... (pinned by digest)
	Digest        v1.Hash
	BlobsUploaded int
	BlobsSkipped  int // already in the registry
	BytesUploaded int64
}

// Push writes img to ref (repo:tag). Blobs the registry already has are skipped (it is asked
// first), layers are uploaded concurrently (WithJobs), progress is logged at a steady cadence
// (WithProgressInterval: bytes done/total, rate, ETA; at most one line per interval and a last
// line at the end), and transient errors (408, 429, 5xx, dropped or reset connections) are
// retried with a bounded backoff (WithRetryBackoff).
func Push(ctx context.Context, img v1.Image, ref string, opts ...Option) (*Result, error) {
	o := newOptions(opts)
	r, err := parseRef(ref, o)
	if err != nil {
		return nil, err
	}
	digest, err := img.Digest()
	if err != nil {
		return nil, fmt.Errorf("pushing %q: computing the image digest: %w", ref, err)
	}
	blobs, err := imageBlobs(img)
	if err != nil {
		return nil, fmt.Errorf("pushing %q: %w", ref, err)
	}
	manifest, err := img.RawManifest()
	if err != nil {
		return nil, fmt.Errorf("pushing %q: reading the manifest: %w", ref, err)
	}
	total := int64(len(manifest))
	for _, b := range blobs {
		total += b.size
	}

	counter := newUploadCounter(o.transport)
	updates := make(chan v1.Update, 64)
	done := make(chan struct{})
	pl := &progressLog{log: o.logger, interval: o.progressInterval, ref: ref, total: total, now: time.Now}
	go pl.run(updates, done)
	ropts := append(remoteOptions(ctx, o, counter), remote.WithProgress(updates))
	err = remote.Write(r, img, ropts...)
	<-done
	if err != nil {
		return nil, fmt.Errorf("pushing %q: %w%s", ref, err, hint(err))
	}

	res := &Result{Ref: r.Context().Digest(digest.String()).String(), Digest: digest}
	for _, b := range blobs {
		if counter.wasUploaded(b.digest.String()) {
			res.BlobsUploaded++
			res.BytesUploaded += b.size
		} else {
			res.BlobsSkipped++
		}
	}
	o.logger.Info("pushed image", "ref", res.Ref, "blobs_uploaded", res.BlobsUploaded,
		"blobs_skipped", res.BlobsSkipped, "bytes_uploaded", res.BytesUploaded)
	return res, nil
}

// blob is one blob of an image.
type blob struct {
	digest v1.Hash
	size   int64
}

// imageBlobs lists the distinct blobs a push of img writes: its layers and its config.
func imageBlobs(img v1.Image) ([]blob, error) {
	seen := map[v1.Hash]bool{}
	var blobs []blob
	add := func(d v1.Hash, size int64) {
		if !seen[d] {
			seen[d] = true
			blobs = append(blobs, blob{digest: d, size: size})
		}
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("listing layers: %w", err)
	}
	for i, l := range layers {
		mt, err := l.MediaType()
		if err != nil {
			return nil, fmt.Errorf("layer %d: media type: %w", i, err)
		}
		if !mt.IsDistributable() {
			continue // remote.Write does not push foreign layers
		}
		d, err := l.Digest()
		if err != nil {
			return nil, fmt.Errorf("layer %d: digest: %w", i, err)
		}
		size, err := l.Size()
		if err != nil {
			return nil, fmt.Errorf("layer %d: size: %w", i, err)
		}
		add(d, size)
	}
	cd, err := img.ConfigName()
	if err != nil {
		return nil, fmt.Errorf("config digest: %w", err)
	}
	cfg, err := img.RawConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	add(cd, int64(len(cfg)))
	return blobs, nil
}

// hint says what a user can do about a registry error, if anything obvious.
func hint(err error) string {
	return hintFor(err, " (does the repository exist? ECR and ACR need it created before the first push)")
}

// hintFor is hint with the advice for a 404.
func hintFor(err error, notFound string) string {
	var terr *transport.Error
	if !errors.As(err, &terr) {
		return ""
	}
	switch terr.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
		return " (check the registry credentials: log in with docker/login-action or aliyun/acr-login, or refresh the ECR token)"
	case http.StatusNotFound:
		return notFound
	}
	return ""
}
