package wheelcheck

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzCheckTag checks arbitrary WHEEL tags on every kind of runtime: checkTag never panics, and a
// refused tag always comes with a reason and a fix.
func FuzzCheckTag(f *testing.F) {
	for _, s := range []string{
		"py3-none-any", "cp312-cp312-manylinux_2_28_x86_64", "cp38-abi3-manylinux2014_aarch64", "cp312-cp312-linux_x86_64",
		"pp310-pypy310_pp73-win_amd64", "py2.py3-none-any", "--", "cp-cp-manylinux_-_x86_64", "cp3-abi3-manylinux1_",
		"py99999999999999999999-none-any", "cp312-cp312-manylinux_2_999999999999999999999_x86_64",
	} {
		f.Add(s, uint8(0))
	}
	platforms := []*target{}
	for _, p := range []struct {
		py, arch string
		g        int
	}{{"3.12", "x86_64", 26}, {"3.9", "arm64", 0}, {"3.13", "aarch64", 34}} {
		tg, err := newTarget(mustPlatform(p.py, p.arch, p.g))
		if err != nil {
			f.Fatal(err)
		}
		platforms = append(platforms, tg)
	}
	f.Fuzz(func(t *testing.T, tag string, which uint8) {
		tg := platforms[int(which)%len(platforms)]
		for _, single := range expandTag(tag) {
			if pr := tg.checkTag(single); pr != nil && (pr.reason == "" || pr.fix == "") {
				t.Errorf("checkTag(%q) = %+v, want a reason and a fix", single, pr)
			}
		}
	})
}

// FuzzCheckSharedObject puts arbitrary bytes in a tree as a .so file and a WHEEL file: Check never
// panics and returns nil or *Problem values only.
func FuzzCheckSharedObject(f *testing.F) {
	f.Add([]byte("\x7fELF"), "Tag: py3-none-any\n")
	f.Add([]byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00\x3e\x00\x01\x00\x00\x00"), "Tag: cp312-cp312-manylinux_2_17_x86_64\nTag:\n")
	f.Add([]byte("INPUT(libc.so.6)"), "Tag: -\n")
	if data, err := os.ReadFile("/bin/true"); err == nil && len(data) < 1<<20 {
		f.Add(data, "tag:cp312-abi3-any")
	}
	f.Fuzz(func(t *testing.T, so []byte, wheel string) {
		dir := t.TempDir()
		info := filepath.Join(dir, "d-1.dist-info")
		if err := os.MkdirAll(filepath.Join(dir, "d"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(info, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(info, "WHEEL"), []byte(wheel), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(info, "RECORD"), []byte("d/_x.so,,\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "d", "_x.so"), so, 0o644); err != nil {
			t.Fatal(err)
		}
		err := Check(dir, mustPlatform("3.12", "x86_64", 34))
		if err == nil {
			return
		}
		j, ok := err.(interface{ Unwrap() []error })
		if !ok {
			t.Fatalf("Check = %v (%T), want joined problems", err, err)
		}
		for _, e := range j.Unwrap() {
			var p *Problem
			if !errors.As(e, &p) || p.File == "" || p.Reason == "" || p.Fix == "" {
				t.Errorf("problem %v (%T) lacks a file, reason or fix", e, e)
			}
		}
	})
}
