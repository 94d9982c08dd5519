package imagerun

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// FreePort returns a port on 127.0.0.1 nothing listens on, for Function.HTTPPort.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// HTTPResult is an FC custom container's answer to POST /invoke.
type HTTPResult struct {
	Status int
	Header http.Header
	Body   []byte
}

// startupTimeout bounds how long a custom container may take to listen on its port.
const startupTimeout = 60 * time.Second

// InvokeHTTP sends event to an FC custom container (Function.HTTPPort set) as FC does: it waits
// for the server to listen, sends POST /initialize once per process, then POST /invoke with the
// request id in x-fc-request-id, bounded by the function's timeout. It also returns the last 4 KB
// of what the process wrote since the previous invocation.
func (i *Instance) InvokeHTTP(ctx context.Context, event []byte, requestID string) (*HTTPResult, []byte, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.fn.HTTPPort == 0 {
		return nil, nil, fmt.Errorf("invoking %s over HTTP: the instance was not started with Function.HTTPPort", i.fn.Name)
	}
	if i.closed {
		return nil, nil, fmt.Errorf("invoking %s: the instance is closed", i.fn.Name)
	}
	if i.proc != nil && i.proc.hasExited() {
		i.proc, i.initialized = nil, false
	}
	if i.proc == nil {
		if err := i.startLocked(); err != nil {
			return nil, nil, fmt.Errorf("invoking %s: restarting the container: %w", i.fn.Name, err)
		}
	}
	base := "http://127.0.0.1:" + strconv.Itoa(i.fn.HTTPPort)
	res, err := i.httpInvokeLocked(ctx, base, event, requestID)
	tail, tailErr := outputSince(i.output, i.outMark)
	i.outMark = outputSize(i.output)
	if err != nil {
		return nil, tail, fmt.Errorf("invoking %s: %w", i.fn.Name, err)
	}
	return res, tail, tailErr
}

func (i *Instance) httpInvokeLocked(ctx context.Context, base string, event []byte, requestID string) (*HTTPResult, error) {
	deadline := time.Now().Add(startupTimeout)
	for {
		conn, err := net.DialTimeout("tcp", base[len("http://"):], time.Second)
		if err == nil {
			conn.Close()
			break
		}
		if i.proc.hasExited() {
			return nil, fmt.Errorf("the container exited before listening on port %d: %s", i.fn.HTTPPort, i.proc.exitStatus())
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("the container did not listen on port %d (FC_SERVER_PORT) within %s", i.fn.HTTPPort, startupTimeout)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	post := func(path string, body []byte, timeout time.Duration) (*HTTPResult, error) {
		rctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		req, err := http.NewRequestWithContext(rctx, http.MethodPost, base+path, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/octet-stream")
		req.Header.Set("x-fc-request-id", requestID)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		return &HTTPResult{Status: resp.StatusCode, Header: resp.Header, Body: data}, err
	}
	if !i.initialized {
		if _, err := post("/initialize", nil, startupTimeout); err != nil {
			return nil, fmt.Errorf("POST /initialize: %w", err)
		}
		i.initialized = true
	}
	res, err := post("/invoke", event, i.fn.Timeout)
	if err != nil {
		return nil, fmt.Errorf("POST /invoke: %w", err)
	}
	return res, nil
}
