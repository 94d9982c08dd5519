// Package registry pushes runtime images to OCI registries (ECR, ACR, any distribution-spec
// registry) and pulls base images from them, with go-containerregistry doing the protocol work.
//
// Push skips blobs the registry already has, uploads layers concurrently, retries transient
// failures with a bounded backoff and logs its progress at a steady cadence. ECRLogin and
// EnsureECRRepository are the two ECR control-plane steps a push to Amazon ECR needs first.
package registry

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Defaults of the options.
const (
	DefaultJobs             = 4
	DefaultProgressInterval = 5 * time.Second
)

// DefaultRetryBackoff is how failed requests are retried unless WithRetryBackoff says otherwise:
// 3 attempts, waiting about 1s and then 3s.
var DefaultRetryBackoff = remote.Backoff{Duration: time.Second, Factor: 3, Jitter: 0.1, Steps: 3}

// retryStatusCodes are the HTTP answers that are retried: timeouts, rate limits and server errors.
var retryStatusCodes = []int{
	http.StatusRequestTimeout,
	http.StatusTooManyRequests,
	http.StatusInternalServerError,
	http.StatusBadGateway,
	http.StatusServiceUnavailable,
	http.StatusGatewayTimeout,
}

// Option configures Push and Pull.
type Option func(*options)

type options struct {
	auth             authn.Authenticator
	keychain         authn.Keychain
	jobs             int
	logger           *slog.Logger
	progressInterval time.Duration
	insecure         bool
	transport        http.RoundTripper
	backoff          remote.Backoff
}

// newOptions sets the defaults, in this one place, and applies opts over them.
func newOptions(opts []Option) *options {
	o := &options{
		keychain:         authn.DefaultKeychain,
		jobs:             DefaultJobs,
		logger:           slog.New(slog.DiscardHandler),
		progressInterval: DefaultProgressInterval,
		transport:        remote.DefaultTransport,
		backoff:          DefaultRetryBackoff,
	}
	for _, opt := range opts {
		opt(o)
	}
	return o
}

// WithAuth uses static credentials for the registry (for example from ECRLogin) instead of the
// keychain.
func WithAuth(auth authn.Authenticator) Option {
	return func(o *options) { o.auth = auth }
}

// WithKeychain looks credentials up in k (default authn.DefaultKeychain: the Docker config file,
// as docker/login-action and aliyun/acr-login leave it). WithAuth takes precedence.
func WithKeychain(k authn.Keychain) Option {
	return func(o *options) {
		if k != nil {
			o.keychain = k
		}
	}
}

// WithJobs sets how many blobs are uploaded at the same time (default 4; values below 1 mean 1).
func WithJobs(n int) Option {
	return func(o *options) { o.jobs = max(n, 1) }
}

// WithLogger sets the logger for progress and retries (default: discard).
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.logger = l
		}
	}
}

// WithProgressInterval sets how often a push logs its progress (default 5s); at most one line is
// logged per interval, and one more at the end.
func WithProgressInterval(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.progressInterval = d
		}
	}
}

// WithInsecure talks plain HTTP to the registry. It is accepted only for loopback registries
// (localhost, 127.0.0.1, [::1]), as used in tests and local development.
func WithInsecure(insecure bool) Option {
	return func(o *options) { o.insecure = insecure }
}

// WithTransport sets the HTTP transport under auth and retries (default remote.DefaultTransport).
func WithTransport(t http.RoundTripper) Option {
	return func(o *options) {
		if t != nil {
			o.transport = t
		}
	}
}

// WithRetryBackoff sets how failed requests are retried (default DefaultRetryBackoff). Steps is
// the number of attempts, so the backoff is always bounded.
func WithRetryBackoff(b remote.Backoff) Option {
	return func(o *options) { o.backoff = b }
}

// remoteOptions are the go-containerregistry options common to Push and Pull.
func remoteOptions(ctx context.Context, o *options, transport http.RoundTripper) []remote.Option {
	ropts := []remote.Option{
		remote.WithContext(ctx),
		remote.WithTransport(transport),
		remote.WithJobs(o.jobs),
		remote.WithRetryBackoff(o.backoff),
		remote.WithRetryStatusCodes(retryStatusCodes...),
		remote.WithRetryPredicate(retryPredicate(o.logger)),
		remote.WithUserAgent("lithops-runtime-action"),
	}
	if o.auth != nil {
		ropts = append(ropts, remote.WithAuth(o.auth))
	} else {
		ropts = append(ropts, remote.WithAuthFromKeychain(o.keychain))
	}
	return ropts
}
