package awslambda

import (
	"bytes"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestProgressReaderCadence: one line per interval whatever the read sizes, with bytes, rate and
// ETA; a rewind (an SDK retry) restarts the count.
func TestProgressReaderCadence(t *testing.T) {
	var log bytes.Buffer
	data := bytes.Repeat([]byte("x"), 1000)
	p := newProgressReader(bytes.NewReader(data), int64(len(data)), "s3://b/k", slog.New(slog.NewTextHandler(&log, nil)))
	clock := p.start
	p.now = func() time.Time { return clock }
	buf := make([]byte, 10)
	for i := 0; i < 50; i++ { // 500 bytes over 50 reads and 12.5 s: lines at 5 s and 10 s
		clock = clock.Add(250 * time.Millisecond)
		if _, err := p.Read(buf); err != nil {
			t.Fatal(err)
		}
	}
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d progress lines, want 2:\n%s", len(lines), log.String())
	}
	for _, w := range []string{"progress=\"200 B/1000 B\"", `rate="40 B/s"`, "eta=20s"} {
		if !strings.Contains(lines[0], w) {
			t.Errorf("first line lacks %s: %s", w, lines[0])
		}
	}
	if pos, err := p.Seek(0, io.SeekStart); err != nil || pos != 0 || p.done != 0 {
		t.Errorf("rewind: pos %d done %d err %v", pos, p.done, err)
	}
}
