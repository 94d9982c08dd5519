package imagerun

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestStartErrors(t *testing.T) {
	tests := []struct {
		name    string
		img     func(t *testing.T) v1.Image
		fn      Function
		opts    []Option
		wantErr string
	}{
		{
			name: "escaping entry",
			img: func(t *testing.T) v1.Image {
				return image(t, v1.Config{Entrypoint: []string{"/bootstrap"}},
					layer(t, entry{name: "../escape.txt", body: []byte("x")}))
			},
			opts:    []Option{WithIsolation(IsolationNone)},
			wantErr: `unsafe tar path "../escape.txt"`,
		},
		{
			name:    "no entrypoint",
			img:     func(t *testing.T) v1.Image { return image(t, v1.Config{}) },
			opts:    []Option{WithIsolation(IsolationNone)},
			wantErr: "the image has no ENTRYPOINT or CMD",
		},
		{
			name: "entrypoint missing from the image",
			img: func(t *testing.T) v1.Image {
				return image(t, v1.Config{Entrypoint: []string{"/nope"}}, layer(t, entry{name: "x", body: []byte("x")}))
			},
			opts:    []Option{WithIsolation(IsolationNone)},
			wantErr: `starting "/nope" (isolation none, working directory /)`,
		},
		{
			name: "command not in PATH",
			img: func(t *testing.T) v1.Image {
				return image(t, v1.Config{Entrypoint: []string{"python"}, Env: []string{"PATH=/usr/bin"}},
					layer(t, entry{name: "x", body: []byte("x")}))
			},
			opts:    []Option{WithIsolation(IsolationNone)},
			wantErr: `command "python" not found in the image's PATH "/usr/bin"`,
		},
		{
			name:    "unknown isolation",
			img:     func(t *testing.T) v1.Image { return image(t, v1.Config{Entrypoint: []string{"/x"}}) },
			opts:    []Option{WithIsolation("vm")},
			wantErr: `isolation "vm": unknown`,
		},
		{
			name:    "docker isolation without a daemon",
			img:     func(t *testing.T) v1.Image { return image(t, v1.Config{Entrypoint: []string{"/x"}}) },
			opts:    []Option{WithIsolation(IsolationDocker), WithDockerCommand("/nonexistent/docker")},
			wantErr: `isolation "docker": no Docker daemon answers`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmp := t.TempDir()
			inst, err := Start(t.Context(), tc.img(t), tc.fn, append(tc.opts, WithTempDir(tmp))...)
			if err == nil {
				inst.Close()
				t.Fatal("Start succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Start error %q, want it to contain %q", err, tc.wantErr)
			}
			if left, _ := os.ReadDir(tmp); len(left) != 0 {
				t.Errorf("a failed Start left %v in %s", left, tmp)
			}
		})
	}
}

func TestChooseIsolationAuto(t *testing.T) {
	cfg := defaults()
	cfg.docker = "/nonexistent/docker"
	mode, err := chooseIsolation(t.Context(), cfg)
	if os.Geteuid() == 0 {
		if err != nil || mode != IsolationChroot {
			t.Errorf("as root: chooseIsolation = %q, %v; want chroot", mode, err)
		}
		return
	}
	if !errors.Is(err, ErrNoIsolation) || !strings.Contains(err.Error(), "not running as root") {
		t.Errorf("not root, no docker: chooseIsolation = %q, %v; want ErrNoIsolation saying why", mode, err)
	}
}

func TestEnvironment(t *testing.T) {
	tests := []struct {
		name     string
		imageEnv []string
		fn       Function
		want     []string
	}{
		{
			name: "defaults, image without PATH or LAMBDA_TASK_ROOT",
			fn:   Function{}.withDefaults(),
			want: []string{
				"PATH=" + defaultPath, "LAMBDA_TASK_ROOT=/var/task",
				"AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001", "AWS_LAMBDA_FUNCTION_NAME=function",
				"AWS_LAMBDA_FUNCTION_VERSION=$LATEST", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
				"AWS_LAMBDA_FUNCTION_TIMEOUT=3", "AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
				"AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=us-east-1",
			},
		},
		{
			name:     "the image's PATH and LAMBDA_TASK_ROOT win, Lambda's variables override",
			imageEnv: []string{"PATH=/var/lang/bin:/usr/bin", "LAMBDA_TASK_ROOT=/app", "AWS_REGION=xx", "LANG=C.UTF-8"},
			fn:       Function{Name: "f", MemoryMB: 1024, Timeout: 1500 * time.Millisecond, Region: "eu-west-1"},
			want: []string{
				"PATH=/var/lang/bin:/usr/bin", "LAMBDA_TASK_ROOT=/app", "AWS_REGION=eu-west-1", "LANG=C.UTF-8",
				"AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001", "AWS_LAMBDA_FUNCTION_NAME=f",
				"AWS_LAMBDA_FUNCTION_VERSION=$LATEST", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=1024",
				"AWS_LAMBDA_FUNCTION_TIMEOUT=2", "AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
				"AWS_DEFAULT_REGION=eu-west-1",
			},
		},
		{
			name:     "FC custom container: the free port in FC_SERVER_PORT and in CAPort (Lithops' and FC's templates), the function's Env over the image's",
			imageEnv: []string{"PATH=/usr/local/bin:/usr/bin", "CAPort=9000", "APP_HOME=/function"},
			fn:       Function{Name: "f", MemoryMB: 512, Timeout: time.Second, Region: "cn-hangzhou", HTTPPort: 41234, Env: map[string]string{"APP_HOME": "/srv", "OSS_ENDPOINT": "http://127.0.0.1:1"}},
			want: []string{
				"PATH=/usr/local/bin:/usr/bin", "CAPort=41234", "APP_HOME=/srv", "OSS_ENDPOINT=http://127.0.0.1:1", "LAMBDA_TASK_ROOT=/var/task",
				"AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001", "AWS_LAMBDA_FUNCTION_NAME=f",
				"AWS_LAMBDA_FUNCTION_VERSION=$LATEST", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512",
				"AWS_LAMBDA_FUNCTION_TIMEOUT=1", "AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
				"AWS_REGION=cn-hangzhou", "AWS_DEFAULT_REGION=cn-hangzhou",
				"FC_SERVER_PORT=41234", "FC_FUNCTION_NAME=f", "FC_FUNCTION_MEMORY_SIZE=512", "FC_REGION=cn-hangzhou",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := environment(v1.Config{Env: tc.imageEnv}, tc.fn, "127.0.0.1:9001")
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("environment (-want +got):\n%s", diff)
			}
		})
	}
}

