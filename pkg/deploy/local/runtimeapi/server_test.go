package runtimeapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// client speaks the runtime side of the protocol, as a Lambda runtime does.
type client struct {
	t    *testing.T
	base string
	http *http.Client
}

func newTestServer(t *testing.T, opts ...Option) (*Server, *client) {
	t.Helper()
	s, err := NewServer(opts...)
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	if !strings.HasPrefix(s.Addr(), "127.0.0.1:") {
		t.Fatalf("Addr() = %q, want 127.0.0.1:<port>", s.Addr())
	}
	return s, &client{t: t, base: "http://" + s.Addr() + "/2018-06-01/runtime", http: &http.Client{}}
}

// next polls for an event.
func (c *client) next() (http.Header, []byte) {
	c.t.Helper()
	resp, err := c.http.Get(c.base + "/invocation/next")
	if err != nil {
		c.t.Errorf("GET next: %v", err)
		return nil, nil
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		c.t.Errorf("GET next: status %d, body %s", resp.StatusCode, body)
	}
	return resp.Header, body
}

// post sends a body and returns the status code.
func (c *client) post(path string, body []byte, header map[string]string) int {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.base+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatalf("building POST %s: %v", path, err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Errorf("POST %s: %v", path, err)
		return 0
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

type invokeOutcome struct {
	res *Result
	err error
}

// invokeAsync runs Invoke in a goroutine.
func invokeAsync(ctx context.Context, s *Server, event string, timeout time.Duration) <-chan invokeOutcome {
	ch := make(chan invokeOutcome, 1)
	go func() {
		r, err := s.Invoke(ctx, []byte(event), timeout)
		ch <- invokeOutcome{r, err}
	}()
	return ch
}

func wait(t *testing.T, ch <-chan invokeOutcome) invokeOutcome {
	t.Helper()
	select {
	case o := <-ch:
		return o
	case <-time.After(5 * time.Second):
		t.Fatal("Invoke did not return within 5s")
		return invokeOutcome{}
	}
}

func TestInvokeOutcomes(t *testing.T) {
	tests := []struct {
		name    string
		timeout time.Duration
		// runtime answers the invocation it received; it returns the status it got.
		runtime    func(c *client, id string) int
		wantStatus int
		want       *Result // RequestID filled in by the test
		wantMsg    *regexp.Regexp
	}{
		{
			name:    "success",
			timeout: 5 * time.Second,
			runtime: func(c *client, id string) int {
				return c.post("/invocation/"+id+"/response", []byte(`{"ok":1}`), nil)
			},
			wantStatus: http.StatusAccepted,
			want:       &Result{Payload: []byte(`{"ok":1}`)},
		},
		{
			name:    "handler error",
			timeout: 5 * time.Second,
			runtime: func(c *client, id string) int {
				return c.post("/invocation/"+id+"/error",
					[]byte(`{"errorMessage":"boom","errorType":"ValueError","stackTrace":["a"]}`),
					map[string]string{headerErrorType: "ValueError"})
			},
			wantStatus: http.StatusAccepted,
			want: &Result{
				Payload:       []byte(`{"errorMessage":"boom","errorType":"ValueError","stackTrace":["a"]}`),
				FunctionError: "Unhandled",
			},
		},
		{
			name:    "handler error that is not a json object",
			timeout: 5 * time.Second,
			runtime: func(c *client, id string) int {
				return c.post("/invocation/"+id+"/error", []byte(`segfault`),
					map[string]string{headerErrorType: "Runtime.Crash"})
			},
			wantStatus: http.StatusAccepted,
			want: &Result{
				Payload:       []byte(`{"errorMessage":"segfault","errorType":"Runtime.Crash"}`),
				FunctionError: "Unhandled",
			},
		},
		{
			name:    "timeout, then a late response is refused",
			timeout: 150 * time.Millisecond,
			runtime: func(c *client, id string) int {
				time.Sleep(400 * time.Millisecond)
				return c.post("/invocation/"+id+"/response", []byte(`{"late":true}`), nil)
			},
			wantStatus: http.StatusBadRequest,
			want:       &Result{FunctionError: "Unhandled", Reset: true},
			wantMsg:    regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z [0-9a-f-]{36} Task timed out after 0\.15 seconds$`),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, c := newTestServer(t)
			ch := invokeAsync(t.Context(), s, `{"n":1}`, tc.timeout)
			h, body := c.next()
			id := h.Get(headerRequestID)
			if diff := cmp.Diff(`{"n":1}`, string(body)); diff != "" {
				t.Errorf("event (-want +got):\n%s", diff)
			}
			if got := tc.runtime(c, id); got != tc.wantStatus {
				t.Errorf("runtime's post: status %d, want %d", got, tc.wantStatus)
			}
			o := wait(t, ch)
			if o.err != nil {
				t.Fatalf("Invoke: %v", o.err)
			}
			want := *tc.want
			want.RequestID = id
			opts := []cmp.Option{}
			if tc.wantMsg != nil {
				var p struct{ ErrorMessage string }
				if err := json.Unmarshal(o.res.Payload, &p); err != nil || !tc.wantMsg.MatchString(p.ErrorMessage) {
					t.Errorf("payload %s: errorMessage does not match %v (%v)", o.res.Payload, tc.wantMsg, err)
				}
				opts = append(opts, cmpopts.IgnoreFields(Result{}, "Payload"))
			}
			if diff := cmp.Diff(&want, o.res, opts...); diff != "" {
				t.Errorf("Result (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNextHeaders(t *testing.T) {
	const arn = "arn:aws:lambda:eu-west-1:123456789012:function:f"
	s, c := newTestServer(t, WithFunctionARN(arn))
	before := time.Now()
	ch := invokeAsync(t.Context(), s, `{}`, 3*time.Second)
	h, _ := c.next()
	after := time.Now()
	id := h.Get(headerRequestID)
	c.post("/invocation/"+id+"/response", []byte(`null`), nil)
	o := wait(t, ch)
	if o.err != nil {
		t.Fatalf("Invoke: %v", o.err)
	}

	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(id) {
		t.Errorf("%s = %q, want a UUID", headerRequestID, id)
	}
	if id != o.res.RequestID {
		t.Errorf("%s = %q, Result.RequestID = %q: want equal", headerRequestID, id, o.res.RequestID)
	}
	ms, err := strconv.ParseInt(h.Get(headerDeadline), 10, 64)
	if err != nil {
		t.Errorf("%s = %q: %v", headerDeadline, h.Get(headerDeadline), err)
	}
	lo, hi := before.Add(3*time.Second).UnixMilli(), after.Add(3*time.Second).UnixMilli()
	if ms < lo || ms > hi {
		t.Errorf("%s = %d, want within [%d, %d] (pickup + timeout, epoch ms)", headerDeadline, ms, lo, hi)
	}
	if diff := cmp.Diff(arn, h.Get(headerFunctionARN)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", headerFunctionARN, diff)
	}
	if tr := h.Get(headerTraceID); !regexp.MustCompile(`^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$`).MatchString(tr) {
		t.Errorf("%s = %q, want an X-Ray trace header", headerTraceID, tr)
	}
}

func TestInitError(t *testing.T) {
	const initErr = `{"errorMessage":"Unable to import module 'app'","errorType":"Runtime.ImportModuleError","stackTrace":[]}`
	tests := []struct {
		name string
		// report posts the init error; with pending it runs while an Invoke waits for a poll.
		pending bool
	}{
		{name: "reported before the invocation"},
		{name: "reported while an invocation waits", pending: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, c := newTestServer(t)
			var ch <-chan invokeOutcome
			if tc.pending {
				ch = invokeAsync(t.Context(), s, `{}`, time.Second)
				time.Sleep(50 * time.Millisecond)
			}
			if got := c.post("/init/error", []byte(initErr), map[string]string{headerErrorType: "Runtime.ImportModuleError"}); got != http.StatusAccepted {
				t.Errorf("POST init/error: status %d, want 202", got)
			}
			if !tc.pending {
				ch = invokeAsync(t.Context(), s, `{}`, time.Second)
			}
			o := wait(t, ch)
			if o.err != nil {
				t.Fatalf("Invoke: %v", o.err)
			}
			want := &Result{Payload: []byte(initErr), FunctionError: "Unhandled", RequestID: o.res.RequestID, Reset: true}
			if diff := cmp.Diff(want, o.res); diff != "" {
				t.Errorf("Result (-want +got):\n%s", diff)
			}

			// A new runtime process: after Reset, invocations reach the runtime again.
			s.Reset()
			ch = invokeAsync(t.Context(), s, `{"again":1}`, time.Second)
			h, body := c.next()
			c.post("/invocation/"+h.Get(headerRequestID)+"/response", body, nil)
			o = wait(t, ch)
			if o.err != nil {
				t.Fatalf("Invoke after Reset: %v", o.err)
			}
			if diff := cmp.Diff(`{"again":1}`, string(o.res.Payload)); diff != "" {
				t.Errorf("payload after Reset (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSequentialInvokesQueue(t *testing.T) {
	s, c := newTestServer(t)
	events := []string{`{"i":0}`, `{"i":1}`, `{"i":2}`}
	var chans []<-chan invokeOutcome
	for _, e := range events {
		chans = append(chans, invokeAsync(t.Context(), s, e, 5*time.Second))
	}
	var got []string
	for range events {
		h, body := c.next()
		got = append(got, string(body))
		// While one invocation is in flight, no other event is handed out.
		short := &client{t: t, base: c.base, http: &http.Client{Timeout: 100 * time.Millisecond}}
		if resp, err := short.http.Get(c.base + "/invocation/next"); err == nil {
			resp.Body.Close()
			t.Errorf("a second GET next got status %d while an invocation was in flight, want it to block", resp.StatusCode)
		}
		if st := c.post("/invocation/"+h.Get(headerRequestID)+"/response", body, nil); st != http.StatusAccepted {
			t.Errorf("POST response: status %d", st)
		}
	}
	// Each Invoke gets the answer to its own event.
	for i, ch := range chans {
		o := wait(t, ch)
		if o.err != nil {
			t.Fatalf("Invoke %d: %v", i, o.err)
		}
		if diff := cmp.Diff(events[i], string(o.res.Payload)); diff != "" {
			t.Errorf("Invoke %d payload (-want +got):\n%s", i, diff)
		}
	}
	if diff := cmp.Diff(events, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("events seen by the runtime (-want +got):\n%s", diff)
	}
}

func TestProtocolErrors(t *testing.T) {
	s, c := newTestServer(t)
	tests := []struct {
		name string
		path string
		want int
	}{
		{name: "response for an unknown id", path: "/invocation/nope/response", want: http.StatusBadRequest},
		{name: "error for an unknown id", path: "/invocation/nope/error", want: http.StatusBadRequest},
		{name: "unknown path", path: "/invocation/x/other", want: http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.post(tc.path, []byte(`{}`), nil); got != tc.want {
				t.Errorf("POST %s: status %d, want %d", tc.path, got, tc.want)
			}
		})
	}

	t.Run("second answer to the same invocation", func(t *testing.T) {
		ch := invokeAsync(t.Context(), s, `{}`, time.Second)
		h, _ := c.next()
		id := h.Get(headerRequestID)
		if got := c.post("/invocation/"+id+"/response", []byte(`1`), nil); got != http.StatusAccepted {
			t.Errorf("first response: status %d, want 202", got)
		}
		if got := c.post("/invocation/"+id+"/error", []byte(`{}`), nil); got != http.StatusBadRequest {
			t.Errorf("second answer: status %d, want 400", got)
		}
		if o := wait(t, ch); o.err != nil || string(o.res.Payload) != "1" {
			t.Errorf("Invoke = %+v, %v; want payload 1", o.res, o.err)
		}
	})

	t.Run("oversized response", func(t *testing.T) {
		ch := invokeAsync(t.Context(), s, `{}`, 5*time.Second)
		h, _ := c.next()
		big := bytes.Repeat([]byte("a"), MaxPayloadBytes+1)
		if got := c.post("/invocation/"+h.Get(headerRequestID)+"/response", big, nil); got != http.StatusRequestEntityTooLarge {
			t.Errorf("oversized response: status %d, want 413", got)
		}
		o := wait(t, ch)
		if o.err != nil || o.res.FunctionError != "Unhandled" || !strings.Contains(string(o.res.Payload), "Function.ResponseSizeTooLarge") {
			t.Errorf("Invoke = %+v, %v; want an Unhandled Function.ResponseSizeTooLarge", o.res, o.err)
		}
	})
}

func TestInvokeErrors(t *testing.T) {
	tests := []struct {
		name    string
		event   string
		timeout time.Duration
		cancel  bool
		close   bool
		want    error // checked with errors.Is when set
		wantMsg string
	}{
		{name: "invalid event", event: `{`, timeout: time.Second, wantMsg: "the event must be JSON"},
		{name: "no timeout", event: `{}`, wantMsg: "the timeout must be positive"},
		{name: "context ends while waiting for a poll", event: `{}`, timeout: time.Second, cancel: true, want: context.Canceled},
		{name: "closed server", event: `{}`, timeout: time.Second, close: true, want: ErrClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newTestServer(t)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			if tc.cancel {
				time.AfterFunc(50*time.Millisecond, cancel)
			}
			if tc.close {
				if err := s.Close(); err != nil {
					t.Fatalf("Close: %v", err)
				}
			}
			_, err := s.Invoke(ctx, []byte(tc.event), tc.timeout)
			if err == nil {
				t.Fatal("Invoke succeeded, want an error")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("Invoke error %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("Invoke error %q, want it to contain %q", err, tc.wantMsg)
			}
		})
	}
}
