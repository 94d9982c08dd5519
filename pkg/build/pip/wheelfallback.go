package pip

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// planWheels plans every wheel; a wheel outside what the wheel installer handles (an
// [*UnsupportedWheelError]) is installed by pip alone (--no-deps) into a temporary directory, and
// its plan takes the files pip wrote from there: only that wheel, not the tree, goes through pip.
// cleanup closes the wheels and removes the temporary directories.
func (i *Installer) planWheels(ctx context.Context, wheels []WheelFile, p Platform) ([]*wheelPlan, func(), error) {
	jobs := i.jobs
	if jobs <= 0 {
		jobs = 2 * runtime.GOMAXPROCS(0)
	}
	plans := make([]*wheelPlan, len(wheels))
	var dirs []string
	cleanup := func() {
		closePlans(plans)
		for _, d := range dirs {
			os.RemoveAll(d)
		}
	}
	unsup := make([]*UnsupportedWheelError, len(wheels))
	err := forEach(ctx, len(wheels), jobs, func(k int) error {
		pl, err := planWheel(wheels[k])
		var u *UnsupportedWheelError
		if errors.As(err, &u) {
			if pl != nil && pl.rc != nil {
				pl.rc.Close()
			}
			unsup[k] = u
			return nil
		}
		plans[k] = pl
		return err
	})
	if err != nil {
		return nil, cleanup, err
	}
	for k, u := range unsup {
		if u == nil {
			continue
		}
		i.logger.Info("pip installs one wheel: the wheel installer does not handle it", "wheel", filepath.Base(u.Wheel), "reason", u.Reason)
		dir, err := os.MkdirTemp("", "pip-wheel-*")
		if err != nil {
			return nil, cleanup, err
		}
		dirs = append(dirs, dir)
		if plans[k], err = i.pipPlan(ctx, wheels[k], p, dir); err != nil {
			return nil, cleanup, err
		}
	}
	if err := checkOwners(plans); err != nil {
		return nil, cleanup, err
	}
	return plans, cleanup, nil
}

// pipPlan installs one wheel with pip (--no-deps, the platform's flags) into dir and returns a
// plan of the files it wrote, as the whole-tree pip install would have left them: without the
// LeftOut directories, without the direct_url.json pip writes for a wheel given by its path, and
// with REQUESTED only for a distribution the request named.
func (i *Installer) pipPlan(ctx context.Context, w WheelFile, p Platform, dir string) (*wheelPlan, error) {
	args := append(i.baseArgs(dir, p), "--no-deps", w.Path)
	if err := i.run(ctx, args, InstallRequest{Platform: p}); err != nil {
		return nil, err
	}
	if err := RemoveLeftOut(dir); err != nil {
		return nil, err
	}
	infos, err := filepath.Glob(filepath.Join(dir, "*.dist-info"))
	if err != nil || len(infos) != 1 {
		return nil, fmt.Errorf("pip installed %s into %s: want one .dist-info directory, found %d", filepath.Base(w.Path), dir, len(infos))
	}
	plan := &wheelPlan{wheel: w, distInfo: filepath.Base(infos[0]), byPip: true}
	if err := removeGenerated(dir, plan.distInfo, "direct_url.json"); err != nil {
		return nil, err
	}
	if !w.Requested {
		if err := removeGenerated(dir, plan.distInfo, "REQUESTED"); err != nil {
			return nil, err
		}
	}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if !info.Mode().IsRegular() {
			return fmt.Errorf("pip installed %s as a %s, not a regular file", path, info.Mode().Type())
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		plan.files = append(plan.files, plannedFile{name: rel, dest: rel, record: rel, disk: path, exec: info.Mode()&0o111 != 0})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return plan, nil
}

// checkOwners marks the files two wheels install at the same path with the same bytes (a
// namespace package's __init__.py some projects ship in every wheel) as written once, and refuses
// a tree in which two wheels install different bytes at one path.
func checkOwners(plans []*wheelPlan) error {
	type owner struct {
		plan *wheelPlan
		file *plannedFile
	}
	owners := map[string]owner{}
	for _, p := range plans {
		for k := range p.files {
			f := &p.files[k]
			prev, ok := owners[f.dest]
			if !ok {
				owners[f.dest] = owner{p, f}
				continue
			}
			same, err := sameContent(prev.file, f)
			if err != nil {
				return err
			}
			if !same {
				return &UnsupportedWheelError{Wheel: p.wheel.Path, Reason: fmt.Sprintf("%s is also in %s, with other bytes", f.dest, filepath.Base(prev.plan.wheel.Path))}
			}
			f.dup = true
		}
	}
	return nil
}

// sameContent compares two planned files' bytes.
func sameContent(a, b *plannedFile) (bool, error) {
	if a.zf != nil && b.zf != nil && (a.zf.CRC32 != b.zf.CRC32 || a.zf.UncompressedSize64 != b.zf.UncompressedSize64) {
		return false, nil
	}
	da, err := a.content()
	if err != nil {
		return false, err
	}
	db, err := b.content()
	if err != nil {
		return false, err
	}
	return bytes.Equal(da, db), nil
}

// content reads a planned file whole.
func (f *plannedFile) content() ([]byte, error) {
	if f.zf == nil {
		return os.ReadFile(f.disk)
	}
	return readZipFile(f.zf)
}

// distName is the distribution name of a .dist-info directory ("name-version.dist-info").
func distName(distInfo string) string {
	base, _, _ := strings.Cut(distInfo, "-")
	return base
}

// nameMap maps normalized distribution names to their METADATA Name.
type nameMap map[string]string

// of is the METADATA Name of a distribution (name itself when the wheel does not say): pip
// reports that spelling ("zope.interface"), uv the normalized one ("zope-interface").
func (m nameMap) of(name string) string {
	if n, ok := m[normalize(name)]; ok {
		return n
	}
	return name
}

// metadataNames reads the Name of each planned wheel's METADATA.
func metadataNames(plans []*wheelPlan) nameMap {
	m := nameMap{}
	for _, p := range plans {
		var text string
		for _, f := range p.files {
			if f.dest != p.distInfo+"/METADATA" {
				continue
			}
			if data, err := f.content(); err == nil {
				text = string(data[:min(len(data), 64<<10)])
			}
			break
		}
		if name := headerValue(text, "Name"); name != "" {
			m[normalize(name)] = name
		}
	}
	return m
}
