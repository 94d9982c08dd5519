package awslambda

import (
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/bytesize"
	"io"
	"log/slog"
	"time"
)

// progressInterval is how often an upload in progress is logged: often enough to show life,
// rarely enough to keep CI logs short.
const progressInterval = 5 * time.Second

// progressReader logs an upload's progress (bytes, rate, ETA) at a steady cadence. It passes Seek
// through, so the SDK can rewind it for a retry (the count restarts with it).
type progressReader struct {
	r     io.ReadSeeker
	log   *slog.Logger
	what  string
	total int64

	done        int64
	start, last time.Time
	now         func() time.Time
}

func newProgressReader(r io.ReadSeeker, total int64, what string, log *slog.Logger) *progressReader {
	now := time.Now
	t := now()
	return &progressReader{r: r, log: log, what: what, total: total, start: t, last: t, now: now}
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.done += int64(n)
	if t := p.now(); t.Sub(p.last) >= progressInterval || (err == io.EOF && p.done == p.total && t.Sub(p.start) >= progressInterval) {
		p.last = t
		elapsed := t.Sub(p.start).Seconds()
		rate := float64(p.done) / max(elapsed, 0.001)
		eta := time.Duration(float64(p.total-p.done)/max(rate, 1)) * time.Second
		p.log.Info("uploading", "what", p.what, "progress", bytesize.Format(p.done)+"/"+bytesize.Format(p.total),
			"rate", bytesize.Format(int64(rate))+"/s", "eta", eta.Round(time.Second).String())
	}
	return n, err
}

func (p *progressReader) Seek(offset int64, whence int) (int64, error) {
	pos, err := p.r.Seek(offset, whence)
	if err == nil {
		p.done = pos
	}
	return pos, err
}
