package fakeaws

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// ImageFunction is what an ImageInvoker needs of an image function.
type ImageFunction struct {
	Name     string
	MemoryMB int
	Timeout  time.Duration
	Region   string
	// Env is the sandbox's environment as for zip functions (see Cloud.FunctionEnv).
	Env map[string]string
}

// ImageInvocation is the outcome of running an image function.
type ImageInvocation struct {
	Payload       []byte
	FunctionError string // "" or "Unhandled"
	LogTail       []byte
}

// ImageInvoker runs an image function's image with an event (Lambda's Runtime API).
type ImageInvoker func(ctx context.Context, img v1.Image, fn ImageFunction, event []byte) (*ImageInvocation, error)

// resolveImage reads an image from its registry as Lambda does at create and update: it must be a
// single-platform image manifest of the function's architecture, and it is pinned by digest.
func (c *Cloud) resolveImage(ctx context.Context, uri, arch string) (v1.Image, string, *Error) {
	ref, err := name.ParseReference(uri)
	if err != nil {
		return nil, "", errInvalid(fmt.Sprintf("Source image %s is not valid. Provide a valid source image.", uri))
	}
	auth := c.RegistryAuth
	if auth == nil {
		auth = authn.Anonymous
	}
	// The image is read lazily long after this request (at invocations): not with its context.
	desc, err := remote.Get(ref, remote.WithContext(context.WithoutCancel(ctx)), remote.WithAuth(auth))
	if err != nil {
		return nil, "", errInvalid(fmt.Sprintf("Source image %s does not exist. Provide a valid source image. (%v)", uri, err))
	}
	if desc.MediaType != types.DockerManifestSchema2 && desc.MediaType != types.OCIManifestSchema1 {
		return nil, "", errInvalid(fmt.Sprintf("The image manifest, config or layer media type for the source image %s is not supported. (%s)", uri, desc.MediaType))
	}
	img, err := desc.Image()
	if err != nil {
		return nil, "", errInvalid(err.Error())
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, "", errInvalid(err.Error())
	}
	want := map[string]string{"x86_64": "amd64", "arm64": "arm64"}[arch]
	if cf.Architecture != want {
		return nil, "", errInvalid(fmt.Sprintf("The image manifest, config or layer media type for the source image %s is not supported: the image is %s/%s, the function's architecture is %s.", uri, cf.OS, cf.Architecture, arch))
	}
	for _, l := range mustLayers(img) {
		mt, _ := l.MediaType()
		if mt != types.DockerLayer && mt != types.OCILayer && mt != types.DockerForeignLayer {
			return nil, "", errInvalid(fmt.Sprintf("The image manifest, config or layer media type for the source image %s is not supported. (layer %s)", uri, mt))
		}
	}
	return img, ref.Context().Name() + "@" + desc.Digest.String(), nil
}

func mustLayers(img v1.Image) []v1.Layer {
	ls, _ := img.Layers()
	return ls
}

func (c *Cloud) createImageFunction(r *http.Request, cfg functionConfiguration, in createInput) (int, any, *Error) {
	if !slices.Contains(c.Roles, in.Role) {
		return 0, nil, errInvalid("The role defined for the function cannot be assumed by Lambda.")
	}
	img, resolved, e := c.resolveImage(r.Context(), in.Code.ImageUri, cfg.Architectures[0])
	if e != nil {
		return 0, nil, e
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.settle()
	if _, ok := c.functions[in.FunctionName]; ok {
		return 0, nil, errConflict("Function already exist: " + in.FunctionName)
	}
	cfg.PackageType, cfg.Runtime, cfg.Handler = "Image", "", ""
	f := &function{tags: map[string]string{}}
	for k, v := range in.Tags {
		f.tags[k] = v
	}
	f.cfg = cfg
	c.setImage(f, in.Code.ImageUri, resolved, img)
	f.cfg.State, f.cfg.StateReason, f.cfg.StateReasonCode = "Pending", "The function is being created.", "Creating"
	f.cfg.LastUpdateStatus = "InProgress"
	c.touch(f)
	c.functions[in.FunctionName] = f
	return http.StatusCreated, f.cfg, nil
}

func (c *Cloud) updateImageCode(r *http.Request, name string, in updateCodeInput) (int, any, *Error) {
	c.mu.Lock()
	f, ok := c.functions[name]
	arch := "x86_64"
	if ok {
		arch = f.cfg.Architectures[0]
	}
	c.mu.Unlock()
	if len(in.Architectures) > 0 {
		arch = in.Architectures[0]
	}
	img, resolved, e := c.resolveImage(r.Context(), in.ImageUri, arch)
	if e != nil {
		return 0, nil, e
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.settle()
	f, e = c.updatable(name, in.RevisionId)
	if e != nil {
		return 0, nil, e
	}
	if f.cfg.PackageType != "Image" {
		return 0, nil, errInvalid("Please don't provide ImageUri when updating a function with packageType Zip.")
	}
	f.cfg.Architectures = []string{arch}
	c.setImage(f, in.ImageUri, resolved, img)
	f.cfg.LastUpdateStatus = "InProgress"
	c.touch(f)
	return http.StatusOK, f.cfg, nil
}

// setImage stores an image function's image; CodeSha256 is the manifest digest's hex, as Lambda reports it.
func (c *Cloud) setImage(f *function, uri, resolved string, img v1.Image) {
	f.imageURI, f.resolvedURI, f.image = uri, resolved, img
	_, digest, _ := strings.Cut(resolved, "@sha256:")
	f.cfg.CodeSha256 = digest
}

func (c *Cloud) invokeImage(ctx context.Context, cfg functionConfiguration, img v1.Image, event []byte) (*invocation, *Error) {
	if c.ImageInvoker == nil {
		return nil, &Error{http.StatusBadGateway, "ServiceException", "fakeaws: this Cloud has no ImageInvoker to run image functions"}
	}
	res, err := c.ImageInvoker(ctx, img, ImageFunction{
		Name: cfg.FunctionName, MemoryMB: int(cfg.MemorySize), Timeout: time.Duration(cfg.Timeout) * time.Second, Region: c.Region,
		Env: c.sandboxEnv(),
	}, event)
	if err != nil {
		return nil, &Error{http.StatusBadGateway, "ServiceException", err.Error()}
	}
	return &invocation{payload: res.Payload, functionError: res.FunctionError, logTail: res.LogTail}, nil
}
