package deploy

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestFetchCodeRetriesTransientFailures: the previous code of a rollback is fetched even when the
// first attempts fail with a 503 or a dropped connection; a 403 (expired URL) is not retried.
func TestFetchCodeRetriesTransientFailures(t *testing.T) {
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
	data, err := FetchCode(context.Background(), http.DefaultClient, srv.URL+"/code", 1<<20, time.Millisecond)
	if err != nil || string(data) != "PK zip" || calls != 3 {
		t.Errorf("fetch: %q, %v after %d calls", data, err, calls)
	}
	calls = 0
	if _, err := FetchCode(context.Background(), http.DefaultClient, srv.URL+"/expired", 1<<20, time.Millisecond); err == nil || calls != 1 {
		t.Errorf("expired URL: %v after %d calls", err, calls)
	}
}
