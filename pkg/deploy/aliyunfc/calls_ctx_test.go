package aliyunfc_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy/aliyunfc"
)

// TestCallsEndWithTheirContext: every FC call (FC 3.0 and FC 2.0) that FC does not answer ends
// when its context does (an interrupted run, a canceled smoke test), not when FC answers or the
// client's 15-minute read timeout passes. Before, the calls ignored their context: an interrupted
// run sat in the smoke test of a function that did not answer (Invoke), or in any call over a
// stalled connection.
func TestCallsEndWithTheirContext(t *testing.T) {
	for _, gen := range []struct {
		name string
		api  func(url string) (aliyunfc.FunctionAPI, error)
	}{
		{"FC3", func(url string) (aliyunfc.FunctionAPI, error) {
			return aliyunfc.NewFC3(url, "cn-hangzhou", "1234567890", aliyunfc.Credentials{AccessKeyID: "LTAI5tExample", AccessKeySecret: "secret"})
		}},
		{"FC2", func(url string) (aliyunfc.FunctionAPI, error) {
			return aliyunfc.NewFC2(url, "cn-hangzhou", "1234567890", "lithops", aliyunfc.Credentials{AccessKeyID: "LTAI5tExample", AccessKeySecret: "secret"})
		}},
	} {
		t.Run(gen.name, func(t *testing.T) { testCallsEndWithTheirContext(t, gen.name, gen.api) })
	}
}

func testCallsEndWithTheirContext(t *testing.T, gen string, newAPI func(url string) (aliyunfc.FunctionAPI, error)) {
	spec := aliyunfc.FunctionSpec{Name: "lithops-worker-x", Runtime: "python3.12", Handler: "entry_point.main", MemoryMB: 256, TimeoutSec: 60,
		Code: &aliyunfc.Code{ZipFile: []byte("PK\x05\x06" + strings.Repeat("\x00", 18))}}
	for _, tc := range []struct {
		name string
		call func(ctx context.Context, api aliyunfc.FunctionAPI) error
	}{
		{"Invoke", func(ctx context.Context, api aliyunfc.FunctionAPI) error {
			_, err := api.Invoke(ctx, spec.Name, []byte(`{"get_metadata": {}}`))
			return err
		}},
		{"Get", func(ctx context.Context, api aliyunfc.FunctionAPI) error {
			_, err := api.Get(ctx, spec.Name)
			return err
		}},
		{"Create", func(ctx context.Context, api aliyunfc.FunctionAPI) error { _, err := api.Create(ctx, spec); return err }},
		{"Update", func(ctx context.Context, api aliyunfc.FunctionAPI) error { _, err := api.Update(ctx, spec); return err }},
		{"Delete", func(ctx context.Context, api aliyunfc.FunctionAPI) error { return api.Delete(ctx, spec.Name, "") }},
		{"CodeURL", func(ctx context.Context, api aliyunfc.FunctionAPI) error {
			_, err := api.CodeURL(ctx, spec.Name)
			return err
		}},
		{"Prepare", func(ctx context.Context, api aliyunfc.FunctionAPI) error {
			_, err := api.Prepare(ctx, "acs:ram::1234567890:role/lithops", false)
			return err
		}},
		{"Tag", func(ctx context.Context, api aliyunfc.FunctionAPI) error {
			return api.Tag(ctx, spec.Name, map[string]string{"k": "v"})
		}},
	} {
		if gen == "FC2" && tc.name == "Tag" || gen == "FC3" && tc.name == "Prepare" {
			continue // FC 2.0 cannot tag functions; FC 3.0 prepares nothing
		}
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var answered atomic.Bool
			stop := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-r.Context().Done():
				case <-stop:
				case <-time.After(5 * time.Second): // FC answers late, so that the test ends before the fix too
					answered.Store(true)
					w.Write([]byte(`{}`))
				}
			}))
			defer srv.Close()
			api, err := newAPI(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			go func() { time.Sleep(100 * time.Millisecond); cancel() }()
			err = tc.call(ctx, api)
			close(stop)
			if err == nil || answered.Load() {
				t.Errorf("%s returned %v after FC answered (%v); want the context's end to end it", tc.name, err, answered.Load())
			}
		})
	}
}
