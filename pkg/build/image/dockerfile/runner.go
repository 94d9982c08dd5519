package dockerfile

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/proc"
)

// Runner runs one command: name and args in the working directory dir. On failure it returns an
// error holding the tail of the command's combined output.
type Runner func(ctx context.Context, dir, name string, args ...string) error

// tailLines is how many output lines a failed command's error keeps.
const tailLines = 40

// execRunner runs commands with os/exec, logging each output line at info level.
func execRunner(logger *slog.Logger, env []string) Runner {
	return func(ctx context.Context, dir, name string, args ...string) error {
		cmd := proc.Command(ctx, name, args...)
		cmd.Dir = dir
		if len(env) > 0 {
			cmd.Env = append(os.Environ(), env...) // the later of two values of a name wins
		}
		w := &lineLogger{logger: logger, tool: name}
		cmd.Stdout = w
		cmd.Stderr = w
		err := proc.Run(ctx, cmd)
		w.flush()
		if err != nil {
			return fmt.Errorf("running %s: %w\n%s", commandLine(name, args), err, w.tail())
		}
		return nil
	}
}

// commandLine is name and args as an error shows them: the values of --build-arg K=V are left
// out (K=…), since build arguments may be secret-ish.
func commandLine(name string, args []string) string {
	shown := append([]string{name}, args...)
	for i := 1; i < len(shown); i++ {
		if shown[i-1] == "--build-arg" {
			if k, _, ok := strings.Cut(shown[i], "="); ok {
				shown[i] = k + "=…"
			}
		}
	}
	return strings.Join(shown, " ")
}

// lineLogger is an io.Writer logging complete lines and keeping the last tailLines of them.
type lineLogger struct {
	logger *slog.Logger
	tool   string
	mu     sync.Mutex
	buf    []byte
	last   []string
}

func (w *lineLogger) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.line(string(w.buf[:i]))
		w.buf = w.buf[i+1:]
	}
	return len(p), nil
}

func (w *lineLogger) line(s string) {
	s = strings.TrimRight(s, "\r")
	w.logger.Info(s, "tool", w.tool)
	w.last = append(w.last, s)
	if len(w.last) > tailLines {
		w.last = w.last[len(w.last)-tailLines:]
	}
}

func (w *lineLogger) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		w.line(string(w.buf))
		w.buf = nil
	}
}

func (w *lineLogger) tail() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.last, "\n")
}
