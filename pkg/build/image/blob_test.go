package image

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// Layers written to files (WithLayerDir) give the image the streamed layers give, byte for byte;
// handed back as blobs (a build cache), without their directories, the same image again.
func TestLayerBlobs(t *testing.T) {
	for _, fam := range []asmFamily{asmDocker, asmOCI} {
		t.Run(fam.name, func(t *testing.T) {
			base := asmBaseImage(t, fam, "amd64")
			deps, code := asmTrees(t, t.TempDir())
			streamed := asmAssemble(t, asmSpec(base, deps, code))
			dir := t.TempDir()
			filed := asmAssemble(t, asmSpec(base, deps, code), WithLayerDir(dir))
			if got, want := asmDigest(t, filed), asmDigest(t, streamed); got != want {
				t.Fatalf("digest with layer files %s, streamed %s", got, want)
			}
			if err := validate.Image(filed); err != nil {
				t.Fatalf("validate.Image: %v", err)
			}
			blobs, err := Blobs(filed)
			if err != nil {
				t.Fatal(err)
			}
			if len(blobs) != 2 {
				t.Fatalf("%d blobs, want the 2 added layers", len(blobs))
			}
			for _, b := range blobs {
				data, err := os.ReadFile(b.Path)
				if err != nil {
					t.Fatal(err)
				}
				if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != b.Digest.Hex || int64(len(data)) != b.Size || b.MediaType != fam.layer {
					t.Errorf("blob %+v: file of %d bytes, sha256 %x", b, len(data), sum)
				}
			}

			// The directories are gone: the blobs alone rebuild the image.
			os.RemoveAll(deps)
			os.RemoveAll(code)
			spec := asmSpec(base, deps, code)
			for i := range spec.Layers {
				spec.Layers[i].Blob = &blobs[i]
			}
			again := asmAssemble(t, spec)
			if got, want := asmDigest(t, again), asmDigest(t, streamed); got != want {
				t.Errorf("digest from blobs %s, want %s", got, want)
			}
			if err := validate.Image(again); err != nil {
				t.Errorf("validate.Image from blobs: %v", err)
			}
			srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
			defer srv.Close()
			ref, _ := name.ParseReference(fmt.Sprintf("%s/blobs:%s", strings.TrimPrefix(srv.URL, "http://"), fam.name))
			if err := remote.Write(ref, again); err != nil {
				t.Fatalf("pushing the image of blobs: %v", err)
			}
			pulled, err := remote.Image(ref)
			if err != nil {
				t.Fatal(err)
			}
			if err := validate.Image(pulled); err != nil {
				t.Errorf("validate.Image(pulled): %v", err)
			}

			// A blob that is not what was recorded is refused, naming the file.
			bad := blobs[0]
			os.WriteFile(bad.Path, []byte("truncated"), 0o644)
			spec.Layers[0].Blob = &bad
			if _, err := Assemble(t.Context(), spec); err == nil || !strings.Contains(err.Error(), bad.Path) {
				t.Errorf("truncated blob: %v", err)
			}
			other := blobs[1]
			other.MediaType = "application/x-other"
			spec.Layers[0].Blob, spec.Layers[1].Blob = &blobs[1], &other
			_, err = Assemble(t.Context(), spec)
			if diff := cmp.Diff(true, err != nil && strings.Contains(err.Error(), "the base image needs")); diff != "" {
				t.Errorf("wrong media type: %v", err)
			}
		})
	}
}
