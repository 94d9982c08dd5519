// Package lambdabase builds, for tests, a stand-in for the AWS Lambda Python base image
// (public.ecr.aws/lambda/python), which cannot be pulled here: this machine's python3.X with its
// standard library and shared libraries, a minimal runtime interface client speaking the Lambda
// Runtime API as its entrypoint, LAMBDA_TASK_ROOT=/var/task, Docker media types, linux/amd64.
// Images built on it run under the local image runner (chroot) as Lambda would run them.
package lambdabase

import (
	"archive/tar"
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

//go:embed ric.py
var ric []byte

// excluded are parts of the standard library the stand-in does without (tests, GUIs, tooling).
var excluded = []string{"test", "idlelib", "tkinter", "turtledemo", "ensurepip", "lib2to3", "pydoc_data", "site-packages", "__pycache__", "config-"}

// excludedExtensions need libraries (X11, Tk, curses, NIS) a Lambda-like image does not have.
var excludedExtensions = []string{"_tkinter", "_curses", "readline", "nis", "_test", "xx", "_ctypes_test", "ossaudiodev", "spwd"}

var (
	mu    sync.Mutex
	built = map[string]v1.Image{}
)

// Image returns the stand-in base image for python ("3.12"), built once per process.
func Image(python string) (v1.Image, error) {
	mu.Lock()
	defer mu.Unlock()
	if img, ok := built[python]; ok {
		return img, nil
	}
	img, err := build(python)
	if err != nil {
		return nil, err
	}
	built[python] = img
	return img, nil
}

func build(python string) (v1.Image, error) {
	out, err := exec.Command("python"+python, "-c", "import sys, os; print(os.path.realpath(sys.executable)); print(sys.base_prefix)").Output()
	if err != nil {
		return nil, fmt.Errorf("python%s is needed to build the Lambda base stand-in: %w", python, err)
	}
	lines := strings.Fields(string(out))
	exe, prefix := lines[0], lines[1]
	files := map[string]string{} // image path -> host path
	files[exe] = exe
	stdlib := filepath.Join(prefix, "lib", "python"+python)
	err = filepath.WalkDir(stdlib, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(stdlib, p)
		for _, x := range excluded {
			if strings.HasPrefix(d.Name(), x) && (d.IsDir() || x == "config-") {
				return filepath.SkipDir
			}
		}
		if d.IsDir() {
			return nil
		}
		if strings.HasPrefix(rel, "lib-dynload/") {
			for _, x := range excludedExtensions {
				if strings.HasPrefix(d.Name(), x) {
					return nil
				}
			}
		}
		files[p] = p
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Shared libraries of the interpreter and the extension modules kept.
	var elfs []string
	for p := range files { // (before the links and the runtime client are added)
		if p == exe || strings.HasSuffix(p, ".so") {
			elfs = append(elfs, p)
		}
	}
	for _, e := range elfs {
		out, err := exec.Command("ldd", e).Output()
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(out), "\n") {
			f := strings.Fields(line)
			switch {
			case len(f) >= 3 && f[1] == "=>" && strings.HasPrefix(f[2], "/"):
				files[f[2]] = f[2]
			case len(f) >= 1 && strings.HasPrefix(f[0], "/"): // the dynamic loader
				files[f[0]] = f[0]
			}
		}
	}
	// The C and C++ runtime libraries whole, as the real base has them (glibc, libgcc, libstdc++,
	// zlib), not only what the interpreter links: wheels' extensions link others (libpthread.so.0).
	if out, err := exec.Command("dpkg", "-L", "libc6", "libgcc-s1", "libstdc++6", "zlib1g").Output(); err == nil {
		for _, p := range strings.Fields(string(out)) {
			if !strings.Contains(filepath.Base(p), ".so") || strings.HasPrefix(p, "/usr/share") {
				continue
			}
			if st, err := os.Lstat(p); err == nil && !st.IsDir() {
				if st.Mode()&os.ModeSymlink != 0 {
					if target, err := os.Readlink(p); err == nil {
						files[p] = "link:" + target
					}
					continue
				}
				files[p] = p
			}
		}
	}
	files["/var/runtime/bootstrap.py"] = ""
	// python3 on PATH, as /var/lang/bin/python3 in the AWS base image.
	files["/var/lang/bin/python3"] = "link:" + exe
	files["/var/lang/bin/python"] = "link:" + exe
	// A shell and the few tools Dockerfile RUN steps of Lithops' templates use (busybox-static).
	if _, err := os.Stat("/bin/busybox"); err == nil {
		files["/bin/busybox"] = "/bin/busybox"
		for _, tool := range []string{"sh", "mkdir", "touch", "mv", "rm", "cp", "ls", "cat", "echo", "env"} {
			files["/bin/"+tool] = "link:/bin/busybox"
		}
	}

	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(writeTar(pw, files)) }()
		return pr, nil
	}, tarball.WithMediaType(types.DockerLayer), tarball.WithCompressedCaching)
	if err != nil {
		return nil, err
	}
	epoch := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	img, err := mutate.Append(mutate.MediaType(mutate.ConfigMediaType(empty.Image, types.DockerConfigJSON), types.DockerManifestSchema2),
		mutate.Addendum{Layer: layer, History: v1.History{Created: v1.Time{Time: epoch}, CreatedBy: "lambdabase: python" + python + " and a runtime interface client"}})
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Created = "linux", "amd64", v1.Time{Time: epoch}
	cf.Config.Entrypoint = []string{exe, "/var/runtime/bootstrap.py"}
	cf.Config.Cmd = []string{"function.handler"}
	cf.Config.WorkingDir = "/var/task"
	cf.Config.Env = []string{"PATH=/var/lang/bin:/usr/local/bin:/usr/bin:/bin", "LANG=en_US.UTF-8", "LAMBDA_TASK_ROOT=/var/task", "LAMBDA_RUNTIME_DIR=/var/runtime"}
	return mutate.ConfigFile(img, cf)
}

