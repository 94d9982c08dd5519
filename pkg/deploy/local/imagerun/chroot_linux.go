//go:build linux

package imagerun

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// chrootSupported reports whether chroot mode can be tried: Linux, running as root.
func chrootSupported() (bool, string) {
	if os.Geteuid() != 0 {
		return false, fmt.Sprintf("not running as root (euid %d)", os.Geteuid())
	}
	return true, ""
}

// Lambda runs functions as an unprivileged user (sbx_user1051); chroot mode runs them as this
// unprivileged uid/gid too, so that an image that only works as root fails here as it would
// on Lambda, and so that the function cannot simply leave the chroot (root can).
const (
	lambdaUID = 993
	lambdaGID = 990
)

// chrootAttr is how the process enters the rootfs: chrooted, in a new mount namespace, leading
// its own process group, as Lambda's unprivileged user, killed if the thread of this process that
// started it ends. Not in a new PID namespace: the /proc mounted from this process lists this
// PID namespace, and a process must find itself there under its getpid() (psutil.Process(),
// which Lithops' worker uses, reads /proc/<getpid()>; in a new namespace that is the host's
// init, which it may not read).
func chrootAttr(rootfs string) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{
		Chroot:     rootfs,
		Cloneflags: syscall.CLONE_NEWNS,
		Setpgid:    true,
		Pdeathsig:  syscall.SIGKILL,
		Credential: &syscall.Credential{Uid: lambdaUID, Gid: lambdaGID, Groups: []uint32{}},
	}
}

// hostAttr is for isolation "none": its own process group.
func hostAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// hostDevices are bind-mounted from the host into the rootfs's /dev.
var hostDevices = []string{"null", "zero", "random", "urandom"}

// prepareRootfs makes /proc, the devices, /tmp and /etc/resolv.conf available in rootfs (see
// the package doc). It returns the mount points it created, to unmount in reverse order, also
// when it fails part way.
func prepareRootfs(rootfs string) ([]string, error) {
	var mounts []string
	procDir, err := realDir(rootfs, "proc", 0o555)
	if err != nil {
		return mounts, err
	}
	if err := syscall.Mount("proc", procDir, "proc", syscall.MS_NOSUID|syscall.MS_NODEV|syscall.MS_NOEXEC, ""); err != nil {
		return mounts, fmt.Errorf("mounting proc on %s: %w", procDir, err)
	}
	mounts = append(mounts, procDir)

	devDir, err := realDir(rootfs, "dev", 0o755)
	if err != nil {
		return mounts, err
	}
	for _, d := range hostDevices {
		target := filepath.Join(devDir, d)
		if err := os.RemoveAll(target); err != nil {
			return mounts, fmt.Errorf("preparing %s: %w", target, err)
		}
		if err := os.WriteFile(target, nil, 0o666); err != nil {
			return mounts, fmt.Errorf("preparing %s: %w", target, err)
		}
		if err := syscall.Mount("/dev/"+d, target, "", syscall.MS_BIND, ""); err != nil {
			return mounts, fmt.Errorf("bind-mounting /dev/%s on %s: %w", d, target, err)
		}
		mounts = append(mounts, target)
	}
	for name, target := range map[string]string{
		"fd": "/proc/self/fd", "stdin": "/proc/self/fd/0", "stdout": "/proc/self/fd/1", "stderr": "/proc/self/fd/2",
	} {
		p := filepath.Join(devDir, name)
		if err := os.RemoveAll(p); err != nil {
			return mounts, fmt.Errorf("preparing %s: %w", p, err)
		}
		if err := os.Symlink(target, p); err != nil {
			return mounts, fmt.Errorf("preparing %s: %w", p, err)
		}
	}

	tmp, err := realDir(rootfs, "tmp", 0o1777)
	if err != nil {
		return mounts, err
	}
	if err := os.Chmod(tmp, 0o777|fs.ModeSticky); err != nil {
		return mounts, fmt.Errorf("preparing %s: %w", tmp, err)
	}

	etc, err := realDir(rootfs, "etc", 0o755)
	if err != nil {
		return mounts, err
	}
	resolv := filepath.Join(etc, "resolv.conf")
	if err := os.RemoveAll(resolv); err != nil {
		return mounts, fmt.Errorf("preparing %s: %w", resolv, err)
	}
	if b, err := os.ReadFile("/etc/resolv.conf"); err == nil {
		if err := os.WriteFile(resolv, b, 0o644); err != nil {
			return mounts, fmt.Errorf("copying /etc/resolv.conf to %s: %w", resolv, err)
		}
	}
	hosts := filepath.Join(etc, "hosts")
	if fi, err := os.Lstat(hosts); err != nil || !fi.Mode().IsRegular() {
		if err := os.RemoveAll(hosts); err != nil {
			return mounts, fmt.Errorf("preparing %s: %w", hosts, err)
		}
		if err := os.WriteFile(hosts, []byte("127.0.0.1\tlocalhost\n::1\tlocalhost\n"), 0o644); err != nil {
			return mounts, fmt.Errorf("writing %s: %w", hosts, err)
		}
	}
	return mounts, nil
}

// realDir makes rootfs/name a real directory (a symlink or file there is replaced, since it
// would lead a mount or a copy outside the rootfs) and returns its path.
func realDir(rootfs, name string, mode fs.FileMode) (string, error) {
	p := filepath.Join(rootfs, name)
	fi, err := os.Lstat(p)
	if err == nil && fi.IsDir() {
		return p, nil
	}
	if err == nil {
		if err := os.Remove(p); err != nil {
			return "", fmt.Errorf("replacing %s with a directory: %w", p, err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("preparing %s: %w", p, err)
	}
	if err := os.Mkdir(p, mode.Perm()); err != nil {
		return "", fmt.Errorf("preparing %s: %w", p, err)
	}
	return p, nil
}

// unmountAll detaches the mounts (in reverse order of mounting).
func unmountAll(mounts []string) error {
	var errs []error
	for i := len(mounts) - 1; i >= 0; i-- {
		if err := syscall.Unmount(mounts[i], syscall.MNT_DETACH); err != nil && !errors.Is(err, syscall.EINVAL) {
			errs = append(errs, fmt.Errorf("unmounting %s: %w", mounts[i], err))
		}
	}
	return errors.Join(errs...)
}

// mountsUnder lists the mount points at or below dir (from /proc/self/mountinfo); Close checks
// it is empty before removing the rootfs, so it never deletes through a mount.
func mountsUnder(dir string) ([]string, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, fmt.Errorf("listing mounts: %w", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		mp := unescapeMountinfo(fields[4])
		if mp == dir || strings.HasPrefix(mp, dir+"/") {
			out = append(out, mp)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("listing mounts: %w", err)
	}
	return out, nil
}

// unescapeMountinfo undoes the octal escapes (\040 for a space) of mountinfo paths.
func unescapeMountinfo(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			var v byte
			ok := true
			for _, c := range s[i+1 : i+4] {
				if c < '0' || c > '7' {
					ok = false
					break
				}
				v = v*8 + byte(c-'0')
			}
			if ok {
				b.WriteByte(v)
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
