package pip

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Index is where distributions come from, as pip's settings say (PIP_INDEX_URL,
// PIP_EXTRA_INDEX_URL, PIP_FIND_LINKS, PIP_NO_INDEX): the installer reads the index itself to tell
// an unknown name from a name without a wheel for the platform, and passes it to uv.
type Index struct {
	// URLs are simple-API index URLs (default: https://pypi.org/simple).
	URLs []string
	// FindLinks are directories or URLs of wheel files.
	FindLinks []string
	// NoIndex ignores URLs (find-links only).
	NoIndex bool
}

// WithIndex tells the installer pip's index settings.
func WithIndex(ix Index) Option { return func(i *Installer) { i.index = ix } }

func (ix Index) urls() []string {
	if ix.NoIndex {
		return nil
	}
	if len(ix.URLs) == 0 {
		return []string{"https://pypi.org/simple"}
	}
	return ix.URLs
}

// uvArgs are uv's flags for the index.
func (ix Index) uvArgs() []string {
	var args []string
	if ix.NoIndex {
		args = append(args, "--no-index")
	} else if len(ix.URLs) > 0 {
		args = append(args, "--index-url", ix.URLs[0])
		for _, u := range ix.URLs[1:] {
			args = append(args, "--extra-index-url", u)
		}
	}
	for _, f := range ix.FindLinks {
		args = append(args, "--find-links", f)
	}
	return args
}

var anchorFile = regexp.MustCompile(`(?i)<a [^>]*href="([^"#]+)[^"]*"[^>]*>([^<]+)</a>`)

// files lists the distribution files the index and find-links have of a project (file names);
// known is false when none of them knows the name. err is set when an index could not be read.
func (ix Index) files(ctx context.Context, name string) (files []string, known bool, err error) {
	norm := normalize(name)
	for _, u := range ix.urls() {
		page := strings.TrimSuffix(u, "/") + "/" + norm + "/"
		ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		req, rerr := http.NewRequestWithContext(ctx, http.MethodGet, page, nil)
		if rerr != nil {
			cancel()
			return nil, false, rerr
		}
		resp, rerr := http.DefaultClient.Do(req)
		if rerr != nil {
			cancel()
			return nil, false, rerr
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
		resp.Body.Close()
		cancel()
		switch resp.StatusCode {
		case http.StatusOK:
			known = true
			for _, m := range anchorFile.FindAllStringSubmatch(string(body), -1) {
				files = append(files, strings.TrimSpace(m[2]))
			}
		case http.StatusNotFound:
		default:
			return nil, false, fmt.Errorf("GET %s: %s", page, resp.Status)
		}
	}
	for _, dir := range ix.FindLinks {
		entries, derr := os.ReadDir(strings.TrimPrefix(dir, "file://"))
		if derr != nil {
			continue
		}
		for _, e := range entries {
			if fileProject(e.Name()) == norm {
				known = true
				files = append(files, e.Name())
			}
		}
	}
	return files, known, nil
}

// fileProject is the normalized project name of a wheel or sdist file name.
func fileProject(file string) string {
	base := path.Base(file)
	for _, ext := range []string{".whl", ".tar.gz", ".zip", ".tar.bz2"} {
		if strings.HasSuffix(base, ext) {
			base = strings.TrimSuffix(base, ext)
			if k := strings.Index(base, "-"); k > 0 {
				return normalize(base[:k])
			}
		}
	}
	return ""
}

// latestSummary describes what the newest version of a project offers, for a no-wheel error:
// "2.0: wheels for macosx_11_0_arm64, win_amd64 (cp312, cp313); source only (.tar.gz)".
func latestSummary(files []string) string {
	type offer struct {
		plats, pys map[string]bool
		source     []string
	}
	byVersion := map[string]*offer{}
	var versions []string
	get := func(v string) *offer {
		o, ok := byVersion[v]
		if !ok {
			o = &offer{plats: map[string]bool{}, pys: map[string]bool{}}
			byVersion[v] = o
			versions = append(versions, v)
		}
		return o
	}
	for _, f := range files {
		base := path.Base(f)
		if strings.HasSuffix(base, ".whl") {
			parts := strings.Split(strings.TrimSuffix(base, ".whl"), "-")
			if len(parts) < 5 {
				continue
			}
			o := get(parts[1])
			for _, p := range strings.Split(parts[len(parts)-1], ".") {
				o.plats[p] = true
			}
			for _, p := range strings.Split(parts[len(parts)-3], ".") {
				o.pys[p] = true
			}
			continue
		}
		stem := base
		for _, ext := range []string{".tar.gz", ".zip", ".tar.bz2"} {
			stem = strings.TrimSuffix(stem, ext)
		}
		if k := strings.LastIndex(stem, "-"); k > 0 && stem != base {
			o := get(stem[k+1:])
			o.source = append(o.source, strings.TrimPrefix(base, stem))
		}
	}
	if len(versions) == 0 {
		return ""
	}
	// The index lists oldest first; the last version listed is the newest upload.
	v := versions[len(versions)-1]
	o := byVersion[v]
	var parts []string
	if len(o.plats) > 0 {
		parts = append(parts, fmt.Sprintf("wheels for %s (%s)", strings.Join(sortedKeys(o.plats), ", "), strings.Join(sortedKeys(o.pys), ", ")))
	}
	if len(o.source) > 0 {
		parts = append(parts, "source only ("+strings.Join(o.source, ", ")+")")
	}
	return v + ": " + strings.Join(parts, "; ")
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
