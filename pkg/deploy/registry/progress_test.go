package registry

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
)

func TestPushLogsProgress(t *testing.T) {
	// A progress line as slog's text handler writes it.
	lineRE := regexp.MustCompile(`msg=(pushing|"push finished") ref=\S+ progress="[0-9.]+ (B|KiB|MiB)/[0-9.]+ (B|KiB|MiB) \(\d+%\)" rate="[0-9.]+ (B|KiB|MiB)/s" eta=\S+ elapsed=\S+`)
	tests := []struct {
		name     string
		interval time.Duration
		delay    time.Duration // per request
		minLines int
	}{
		{"interval longer than the push: only the last line", time.Hour, 0, 1},
		{"tiny interval: steady lines, bounded", 2 * time.Millisecond, 3 * time.Millisecond, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := newTestRegistry(t, nil)
			img := randomImage(t, 64<<10, 4)
			var logs logBuffer
			start := time.Now()
			_, err := Push(context.Background(), img, reg.host+"/r:t",
				WithAuth(authn.Anonymous), WithInsecure(true), WithJobs(2),
				WithLogger(newTestLogger(&logs)), WithProgressInterval(tt.interval),
				WithTransport(slowTransport{delay: tt.delay, next: http.DefaultTransport}))
			elapsed := time.Since(start)
			if err != nil {
				t.Fatalf("Push: %v", err)
			}
			var progress []string
			for _, l := range logs.lines() {
				if strings.Contains(l, `msg=pushing`) || strings.Contains(l, `msg="push finished"`) {
					progress = append(progress, l)
				}
			}
			for _, l := range progress {
				if !lineRE.MatchString(l) {
					t.Errorf("progress line %q does not match %v", l, lineRE)
				}
			}
			// At most one line per interval, plus the last one.
			maxLines := int(elapsed/tt.interval) + 1
			if len(progress) < tt.minLines || len(progress) > maxLines {
				t.Errorf("got %d progress lines in %v, want between %d and %d:\n%s",
					len(progress), elapsed, tt.minLines, maxLines, strings.Join(progress, "\n"))
			}
			if len(progress) == 0 {
				return
			}
			last := progress[len(progress)-1]
			if !strings.Contains(last, `msg="push finished"`) || !strings.Contains(last, "(100%)") || !strings.Contains(last, "eta=0s") {
				t.Errorf("last progress line = %q, want push finished at 100%% with eta=0s", last)
			}
		})
	}
}
