package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/wheelhouse"
)

// Config says what Generate writes.
type Config struct {
	// Size is the minimum total size of the benchmark wheels in bytes.
	Size int64
	// Dists is the number of benchmark distributions (at least 4).
	Dists int
	// Seed makes the contents reproducible.
	Seed uint64
}

// Result summarizes what Generate wrote.
type Result struct {
	Wheels     int
	Files      int
	WheelBytes int64
	RawBytes   int64
}

// topLevelShare is the fraction of the distributions named in requirements.txt; the others are
// pulled in as dependencies.
const topLevelShare = 5

// Generate writes the benchmark wheels and requirements.txt into dir.
func Generate(dir string, c Config) (Result, error) {
	if c.Dists < 4 {
		c.Dists = 4
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Result{}, fmt.Errorf("creating %q: %w", dir, err)
	}
	// A first distribution measures how well the generated sources compress; the others are
	// sized from it so that the total reaches c.Size.
	first := int64(512 << 10)
	if per := c.Size / int64(c.Dists) * 3; per < first {
		first = per
	}
	var res Result
	add := func(r distResult) {
		res.Wheels++
		res.Files += r.files
		res.WheelBytes += r.wheelBytes
		res.RawBytes += r.rawBytes
	}
	r0, err := writeDist(dir, c, 0, first)
	if err != nil {
		return res, err
	}
	add(r0)
	ratio := float64(r0.wheelBytes) / float64(r0.rawBytes)
	remaining := c.Size - r0.wheelBytes
	perRaw := int64(float64(remaining)/float64(c.Dists-1)/ratio*1.02) + 1

	var mu sync.Mutex
	var firstErr error
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				r, err := writeDist(dir, c, i, perRaw)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				add(r)
				mu.Unlock()
			}
		}()
	}
	for i := 1; i < c.Dists; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return res, firstErr
	}
	// Top up if the estimate fell short.
	for i := c.Dists; res.WheelBytes < c.Size; i++ {
		r, err := writeDist(dir, c, i, int64(float64(c.Size-res.WheelBytes)/ratio*1.05)+4096)
		if err != nil {
			return res, err
		}
		add(r)
		c.Dists = i + 1
	}
	var reqs []string
	for i := 0; i < topCount(c.Dists); i++ {
		reqs = append(reqs, distName(i)+"=="+distVersion(i))
	}
	data := "# benchmark inputs written by internal/tools/benchgen\n" + strings.Join(reqs, "\n") + "\n"
	if err := os.WriteFile(filepath.Join(dir, "requirements.txt"), []byte(data), 0o644); err != nil {
		return res, fmt.Errorf("writing requirements.txt: %w", err)
	}
	return res, nil
}

// topCount is how many distributions requirements.txt names.
func topCount(dists int) int { return max(1, dists/topLevelShare) }

func distName(i int) string    { return fmt.Sprintf("benchdist-%02d", i) }
func distModule(i int) string  { return fmt.Sprintf("benchdist_%02d", i) }
func distVersion(i int) string { return fmt.Sprintf("1.%d.0", i%7) }

// requires gives distribution i a dependency tree: each distribution depends on two or three of
// the distributions after it, so the top-level ones pull in all the others. Top-up distributions
// (i >= initial count) are required by nothing else and so are listed by Generate's caller only
// through their dependants; to keep them installed, distribution 0 requires them.
func requires(i, dists int, rng *rand.Rand) []string {
	var out []string
	seen := map[int]bool{}
	top := topCount(dists)
	for _, j := range []int{top + (i*2)%(dists-top), top + (i*2+1)%(dists-top)} {
		if j > i && !seen[j] {
			seen[j] = true
			out = append(out, distName(j)+">=1.0")
		}
	}
	if i+1 < dists && rng.IntN(2) == 0 && !seen[i+1] && i+1 >= top {
		out = append(out, distName(i+1)+">=1.0")
	}
	sort.Strings(out)
	return out
}

type distResult struct {
	files      int
	wheelBytes int64
	rawBytes   int64
}

// writeDist writes distribution i with about rawBudget bytes of sources.
func writeDist(dir string, c Config, i int, rawBudget int64) (distResult, error) {
	rng := rand.New(rand.NewPCG(c.Seed, uint64(i)))
	mod := distModule(i)
	files := map[string]string{}
	var raw int64
	for n := 0; raw < rawBudget; n++ {
		sub := fmt.Sprintf("sub%02d", n/40)
		p := fmt.Sprintf("%s/%s/mod_%04d.py", mod, sub, n)
		if n%40 == 0 {
			files[fmt.Sprintf("%s/%s/__init__.py", mod, sub)] = "\"\"\"Generated benchmark package.\"\"\"\n"
		}
		src := pySource(rng, 2048+rng.IntN(6144))
		files[p] = src
		raw += int64(len(src))
	}
	files[mod+"/__init__.py"] = fmt.Sprintf("\"\"\"%s: generated benchmark distribution.\"\"\"\n__version__ = %q\n", distName(i), distVersion(i))
	w := wheelhouse.Wheel{Name: distName(i), Version: distVersion(i), Requires: requires(i, max(c.Dists, i+1), rng), Files: files}
	p, err := wheelhouse.WriteWheel(dir, w)
	if err != nil {
		return distResult{}, err
	}
	st, err := os.Stat(p)
	if err != nil {
		return distResult{}, err
	}
	return distResult{files: len(files), wheelBytes: st.Size(), rawBytes: raw}, nil
}

var words = strings.Fields(`value result data item index count total name path config options
	request response buffer stream handler client server session token cache entry record table
	column row key node parent child left right start stop offset length size limit timeout retry
	error message status state event queue worker task job batch chunk block page frame layer`)

// pySource returns about n bytes of plausible Python: functions and classes with docstrings,
// comments and arithmetic, compressing about as well as real library code.
func pySource(rng *rand.Rand, n int) string {
	var b strings.Builder
	b.Grow(n + 256)
	b.WriteString("# Generated by benchgen. Not real code.\nfrom __future__ import annotations\n\nimport os\nimport sys\n\n")
	w := func() string { return words[rng.IntN(len(words))] }
	for b.Len() < n {
		switch rng.IntN(3) {
		case 0:
			fmt.Fprintf(&b, "\ndef %s_%s_%d(%s, %s=None):\n    \"\"\"Return the %s of %s %s.\"\"\"\n", w(), w(), rng.IntN(1000), w(), w(), w(), w(), w())
			for k := 0; k < 2+rng.IntN(5); k++ {
				fmt.Fprintf(&b, "    %s_%d = %s * %d + len(%s)  # %s %s\n", w(), k, w(), rng.IntN(4096), w(), w(), w())
			}
			fmt.Fprintf(&b, "    return %s_%d\n", w(), rng.IntN(5))
		case 1:
			fmt.Fprintf(&b, "\nclass %s%s%d:\n    %s: int = %d\n\n    def %s(self, %s):\n        if %s is None:\n            raise ValueError(\"%s %s\")\n        return self.%s\n",
				strings.ToUpper(w()[:1])+w(), strings.ToUpper(w()[:1])+w(), rng.IntN(100), w(), rng.IntN(1<<20), w(), w(), w(), w(), w(), w())
		default:
			fmt.Fprintf(&b, "%s_%s = {%q: %d, %q: %q}\n", strings.ToUpper(w()), strings.ToUpper(w()), w(), rng.IntN(1<<16), w(), w())
		}
	}
	return b.String()
}
