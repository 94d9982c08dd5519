package main

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/image"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy/registry"
)

// runImage assembles the runtime image daemonlessly (base + dependencies layer + function layer)
// and pushes it.
func runImage(args []string) error {
	fs := flag.NewFlagSet("image", flag.ContinueOnError)
	base := fs.String("base", "", "base image reference")
	deps := fs.String("deps", "", "dependencies directory (-> /var/task)")
	code := fs.String("code", "", "function directory (-> /var/task)")
	ref := fs.String("ref", "", "reference to push to")
	layers := fs.String("layers", "", "directory the layers are compressed into once (the tool's way); empty: streamed")
	reuse := fs.Bool("reuse", false, "assemble from the layer files of an earlier run in -layers (the tool's build cache hit)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx := context.Background()
	start := time.Now()
	baseRef, err := name.ParseReference(*base, name.Insecure)
	if err != nil {
		return err
	}
	baseImg, err := remote.Image(baseRef)
	if err != nil {
		return fmt.Errorf("pulling the base %q: %w", *base, err)
	}
	spec := image.Spec{
		Base:     baseImg,
		Platform: v1.Platform{OS: "linux", Architecture: "amd64"},
		Layers: []image.LayerSpec{
			{Dir: *deps, Target: "/var/task"},
			{Dir: *code, Target: "/var/task"},
		},
		Cmd: []string{"entry_point.lambda_handler"},
	}
	var opts []image.Option
	blobsFile := filepath.Join(*layers, "blobs.json")
	switch {
	case *reuse:
		data, err := os.ReadFile(blobsFile)
		if err != nil {
			return err
		}
		var blobs []image.Blob
		if err := json.Unmarshal(data, &blobs); err != nil {
			return err
		}
		for i := range spec.Layers {
			blobs[i].Path = filepath.Join(*layers, blobs[i].Digest.Hex+".tar.gz")
			spec.Layers[i].Blob = &blobs[i]
		}
	case *layers != "":
		opts = append(opts, image.WithLayerDir(*layers))
	}
	img, err := image.Assemble(ctx, spec, opts...)
	if err != nil {
		return err
	}
	if *layers != "" && !*reuse {
		blobs, err := image.Blobs(img)
		if err != nil {
			return err
		}
		data, _ := json.Marshal(blobs)
		if err := os.WriteFile(blobsFile, data, 0o644); err != nil {
			return err
		}
	}
	res, err := registry.Push(ctx, img, *ref, registry.WithInsecure(true))
	if err != nil {
		return err
	}
	fmt.Printf("image_s=%.3f\nuploaded_bytes=%d\nblobs_uploaded=%d\nblobs_skipped=%d\n", time.Since(start).Seconds(), res.BytesUploaded, res.BlobsUploaded, res.BlobsSkipped)
	return nil
}

// stats counts what clients uploaded to the registry.
type stats struct {
	bytes, blobs atomic.Int64
}

// countingBody counts the bytes read from an upload's body.
type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (c countingBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// runRegistry serves an in-process registry on 127.0.0.1, counting uploaded blob bytes (any
// client: ours, buildah) and completed blob uploads; GET /_stats returns them as JSON.
func runRegistry(args []string) error {
	fs := flag.NewFlagSet("registry", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	st := &stats{}
	reg := ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0)))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/_stats" {
			json.NewEncoder(w).Encode(map[string]int64{"bytes": st.bytes.Load(), "blobs": st.blobs.Load()})
			return
		}
		if strings.Contains(r.URL.Path, "/blobs/uploads/") && (r.Method == http.MethodPatch || r.Method == http.MethodPut) {
			r.Body = countingBody{r.Body, &st.bytes}
			if r.Method == http.MethodPut && r.URL.Query().Get("digest") != "" {
				st.blobs.Add(1)
			}
		}
		reg.ServeHTTP(w, r)
	})
	fmt.Println(ln.Addr().String())
	os.Stdout.Sync()
	return http.Serve(ln, h)
}

// runBase pushes a linux/amd64 image holding a static busybox to the registry, like the
// dockerfile package's real tests do, and prints its reference.
func runBase(args []string) error {
	fs := flag.NewFlagSet("base", flag.ContinueOnError)
	host := fs.String("registry", "", "registry host:port")
	if err := fs.Parse(args); err != nil {
		return err
	}
	bb, err := os.ReadFile("/bin/busybox")
	if err != nil {
		return fmt.Errorf("reading a static busybox (apt-get install -y busybox-static): %w", err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	hdrs := []*tar.Header{
		{Name: "bin/", Typeflag: tar.TypeDir, Mode: 0o755},
		{Name: "tmp/", Typeflag: tar.TypeDir, Mode: 0o1777},
		{Name: "var/task/", Typeflag: tar.TypeDir, Mode: 0o755},
		{Name: "bin/busybox", Typeflag: tar.TypeReg, Mode: 0o755, Size: int64(len(bb))},
	}
	for _, tool := range []string{"sh", "cp", "ls"} {
		hdrs = append(hdrs, &tar.Header{Name: "bin/" + tool, Typeflag: tar.TypeSymlink, Linkname: "busybox", Mode: 0o777})
	}
	for _, h := range hdrs {
		h.ModTime = time.Unix(0, 0)
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if h.Name == "bin/busybox" {
			tw.Write(bb)
		}
	}
	tw.Close()
	data := buf.Bytes()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }, tarball.WithMediaType(types.DockerLayer))
	if err != nil {
		return err
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		return err
	}
	img, err = mutate.ConfigFile(img, &v1.ConfigFile{OS: "linux", Architecture: "amd64", RootFS: v1.RootFS{Type: "layers"},
		Config: v1.Config{Env: []string{"PATH=/bin"}, WorkingDir: "/var/task"}})
	if err != nil {
		return err
	}
	ref, err := name.ParseReference(*host+"/base:latest", name.Insecure)
	if err != nil {
		return err
	}
	if err := remote.Write(ref, img); err != nil {
		return err
	}
	fmt.Printf("base=%s\n", ref.String())
	return nil
}
