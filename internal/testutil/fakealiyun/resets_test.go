package fakealiyun

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestNetworkFaults: a reset drops the connection before the call is served (no effect), a lost
// reply serves it and then drops the connection (the effect is there, the client gets no answer).
func TestNetworkFaults(t *testing.T) {
	for _, tc := range []struct {
		fault      *Error
		wantServed bool
	}{
		{ConnectionReset(), false},
		{LostReply(), true},
	} {
		served := false
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !network(tc.fault, w, func(w http.ResponseWriter) { served = true; w.WriteHeader(http.StatusOK) }) {
				t.Errorf("%s: not applied", tc.fault.Code)
			}
		}))
		resp, err := http.Get(srv.URL)
		if err == nil {
			resp.Body.Close()
			t.Errorf("%s: the client got an answer (%s)", tc.fault.Code, resp.Status)
		} else if !strings.Contains(err.Error(), "EOF") && !strings.Contains(err.Error(), "reset") {
			t.Errorf("%s: client error %v, want a dropped connection", tc.fault.Code, err)
		}
		if served != tc.wantServed {
			t.Errorf("%s: served %v, want %v", tc.fault.Code, served, tc.wantServed)
		}
		srv.Close()
	}
	if network(Throttle(), nil, nil) || network(nil, nil, nil) {
		t.Error("an error answer or no fault was taken for a network fault")
	}
}
