//go:build !unix

package moto

import "testing"

// Server is a moto_server (Unix only: the tests that use it skip elsewhere).
type Server struct{ URL string }

// Start skips: moto_server is started and stopped as a process group, which needs Unix.
func Start(t *testing.T) *Server {
	t.Skip("moto_server tests run on Unix only")
	return nil
}

// CreateRole is not reached on this platform.
func (s *Server) CreateRole(t *testing.T, name string) string { return "" }