// fakeDocker is a docker CLI stand-in: it logs its calls, and "run" starts the test's bootstrap
// binary on the host with the -e variables, in FAKE_DOCKER_DIR.
const fakeDocker = `#!/bin/sh
echo "$*" >> "$FAKE_DOCKER_DIR/calls"
case "$1" in
version) echo 99.0 ;;
load) cat > "$FAKE_DOCKER_DIR/image.tar"; echo "Loaded image" ;;
run)
	shift
	while [ $# -gt 0 ]; do
		case "$1" in
		--rm) shift ;;
		--name) echo $$ > "$FAKE_DOCKER_DIR/$2.pid"; shift 2 ;;
		--network) shift 2 ;;
		-e) export "$2"; shift 2 ;;
		*) break ;;
		esac
	done
	shift # the image
	cd "$FAKE_DOCKER_DIR" && exec "$FAKE_DOCKER_BOOTSTRAP" "$@" ;;
stop) kill -TERM "$(cat "$FAKE_DOCKER_DIR/$4.pid")" ;;
rm) kill -KILL "$(cat "$FAKE_DOCKER_DIR/$3.pid")" 2>/dev/null; true ;;
rmi) ;;
*) exit 1 ;;
esac
`

func TestDockerIsolationCommands(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bootstrap")
	if err := os.WriteFile(bin, bootstrap(t), 0o755); err != nil {
		t.Fatal(err)
	}
	docker := filepath.Join(dir, "docker")
	if err := os.WriteFile(docker, []byte(fakeDocker), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FAKE_DOCKER_DIR", dir)
	t.Setenv("FAKE_DOCKER_BOOTSTRAP", bin)

	img := bootstrapImage(t)
	fn := Function{Name: "dock", Cmd: []string{"app.handler"}}
	inst, err := Start(t.Context(), img, fn, WithIsolation(IsolationDocker), WithDockerCommand(docker), WithTempDir(t.TempDir()))
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	res, tail, err := inst.Invoke(t.Context(), []byte(`{"x":1}`))
	if err != nil || res.FunctionError != "" {
		t.Fatalf("Invoke = %+v, %v; output %s", res, err, tail)
	}
	if !strings.Contains(string(res.Payload), `"function_name":"dock"`) {
		t.Errorf("payload %s: the -e variables did not reach the process", res.Payload)
	}
	if err := inst.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	b, err := os.ReadFile(filepath.Join(dir, "calls"))
	if err != nil {
		t.Fatal(err)
	}
	digest, _ := img.Digest()
	tag := "lithops-local/imagerun:" + digest.Hex[:16]
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		fields := strings.Fields(line)
		for i, f := range fields {
			switch {
			case strings.HasPrefix(f, "imagerun-"):
				fields[i] = "<container>"
			case strings.HasPrefix(f, "AWS_LAMBDA_RUNTIME_API=127.0.0.1:"):
				fields[i] = "AWS_LAMBDA_RUNTIME_API=<addr>"
			}
		}
		got = append(got, strings.Join(fields, " "))
	}
	want := []string{
		"version --format {{.Server.Version}}",
		"load",
		"run --rm --name <container> --network host" +
			" -e LAMBDA_TASK_ROOT=/var/task -e AWS_LAMBDA_RUNTIME_API=<addr> -e AWS_LAMBDA_FUNCTION_NAME=dock" +
			" -e AWS_LAMBDA_FUNCTION_VERSION=$LATEST -e AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128 -e AWS_LAMBDA_FUNCTION_TIMEOUT=3" +
			" -e AWS_LAMBDA_INITIALIZATION_TYPE=on-demand -e AWS_REGION=us-east-1 -e AWS_DEFAULT_REGION=us-east-1 " +
			tag + " app.handler",
		"stop --time 2 <container>",
		"rmi " + tag,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("docker calls (-want +got):\n%s", diff)
	}
	if fi, err := os.Stat(filepath.Join(dir, "image.tar")); err != nil || fi.Size() == 0 {
		t.Errorf("docker load got no image tarball: %v", err)
	}
}
