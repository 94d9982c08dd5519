package registry

import (
	"bytes"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// fault is what testRegistry does to a request instead of serving it.
type fault int

const (
	serve fault = iota
	unavailable
	tooMany
	reset
)

// testRegistry is an in-process registry that counts blob uploads and can fail requests.
type testRegistry struct {
	srv  *httptest.Server
	host string

	mu      sync.Mutex
	uploads int // POST/PATCH/PUT under /v2/<name>/blobs/uploads that were served
	faults  int // requests answered with a fault
	fault   func(r *http.Request) fault
}

// newTestRegistry starts a registry; fault (nil: never) decides per request.
func newTestRegistry(t *testing.T, faultFn func(r *http.Request) fault) *testRegistry {
	t.Helper()
	tr := &testRegistry{fault: faultFn}
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	tr.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := serve
		if tr.fault != nil {
			tr.mu.Lock()
			f = tr.fault(r)
			tr.mu.Unlock()
		}
		if f != serve {
			tr.mu.Lock()
			tr.faults++
			tr.mu.Unlock()
		}
		switch f {
		case unavailable:
			http.Error(w, "try later", http.StatusServiceUnavailable)
			return
		case tooMany:
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		case reset:
			resetConnection(t, w)
			return
		}
		if isBlobUpload(r) {
			tr.mu.Lock()
			tr.uploads++
			tr.mu.Unlock()
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(tr.srv.Close)
	tr.host = strings.TrimPrefix(tr.srv.URL, "http://")
	return tr
}

// resetConnection closes the request's connection with a TCP RST.
func resetConnection(t *testing.T, w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		t.Errorf("hijacking the connection: %v", err)
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

func isBlobUpload(r *http.Request) bool {
	return strings.Contains(r.URL.Path, "/blobs/uploads") &&
		(r.Method == http.MethodPost || r.Method == http.MethodPatch || r.Method == http.MethodPut)
}

func (tr *testRegistry) blobUploads() int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.uploads
}

func (tr *testRegistry) faulted() int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.faults
}

// randomImage is an image of n random layers of size bytes each.
func randomImage(t *testing.T, size int64, n int64) v1.Image {
	t.Helper()
	img, err := random.Image(size, n)
	if err != nil {
		t.Fatalf("random.Image: %v", err)
	}
	return img
}

// remoteDigest reads ref back from the registry and returns its digest.
func remoteDigest(t *testing.T, ref string) v1.Hash {
	t.Helper()
	r, err := parseRef(ref, newOptions([]Option{WithInsecure(true)}))
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(r)
	if err != nil {
		t.Fatalf("remote.Image(%q): %v", ref, err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatalf("digest of %q: %v", ref, err)
	}
	return d
}

// blobSizes is the total compressed size of the layers and the size of the config of img.
func blobSizes(t *testing.T, img v1.Image) (layers int64, config int64) {
	t.Helper()
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		s, err := l.Size()
		if err != nil {
			t.Fatal(err)
		}
		layers += s
	}
	cfg, err := img.RawConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	return layers, int64(len(cfg))
}

// logBuffer is a concurrency-safe log sink.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Split(strings.TrimSpace(b.buf.String()), "\n")
}

func newTestLogger(b *logBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// fastRetry retries quickly, so that tests with faults stay fast.
var fastRetry = WithRetryBackoff(remote.Backoff{Duration: time.Millisecond, Factor: 2, Steps: 4})

// slowTransport delays every request, so that pushes take long enough for progress lines.
type slowTransport struct {
	delay time.Duration
	next  http.RoundTripper
}

func (s slowTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	time.Sleep(s.delay)
	return s.next.RoundTrip(r)
}
