package registry

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
)

func TestPushRetriesTransientErrors(t *testing.T) {
	isBlob := func(r *http.Request) bool { return strings.Contains(r.URL.Path, "/blobs/") }
	// firstN fails the first n requests that match with f.
	firstN := func(n int, f fault, match func(*http.Request) bool) func(*http.Request) fault {
		return func(r *http.Request) fault {
			if match(r) && n > 0 {
				n--
				return f
			}
			return serve
		}
	}
	tests := []struct {
		name       string
		fault      func(*http.Request) fault
		wantFaults int
	}{
		{"503 on the first blob requests", firstN(3, unavailable, isBlob), 3},
		{"429 on the first blob requests", firstN(2, tooMany, isBlob), 2},
		{"connection reset on the first blob requests", firstN(3, reset, isBlob), 3},
		{"connection reset on uploads", firstN(2, reset, isBlobUpload), 2},
		{"503 on the manifest PUT", firstN(1, unavailable, func(r *http.Request) bool {
			return r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/")
		}), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := newTestRegistry(t, tt.fault)
			img := randomImage(t, 1024, 3)
			var logs logBuffer
			got, err := Push(context.Background(), img, reg.host+"/r:t",
				WithAuth(authn.Anonymous), WithInsecure(true), fastRetry, WithLogger(newTestLogger(&logs)))
			if err != nil {
				t.Fatalf("Push: %v", err)
			}
			if diff := cmp.Diff(tt.wantFaults, reg.faulted()); diff != "" {
				t.Errorf("faulted requests (-want +got):\n%s", diff)
			}
			want, _ := img.Digest()
			if diff := cmp.Diff(want, remoteDigest(t, got.Ref)); diff != "" {
				t.Errorf("digest read back (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(4, got.BlobsUploaded); diff != "" {
				t.Errorf("BlobsUploaded (-want +got):\n%s", diff)
			}
			if !strings.Contains(strings.Join(logs.lines(), "\n"), "retrying") {
				t.Errorf("no retry was logged:\n%s", strings.Join(logs.lines(), "\n"))
			}
		})
	}
}

func TestPushGivesUpAfterBoundedRetries(t *testing.T) {
	tests := []struct {
		name    string
		fault   fault
		wantErr string
	}{
		{"registry stays unavailable", unavailable, "503"},
		{"connection always reset", reset, "reset"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := newTestRegistry(t, func(r *http.Request) fault {
				if strings.Contains(r.URL.Path, "/blobs/") {
					return tt.fault
				}
				return serve
			})
			img := randomImage(t, 256, 1)
			_, err := Push(context.Background(), img, reg.host+"/r:t",
				WithAuth(authn.Anonymous), WithInsecure(true), fastRetry, WithJobs(1))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Push error = %v, want one containing %q", err, tt.wantErr)
			}
			// 2 blobs (layer, config), each tried at most Steps (4) times.
			if n := reg.faulted(); n < 2 || n > 2*4 {
				t.Errorf("registry saw %d failing requests, want 2..8 (bounded retries)", n)
			}
		})
	}
}
