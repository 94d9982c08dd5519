package aliyunfc_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy/aliyunfc"
)

// TestEndpointsOnlyFromValidatedParts gives account ids and regions that would turn the default
// endpoint (<account>.<region>.fc.aliyuncs.com, oss-<region>.aliyuncs.com) into another host, or
// explicit endpoints with a path or query: every client refuses to be made, and a listener at that
// host receives no request (before, signed requests reached it).
func TestEndpointsOnlyFromValidatedParts(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	host := srv.Listener.Addr().(*net.TCPAddr).String()
	evil := host + "/x?"
	cred := aliyunfc.Credentials{AccessKeyID: "LTAI5tExample", AccessKeySecret: "secret"}
	ctx := context.Background()
	use := func(t *testing.T, api aliyunfc.FunctionAPI, err error) {
		t.Helper()
		if err == nil {
			api.Get(ctx, "f")
			t.Errorf("client made")
		} else if !strings.Contains(err.Error(), "endpoint") {
			t.Errorf("error does not say which endpoint: %v", err)
		}
	}
	for _, tc := range []struct{ name, endpoint, region, account string }{
		{"account is a host", "", "cn-hangzhou", evil},
		{"region is a host", "", evil, "1234567890123456"},
		{"explicit endpoint with a path", "http://" + evil, "cn-hangzhou", "1234567890123456"},
	} {
		t.Run("fc3/"+tc.name, func(t *testing.T) {
			api, err := aliyunfc.NewFC3(tc.endpoint, tc.region, tc.account, cred)
			use(t, api, err)
		})
		t.Run("fc2/"+tc.name, func(t *testing.T) {
			api, err := aliyunfc.NewFC2(tc.endpoint, tc.region, tc.account, "lithops_ltai", cred)
			use(t, api, err)
		})
	}
	for _, tc := range []struct{ name, endpoint, region string }{
		{"region is a host", "", evil},
		{"explicit endpoint with a query", "http://" + evil, "cn-hangzhou"},
	} {
		t.Run("oss/"+tc.name, func(t *testing.T) {
			objects, err := aliyunfc.NewOSS(tc.endpoint, tc.region, cred)
			if err == nil {
				objects.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr("b"), Key: oss.Ptr("k")})
				t.Errorf("client made")
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the listener at %s received %d requests", host, n)
	}
}
