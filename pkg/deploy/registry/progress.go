package registry

import (
	"fmt"
	"log/slog"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/bytesize"
)

// progressLog turns go-containerregistry's progress updates into log lines at a steady cadence:
// at most one per interval while the push runs, and one at the end.
type progressLog struct {
	log      *slog.Logger
	interval time.Duration
	ref      string
	total    int64 // bytes of all blobs and the manifest, including those the registry has
	now      func() time.Time
}

// run consumes updates until the channel is closed (remote.Write closes it when it returns) and
// then logs the last line. It must run in its own goroutine: the pusher blocks on the channel.
func (p *progressLog) run(updates <-chan v1.Update, done chan<- struct{}) {
	defer close(done)
	start := p.now()
	tick := time.NewTicker(p.interval)
	defer tick.Stop()
	var complete int64
	for {
		select {
		case u, ok := <-updates:
			if !ok {
				p.line("push finished", start, complete)
				return
			}
			if u.Error == nil {
				complete = u.Complete
			}
		case <-tick.C:
			p.line("pushing", start, complete)
		}
	}
}

// line logs bytes done/total, the average rate and the estimated time left.
func (p *progressLog) line(msg string, start time.Time, done int64) {
	total := max(p.total, done)
	elapsed := p.now().Sub(start)
	var rate float64
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(done) / s
	}
	eta := "unknown"
	switch {
	case done >= total:
		eta = "0s"
	case rate > 0:
		eta = "<1s"
		if d := time.Duration(float64(total-done) / rate * float64(time.Second)); d >= time.Second {
			eta = d.Round(time.Second).String()
		}
	}
	pct := 100.0
	if total > 0 {
		pct = float64(done) * 100 / float64(total)
	}
	p.log.Info(msg,
		"ref", p.ref,
		"progress", fmt.Sprintf("%s/%s (%.0f%%)", bytesize.Format(done), bytesize.Format(total), pct),
		"rate", bytesize.Format(int64(rate))+"/s",
		"eta", eta,
		"elapsed", elapsed.Round(time.Millisecond).String(),
	)
}
