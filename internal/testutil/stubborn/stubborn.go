// Package stubborn writes a stand-in for a child process (pip, a python probe, a pyenv shim) that
// is slow to stop: it ignores SIGTERM and starts a grandchild that ignores it too and sleeps, both
// writing their pids, so tests can check that an interrupt stops the whole process group.
package stubborn

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Script writes an executable named name in a new directory and returns its path and the
// directory where its processes write their pids (parent.pid, grandchild.pid). The script ignores
// SIGTERM, starts a grandchild sleeping 600 s that ignores SIGTERM as well, and waits for it.
func Script(t *testing.T, name string) (path, pidDir string) {
	t.Helper()
	dir := t.TempDir()
	pidDir = t.TempDir()
	path = filepath.Join(dir, name)
	script := "#!/bin/sh\n" +
		"trap '' TERM\n" +
		"echo $$ > " + pidDir + "/parent.pid\n" +
		"sh -c 'trap \"\" TERM; echo $$ > " + pidDir + "/grandchild.pid.tmp; mv " + pidDir + "/grandchild.pid.tmp " + pidDir + "/grandchild.pid; exec sleep 600' &\n" +
		"wait\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, pid := range Pids(pidDir) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	return path, pidDir
}

// WaitStarted waits until both processes wrote their pids (at most a minute).
func WaitStarted(t *testing.T, pidDir string) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); len(Pids(pidDir)) < 2; {
		if time.Now().After(deadline) {
			t.Fatalf("the stand-in did not start: pids %v", Pids(pidDir))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Pids are the pids the processes wrote.
func Pids(pidDir string) []int {
	var out []int
	for _, f := range []string{"parent.pid", "grandchild.pid"} {
		data, err := os.ReadFile(filepath.Join(pidDir, f))
		if err != nil {
			continue
		}
		if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil {
			out = append(out, pid)
		}
	}
	return out
}

// Alive tells whether pid runs (a zombie waiting to be reaped does not).
func Alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	if i := strings.LastIndexByte(string(stat), ')'); i >= 0 && i+2 < len(stat) {
		return stat[i+2] != 'Z'
	}
	return true
}

// WaitGone waits (at most 20 s, as a process killed with SIGKILL goes at once) until none of the
// stand-in's processes runs, and fails the test naming those that still do.
func WaitGone(t *testing.T, pidDir string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var alive []int
		for _, pid := range Pids(pidDir) {
			if Alive(pid) {
				alive = append(alive, pid)
			}
		}
		if len(alive) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes of the interrupted group still run: %v", alive)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
