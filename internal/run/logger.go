package run

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
)

// lineHandler renders slog records as one plain line each ("message key=value ..."), debug
// records only when the UI shows debug output, warnings and errors as annotations.
type lineHandler struct {
	ui    *UI
	attrs []slog.Attr
	group string
}

func (h *lineHandler) Enabled(_ context.Context, level slog.Level) bool {
	return level >= slog.LevelInfo || h.ui.getenv("RUNNER_DEBUG") == "1"
}

func (h *lineHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	write := func(a slog.Attr) bool {
		if a.Equal(slog.Attr{}) {
			return true
		}
		key := a.Key
		if h.group != "" {
			key = h.group + "." + key
		}
		v := a.Value.Resolve().String()
		if strings.ContainsAny(v, " \t\"") {
			v = fmt.Sprintf("%q", v)
		}
		fmt.Fprintf(&b, " %s=%s", key, v)
		return true
	}
	for _, a := range h.attrs {
		write(a)
	}
	r.Attrs(write)
	switch {
	case r.Level >= slog.LevelError:
		h.ui.Errorf("", "%s", b.String())
	case r.Level >= slog.LevelWarn:
		h.ui.Warnf("%s", b.String())
	case r.Level < slog.LevelInfo:
		if h.ui.inActions {
			h.ui.action.Debugf("%s", b.String())
		} else {
			h.ui.Infof("debug: %s", b.String())
		}
	default:
		h.ui.Infof("%s", b.String())
	}
	return nil
}

func (h *lineHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	n := *h
	n.attrs = append(append([]slog.Attr(nil), h.attrs...), attrs...)
	return &n
}

func (h *lineHandler) WithGroup(name string) slog.Handler {
	n := *h
	if n.group != "" {
		name = n.group + "." + name
	}
	n.group = name
	return &n
}