// writeTar writes files (image path -> host path; "" is the runtime client) with their parent
// directories, deterministically.
func writeTar(w io.Writer, files map[string]string) error {
	tw := tar.NewWriter(w)
	dirs := map[string]bool{"var/task/": true, "tmp/": true, "var/runtime/": true, "var/": true, "dev/": true, "proc/": true, "etc/": true}
	var names []string
	for p := range files {
		names = append(names, p)
		for d := filepath.Dir(p); d != "/" && d != "."; d = filepath.Dir(d) {
			dirs[strings.TrimPrefix(d, "/")+"/"] = true
		}
	}
	var all []string
	for d := range dirs {
		all = append(all, d)
	}
	for _, n := range names {
		all = append(all, strings.TrimPrefix(n, "/"))
	}
	sort.Strings(all)
	mtime := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, name := range all {
		if strings.HasSuffix(name, "/") {
			mode := int64(0o755)
			if name == "tmp/" {
				mode = 0o1777
			}
			if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: mode, ModTime: mtime, Format: tar.FormatPAX}); err != nil {
				return err
			}
			continue
		}
		host := files["/"+name]
		if target, ok := strings.CutPrefix(host, "link:"); ok {
			if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: target, Mode: 0o777, ModTime: mtime, Format: tar.FormatPAX}); err != nil {
				return err
			}
			continue
		}
		var data []byte
		var err error
		mode := int64(0o644)
		if host == "" {
			data = ric
		} else {
			if data, err = os.ReadFile(host); err != nil {
				return err
			}
			if st, err := os.Stat(host); err == nil && st.Mode()&0o111 != 0 {
				mode = 0o755
			}
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(data)), ModTime: mtime, Format: tar.FormatPAX}); err != nil {
			return err
		}
		if _, err := io.Copy(tw, bytes.NewReader(data)); err != nil {
			return err
		}
	}
	return tw.Close()
}
