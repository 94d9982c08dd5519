package aliyunfc_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy/aliyunfc"
)

// TestFC3InvokeEndsWithItsContext: an FC 3.0 invocation that the function does not answer ends
// when its context does (an interrupted run, a canceled smoke test), not when the function
// answers or the client's 15-minute read timeout passes. Before, Invoke ignored its context: an
// interrupted run sat in the smoke test of a function that did not answer.
func TestFC3InvokeEndsWithItsContext(t *testing.T) {
	var answered atomic.Bool
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stop:
		case <-time.After(5 * time.Second): // a function that answers late, so that the test ends before the fix too
			answered.Store(true)
			w.Write([]byte(`{}`))
		}
	}))
	defer srv.Close()
	api, err := aliyunfc.NewFC3(srv.URL, "cn-hangzhou", "1234567890", aliyunfc.Credentials{AccessKeyID: "LTAI5tExample", AccessKeySecret: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	inv, err := api.Invoke(ctx, "lithops-worker-x", []byte(`{"get_metadata": {}}`))
	close(stop)
	if err == nil || answered.Load() {
		t.Errorf("Invoke returned %+v, %v after the function answered (%v); want the context's end to end it", inv, err, answered.Load())
	}
}
