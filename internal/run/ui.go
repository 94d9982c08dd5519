package run

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/sethvargo/go-githubactions"
)

// UI is the pipeline's face: log lines, groups, masks, annotations, outputs and the step summary.
// In GitHub Actions (GITHUB_ACTIONS=true) it speaks workflow commands; elsewhere plain text.
// Every line it writes goes through a redactor that replaces secrets with ***.
type UI struct {
	inActions bool
	raw       io.Writer // the log stream itself: only add-mask commands are written here directly
	log       *redactor
	action    *githubactions.Action
	getenv    func(string) string
}

// NewUI returns a UI logging to log; getenv tells whether this is GitHub Actions and where the
// output and summary files are.
func NewUI(log io.Writer, getenv func(string) string) *UI {
	r := &redactor{w: log}
	return &UI{
		inActions: getenv("GITHUB_ACTIONS") == "true",
		raw:       log,
		log:       r,
		action:    githubactions.New(githubactions.WithWriter(r), githubactions.WithGetenv(getenv)),
		getenv:    getenv,
	}
}

// Mask makes sure s is never printed: registered with the runner in Actions, and replaced by ***
// in everything this UI writes. Call it before logging anything else.
func (u *UI) Mask(s string) {
	s = strings.TrimSpace(s)
	if len(s) < 3 { // masking "a" would garble every log line
		return
	}
	if u.inActions {
		// Written around the redactor: the runner consumes the command and hides the value.
		fmt.Fprintf(u.raw, "::add-mask::%s\n", s)
	}
	u.log.add(s)
}

// Logger returns a slog.Logger whose records become log lines of this UI.
func (u *UI) Logger() *slog.Logger {
	return slog.New(&lineHandler{ui: u})
}

// Infof logs one line.
func (u *UI) Infof(format string, args ...any) {
	fmt.Fprintf(u.log, format+"\n", args...)
}

// Warnf logs a warning (a warning annotation in Actions).
func (u *UI) Warnf(format string, args ...any) {
	if u.inActions {
		u.action.Warningf(format, args...)
		return
	}
	fmt.Fprintf(u.log, "warning: "+format+"\n", args...)
}

// Errorf logs an error (an error annotation in Actions), with an optional title.
func (u *UI) Errorf(title, format string, args ...any) {
	if u.inActions {
		a := u.action
		if title != "" {
			a = a.WithFieldsMap(map[string]string{"title": title})
		}
		a.Errorf(format, args...)
		return
	}
	fmt.Fprintf(u.log, "error: "+format+"\n", args...)
}

// Located is an error that knows the file and line it comes from (a requirements file line pip
// blamed, a Dockerfile step a builder named).
type Located interface {
	Location() (file string, line int)
}

// ErrorAt logs an error annotated at a file and line (of the workspace) when err, or an error it
// wraps, is Located; else as Errorf.
func (u *UI) ErrorAt(err error) {
	var loc Located
	msg := strings.TrimSpace(err.Error())
	if !errors.As(err, &loc) {
		u.Errorf("", "%s", msg)
		return
	}
	file, line := loc.Location()
	if file == "" {
		u.Errorf("", "%s", msg)
		return
	}
	if ws := u.getenv("GITHUB_WORKSPACE"); ws != "" {
		if rel, err := filepath.Rel(ws, file); err == nil && !strings.HasPrefix(rel, "..") {
			file = filepath.ToSlash(rel)
		}
	}
	if !u.inActions {
		if line > 0 {
			fmt.Fprintf(u.log, "error: %s:%d: %s\n", file, line, msg)
		} else {
			fmt.Fprintf(u.log, "error: %s: %s\n", file, msg)
		}
		return
	}
	fields := map[string]string{"file": file}
	if line > 0 {
		fields["line"] = strconv.Itoa(line)
	}
	u.action.WithFieldsMap(fields).Errorf("%s", msg)
}

// Group starts a collapsible section (a header line outside Actions).
func (u *UI) Group(title string) {
	if u.inActions {
		u.action.Group(title)
		return
	}
	fmt.Fprintf(u.log, "==> %s\n", title)
}

// EndGroup ends the section Group started.
func (u *UI) EndGroup() {
	if u.inActions {
		u.action.EndGroup()
	}
}

// Outputs publishes outputs: to $GITHUB_OUTPUT when set (each value in a block with its own
// random delimiter), and as name=value lines on stdout when not in GitHub Actions.
func (u *UI) Outputs(stdout io.Writer, outs Outputs) error {
	if path := u.getenv(outputVar); path != "" {
		var b strings.Builder
		for _, o := range outs {
			block, err := fileCommand(o.Name, u.log.redact(o.Value))
			if err != nil {
				return err
			}
			b.WriteString(block)
		}
		if err := appendFile(path, b.String()); err != nil {
			return fmt.Errorf("writing the outputs to %s=%s: %w", outputVar, path, fileProblem(err))
		}
	}
	if !u.inActions {
		for _, o := range outs {
			fmt.Fprintf(stdout, "%s=%s\n", o.Name, u.log.redact(o.Value))
		}
	}
	return nil
}

// Summary appends markdown to $GITHUB_STEP_SUMMARY when set; it reports whether it wrote.
func (u *UI) Summary(markdown string) (bool, error) {
	path := u.getenv(summaryVar)
	if path == "" {
		return false, nil
	}
	if err := appendFile(path, u.log.redact(markdown)+"\n"); err != nil {
		return false, fmt.Errorf("writing the step summary to %s=%s: %w", summaryVar, path, fileProblem(err))
	}
	return true, nil
}

// redactor replaces secrets in whatever is written through it. Writes are line-buffered so that a
// secret split across two writes is still caught.
type redactor struct {
	mu      sync.Mutex
	w       io.Writer
	secrets []string
	buf     bytes.Buffer
}

func (r *redactor) add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, x := range r.secrets {
		if x == s {
			return
		}
	}
	r.secrets = append(r.secrets, s)
	// Longest first, so a secret containing another is replaced whole.
	sort.Slice(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
}

func (r *redactor) redact(s string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.redactLocked(s)
}

func (r *redactor) redactLocked(s string) string {
	for _, x := range r.secrets {
		s = strings.ReplaceAll(s, x, "***")
	}
	return s
}

// Write buffers p and writes every complete line, redacted.
func (r *redactor) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.buf.Write(p)
	for {
		i := bytes.IndexByte(r.buf.Bytes(), '\n')
		if i < 0 {
			break
		}
		line := string(r.buf.Next(i + 1))
		// A log stream that fails (a closed pipe) must not stop, or panic, a deployment half way:
		// its error is dropped.
		_, _ = io.WriteString(r.w, r.redactLocked(line))
	}
	return len(p), nil
}

// Flush writes a pending partial line.
func (r *redactor) Flush() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.buf.Len() > 0 {
		io.WriteString(r.w, r.redactLocked(r.buf.String())+"\n")
		r.buf.Reset()
	}
}
