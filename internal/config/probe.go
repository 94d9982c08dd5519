package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/proc"
)

// probeScript prints the interpreter's major.minor and the importable lithops' version ("" if none).
const probeScript = `import sys
print("%d.%d" % sys.version_info[:2])
try:
    import lithops
    print(lithops.__version__)
except Exception:
    print("")
`

// ProbeTimeout bounds the interpreter probe (it imports lithops when installed: a few seconds).
var ProbeTimeout = 60 * time.Second

// PythonProbe returns a Probe that runs python (e.g. "python3") from PATH.
func PythonProbe(python string) Probe {
	return func(ctx context.Context) (string, string, error) {
		ctx, cancel := context.WithTimeout(ctx, ProbeTimeout)
		defer cancel()
		var out, stderr bytes.Buffer
		cmd := proc.Command(ctx, python, "-c", probeScript)
		cmd.Stdout, cmd.Stderr = &out, &stderr
		if err := proc.Run(ctx, cmd); err != nil {
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return "", "", fmt.Errorf("running %s: no answer after %s (a hung interpreter or pyenv shim?): check that `%s -c pass` returns", python, ProbeTimeout, python)
			}
			msg := strings.TrimSpace(stderr.String())
			if msg != "" {
				return "", "", fmt.Errorf("running %s: %w: %s", python, err, msg)
			}
			return "", "", fmt.Errorf("running %s: %w", python, err)
		}
		lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
		if len(lines) < 1 || lines[0] == "" {
			return "", "", fmt.Errorf("running %s: printed no version", python)
		}
		lx := ""
		if len(lines) > 1 {
			lx = strings.TrimSpace(lines[1])
		}
		return strings.TrimSpace(lines[0]), lx, nil
	}
}
