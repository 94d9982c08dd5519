package dockerfile

import (
	"context"
	"fmt"
	"strings"
)

// installHint says how to get a Dockerfile builder.
const installHint = `install one: Docker with a running daemon (https://docs.docker.com/engine/install/), ` +
	`or buildah or podman (e.g. "sudo apt-get install -y buildah")`

// chooseTool returns the tool to build with. "auto" takes docker when it is on PATH and its
// daemon answers, else buildah, else podman.
func (b *Builder) chooseTool(ctx context.Context, tool, dir string) (string, error) {
	switch tool {
	case ToolDocker, ToolBuildah, ToolPodman:
		if _, err := b.lookPath(tool); err != nil {
			return "", fmt.Errorf("the Dockerfile build tool %q is not on PATH: install it, or use tool \"auto\" to pick any of docker, buildah and podman: %w", tool, err)
		}
		b.logger.Info("Dockerfile builder: "+tool, "tool", tool, "reason", "requested")
		return tool, nil
	}
	var why []string
	if _, err := b.lookPath(ToolDocker); err != nil {
		why = append(why, "docker is not on PATH")
	} else if err := b.run(ctx, dir, ToolDocker, "info", "--format", "{{.ServerVersion}}"); err != nil {
		why = append(why, "docker is on PATH but its daemon does not answer (docker info failed)")
		b.logger.Debug("docker info failed", "error", err)
	} else {
		b.logger.Info("Dockerfile builder: docker", "tool", ToolDocker, "reason", "docker is on PATH and its daemon answers")
		return ToolDocker, nil
	}
	for _, t := range []string{ToolBuildah, ToolPodman} {
		if _, err := b.lookPath(t); err != nil {
			why = append(why, t+" is not on PATH")
			continue
		}
		b.logger.Info("Dockerfile builder: "+t, "tool", t, "reason", strings.Join(why, "; ")+"; "+t+" is on PATH")
		return t, nil
	}
	return "", fmt.Errorf("no Dockerfile build tool found (%s): %s", strings.Join(why, "; "), installHint)
}
