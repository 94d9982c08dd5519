package awslambda

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestDownloadRetriesTransientFailures: the previous code of a rollback is fetched even when the
// first attempts fail with a 503 or a dropped connection; a 403 (expired URL) is not retried.
func TestDownloadRetriesTransientFailures(t *testing.T) {
	var calls int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		switch {
		case r.URL.Path == "/expired":
			http.Error(w, "expired", http.StatusForbidden)
		case calls == 1:
			http.Error(w, "busy", http.StatusServiceUnavailable)
		case calls == 2:
			hj, _ := w.(http.Hijacker)
			c, _, _ := hj.Hijack()
			c.Close()
		default:
			w.Write([]byte("PK zip"))
		}
	}))
	defer srv.Close()
	b := New(nil, nil, nil, Options{})
	data, err := b.download(context.Background(), srv.URL+"/code")
	if err != nil || string(data) != "PK zip" || calls != 3 {
		t.Errorf("download: %q, %v after %d calls", data, err, calls)
	}
	calls = 0
	if _, err := b.download(context.Background(), srv.URL+"/expired"); err == nil || calls != 1 {
		t.Errorf("expired URL: %v after %d calls", err, calls)
	}
}
