package config

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
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

// PythonProbe returns a Probe that runs python (e.g. "python3") from PATH.
func PythonProbe(python string) Probe {
	return func(ctx context.Context) (string, string, error) {
		var out, stderr bytes.Buffer
		cmd := exec.CommandContext(ctx, python, "-c", probeScript)
		cmd.Stdout, cmd.Stderr = &out, &stderr
		if err := cmd.Run(); err != nil {
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
