package fakealiyun

import (
	"io"
	"net/http"
	"net/url"
	"testing"
)

// TestOSSVirtualHostedThroughProxy: a client that has the fake OSS as its HTTP proxy reaches a
// bucket at OSS's own virtual-hosted endpoints (public and internal), as the OSS SDKs address it.
func TestOSSVirtualHostedThroughProxy(t *testing.T) {
	c := Start(t)
	if err := c.PutObject("lithops-cn-hangzhou-abc", "dir/obj.txt", []byte("hello")); err != nil {
		t.Fatal(err)
	}
	proxy, err := url.Parse(c.OSS.URL)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy)}}
	for _, host := range []string{"lithops-cn-hangzhou-abc.oss-cn-hangzhou.aliyuncs.com", "lithops-cn-hangzhou-abc.oss-cn-hangzhou-internal.aliyuncs.com"} {
		req, err := http.NewRequest(http.MethodGet, "http://"+host+"/dir/obj.txt", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "OSS "+AccessKeyID+":signature")
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || string(body) != "hello" {
			t.Errorf("GET through %s: %d %q", host, res.StatusCode, body)
		}
	}
}
