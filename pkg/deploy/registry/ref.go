package registry

import (
	"fmt"
	"net"

	"github.com/google/go-containerregistry/pkg/name"
)

// parseRef parses ref, allowing plain HTTP when the options ask for it and the registry is on
// this machine.
func parseRef(ref string, o *options) (name.Reference, error) {
	var nopts []name.Option
	if o.insecure {
		nopts = append(nopts, name.Insecure)
	}
	r, err := name.ParseReference(ref, nopts...)
	if err != nil {
		return nil, fmt.Errorf("parsing image reference %q: %w (want registry/repository:tag)", ref, err)
	}
	if o.insecure && !isLoopback(r.Context().RegistryStr()) {
		return nil, fmt.Errorf("parsing image reference %q: plain HTTP is only allowed for localhost or 127.0.0.1 registries, not %q", ref, r.Context().RegistryStr())
	}
	return r, nil
}

// isLoopback tells whether the registry host[:port] is this machine.
func isLoopback(registry string) bool {
	host := registry
	if h, _, err := net.SplitHostPort(registry); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
