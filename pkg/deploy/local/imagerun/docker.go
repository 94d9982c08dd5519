package imagerun

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// dockerAnswers checks that a Docker daemon responds; it returns why not otherwise.
func dockerAnswers(ctx context.Context, docker string) (bool, string) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, docker, "version", "--format", "{{.Server.Version}}").CombinedOutput()
	if err != nil {
		msg := strings.TrimSpace(string(out))
		if msg == "" {
			msg = err.Error()
		}
		return false, fmt.Sprintf("no Docker daemon answers (%s version: %s)", docker, msg)
	}
	return true, ""
}

// dockerLoad loads img into the daemon under a tag made from its digest and returns the tag.
func dockerLoad(ctx context.Context, docker string, img v1.Image) (string, error) {
	digest, err := img.Digest()
	if err != nil {
		return "", fmt.Errorf("computing the image digest: %w", err)
	}
	tag, err := name.NewTag("lithops-local/imagerun:" + digest.Hex[:16])
	if err != nil {
		return "", fmt.Errorf("naming the image for docker load: %w", err)
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(tarball.Write(tag, img, pw)) }()
	cmd := exec.CommandContext(ctx, docker, "load")
	cmd.Stdin = pr
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	pr.Close()
	if err != nil {
		return "", fmt.Errorf("docker load of %s: %w: %s", tag, err, strings.TrimSpace(out.String()))
	}
	return tag.String(), nil
}

// dockerRunCmd is docker run for the image: the container is removed when it exits, shares the
// host network (it reaches the Runtime API on 127.0.0.1), and gets Lambda's variables (the
// image's Env, Entrypoint and WorkingDir are applied by Docker).
func dockerRunCmd(docker, tag, container string, vars []string, cmdOverride []string) *exec.Cmd {
	args := []string{"run", "--rm", "--name", container, "--network", "host"}
	for _, kv := range vars {
		args = append(args, "-e", kv)
	}
	args = append(args, tag)
	args = append(args, cmdOverride...)
	cmd := exec.Command(docker, args...)
	cmd.SysProcAttr = hostAttr()
	return cmd
}

// dockerKill stops the container; SIGTERM is docker stop's, SIGKILL docker rm -f's.
func dockerKill(docker, container string) func(p *process, sig syscall.Signal) error {
	return func(p *process, sig syscall.Signal) error {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		args := []string{"rm", "-f", container}
		if sig == syscall.SIGTERM {
			args = []string{"stop", "--time", fmt.Sprint(int(stopGrace / time.Second)), container}
		}
		out, err := exec.CommandContext(ctx, docker, args...).CombinedOutput()
		if err != nil && !p.hasExited() {
			return fmt.Errorf("docker %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
		}
		return nil
	}
}

// dockerRemoveImage removes the loaded tag (best effort: the layers may be shared).
func dockerRemoveImage(docker, tag string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, docker, "rmi", tag).CombinedOutput(); err != nil {
		return fmt.Errorf("docker rmi %s: %w: %s", tag, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// randomSuffix names containers uniquely.
func randomSuffix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
