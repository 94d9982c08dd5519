package runtimeapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// ErrClosed is returned by Invoke once the server is closed.
var ErrClosed = errors.New("runtime api server closed")

// Server is an in-process Lambda Runtime API on 127.0.0.1 (a random port).
type Server struct {
	log  *slog.Logger
	arn  string
	ln   net.Listener
	http *http.Server

	turn   chan struct{}    // holds one token while an Invoke runs: invocations are sequential
	queue  chan *invocation // an Invoke hands its event to a waiting GET next
	closed chan struct{}

	mu        sync.Mutex
	inflight  map[string]*invocation // by request id: the runtime may post for these
	initErr   []byte                 // the body of POST /runtime/init/error, once reported
	initFail  chan struct{}          // closed when initErr is set
	closeOnce sync.Once
}

// NewServer starts a Runtime API server on 127.0.0.1 at a random port.
func NewServer(opts ...Option) (*Server, error) {
	cfg := defaults()
	for _, o := range opts {
		o(&cfg)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening on 127.0.0.1 for the runtime api: %w", err)
	}
	s := &Server{
		log:      cfg.log,
		arn:      cfg.arn,
		ln:       ln,
		turn:     make(chan struct{}, 1),
		queue:    make(chan *invocation),
		closed:   make(chan struct{}),
		inflight: map[string]*invocation{},
		initFail: make(chan struct{}),
	}
	s.http = &http.Server{Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("runtime api server stopped", "addr", s.Addr(), "err", err)
		}
	}()
	s.log.Debug("runtime api listening", "addr", s.Addr())
	return s, nil
}

// Addr returns host:port, the value for AWS_LAMBDA_RUNTIME_API.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Reset forgets an init error reported by the runtime. Call it when the runtime process has
// been replaced by a new one (Lambda starts a new execution environment after an init error
// or a timeout; see Result.Reset).
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.initErr != nil {
		s.initErr = nil
		s.initFail = make(chan struct{})
	}
}

// Close stops the server: waiting Invoke calls return ErrClosed and pending polls end.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.closed)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if e := s.http.Shutdown(ctx); e != nil {
			_ = s.http.Close()
			err = fmt.Errorf("closing the runtime api server on %s: %w", s.Addr(), e)
		}
	})
	return err
}

// initFailure returns the init error (nil if none) and a channel closed when one is reported.
func (s *Server) initFailure() ([]byte, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.initErr, s.initFail
}

// reportInitError records the runtime's init error; the first report wins.
func (s *Server) reportInitError(body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.initErr == nil {
		s.initErr = body
		close(s.initFail)
	}
}
