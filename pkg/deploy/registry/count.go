package registry

import (
	"net/http"
	"strings"
	"sync"
)

// uploadCounter is a transport that records which blobs the registry accepted an upload of: a
// PUT that completes an upload session (…/blobs/uploads/<id>?digest=sha256:…, or wherever the
// registry's Location pointed) and is answered 201. Blobs of the image that were never uploaded
// were already in the registry (or were mounted from another repository).
type uploadCounter struct {
	next http.RoundTripper

	mu       sync.Mutex
	uploaded map[string]bool // by digest
}

func newUploadCounter(next http.RoundTripper) *uploadCounter {
	return &uploadCounter{next: next, uploaded: map[string]bool{}}
}

// RoundTrip implements http.RoundTripper.
func (c *uploadCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	if err != nil || req.Method != http.MethodPut || resp.StatusCode != http.StatusCreated ||
		strings.Contains(req.URL.Path, "/manifests/") {
		return resp, err
	}
	if d := req.URL.Query().Get("digest"); d != "" {
		c.mu.Lock()
		c.uploaded[d] = true
		c.mu.Unlock()
	}
	return resp, err
}

// wasUploaded tells whether the blob with this digest was uploaded.
func (c *uploadCounter) wasUploaded(digest string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.uploaded[digest]
}
