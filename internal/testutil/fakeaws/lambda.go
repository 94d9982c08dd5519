package fakeaws

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakeecr"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/zipbundle"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy/local"
)

// Lambda's limits, with the numbers its error messages give.
const (
	requestMax  = 69905067  // "Request must be smaller than 69905067 bytes for the X operation"
	unzippedMax = 262144000 // function code plus layers, unzipped
	maxLayers   = 5
)

// functionConfiguration is Lambda's FunctionConfiguration on the wire.
type functionConfiguration struct {
	FunctionName     string            `json:"FunctionName"`
	FunctionArn      string            `json:"FunctionArn"`
	Runtime          string            `json:"Runtime,omitempty"`
	Role             string            `json:"Role"`
	Handler          string            `json:"Handler,omitempty"`
	CodeSize         int64             `json:"CodeSize"`
	Description      string            `json:"Description"`
	Timeout          int32             `json:"Timeout"`
	MemorySize       int32             `json:"MemorySize"`
	LastModified     string            `json:"LastModified"`
	CodeSha256       string            `json:"CodeSha256"`
	Version          string            `json:"Version"`
	Layers           []layerRef        `json:"Layers,omitempty"`
	State            string            `json:"State"`
	StateReason      string            `json:"StateReason,omitempty"`
	StateReasonCode  string            `json:"StateReasonCode,omitempty"`
	LastUpdateStatus string            `json:"LastUpdateStatus"`
	RevisionId       string            `json:"RevisionId"`
	PackageType      string            `json:"PackageType"`
	Architectures    []string          `json:"Architectures"`
	EphemeralStorage *ephemeralStorage `json:"EphemeralStorage,omitempty"`
}

type layerRef struct {
	Arn      string `json:"Arn"`
	CodeSize int64  `json:"CodeSize"`
}

type ephemeralStorage struct {
	Size int32 `json:"Size"`
}

// function is one function: its configuration and code, and what invocations run meanwhile.
type function struct {
	cfg  functionConfiguration
	code []byte
	tags map[string]string
	// settleAt is when Pending/InProgress ends.
	settleAt time.Time
	// live is what invocations run: the configuration and code before an update in progress.
	live     functionConfiguration
	liveCode []byte

	// Image functions: the image as given and resolved, and what invocations run.
	imageURI, resolvedURI string
	image, liveImage      v1.Image
}

// layerVersion is one published layer version.
type layerVersion struct {
	LayerArn                string   `json:"LayerArn"`
	LayerVersionArn         string   `json:"LayerVersionArn"`
	Version                 int64    `json:"Version"`
	Description             string   `json:"Description"`
	CreatedDate             string   `json:"CreatedDate"`
	CompatibleRuntimes      []string `json:"CompatibleRuntimes,omitempty"`
	CompatibleArchitectures []string `json:"CompatibleArchitectures,omitempty"`
	Content                 struct {
		Location   string `json:"Location"`
		CodeSha256 string `json:"CodeSha256"`
		CodeSize   int64  `json:"CodeSize"`
	} `json:"Content"`
	unzipped int64
	zip      []byte
}

// FunctionState is a deployed function as a test sees it.
type FunctionState struct {
	Configuration functionConfiguration
	Code          []byte
	Tags          map[string]string
}

// Function returns a function's configuration, code and tags.
func (c *Cloud) Function(name string) (FunctionState, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.functions[name]
	if !ok {
		return FunctionState{}, false
	}
	return FunctionState{Configuration: f.cfg, Code: slices.Clone(f.code), Tags: maps.Clone(f.tags)}, true
}

// FunctionNames lists the functions, sorted.
func (c *Cloud) FunctionNames() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Sorted(maps.Keys(c.functions))
}

// LayerVersions returns the version ARNs of a layer, oldest first.
func (c *Cloud) LayerVersions(name string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, v := range c.layers[name] {
		out = append(out, v.LayerVersionArn)
	}
	return out
}

// settle ends Pending and InProgress states whose time has come. Called with c.mu held.
func (c *Cloud) settle() {
	now := c.now()
	for _, f := range c.functions {
		if f.cfg.State == "Active" && f.cfg.LastUpdateStatus == "Successful" {
			continue
		}
		if now.Before(f.settleAt) {
			continue
		}
		f.cfg.State, f.cfg.LastUpdateStatus = "Active", "Successful"
		f.cfg.StateReason, f.cfg.StateReasonCode = "", ""
		f.live, f.liveCode, f.liveImage = f.cfg, f.code, f.image
	}
}

func (c *Cloud) lambdaHandler() http.Handler {
	mux := http.NewServeMux()
	route := func(pattern, op string, h func(r *http.Request, target string) (int, any, *Error), target func(*http.Request) string) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			tgt := target(r)
			if r.ContentLength > requestMax {
				e := &Error{http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException",
					fmt.Sprintf("Request must be smaller than %d bytes for the %s operation", requestMax, op)}
				c.record(Call{Service: "lambda", Op: op, Target: tgt, Status: e.Status})
				writeError(w, e)
				return
			}
			serve := func(w http.ResponseWriter, r *http.Request) {
				status, body, e := h(r, tgt)
				if e != nil {
					writeError(w, e)
					return
				}
				switch b := body.(type) {
				case nil:
					w.WriteHeader(status)
				case *invokeResponse:
					b.write(w)
				case []byte:
					w.Header().Set("Content-Type", "application/zip")
					w.Write(b)
				default:
					writeJSON(w, status, b)
				}
			}
			writeFault := func(w http.ResponseWriter, f *fakeecr.Fault) {
				writeError(w, &Error{Status: f.Status, Code: f.Code, Message: f.Message})
			}
			status, dropped := fakeecr.Inject(w, r, decide(c.Fault, op, tgt), serve, writeFault)
			c.record(Call{Service: "lambda", Op: op, Target: tgt, Status: status, Dropped: dropped})
		})
	}
	fn := func(r *http.Request) string { return functionName(r.PathValue("name")) }
	layer := func(r *http.Request) string { return r.PathValue("layer") }
	route("GET /2015-03-31/functions/{name}", "GetFunction", c.getFunction, fn)
	route("POST /2015-03-31/functions", "CreateFunction", c.createFunction, func(*http.Request) string { return "" })
	route("PUT /2015-03-31/functions/{name}/code", "UpdateFunctionCode", c.updateFunctionCode, fn)
	route("PUT /2015-03-31/functions/{name}/configuration", "UpdateFunctionConfiguration", c.updateFunctionConfiguration, fn)
	route("DELETE /2015-03-31/functions/{name}", "DeleteFunction", c.deleteFunction, fn)
	route("POST /2015-03-31/functions/{name}/invocations", "Invoke", c.invoke, fn)
	route("POST /2017-03-31/tags/{arn}", "TagResource", c.tagResource, func(r *http.Request) string { return functionName(r.PathValue("arn")) })
	route("POST /2018-10-31/layers/{layer}/versions", "PublishLayerVersion", c.publishLayerVersion, layer)
	route("GET /2018-10-31/layers/{layer}/versions", "ListLayerVersions", c.listLayerVersions, layer)
	route("GET /2018-10-31/layers", "ListLayers", c.listLayers, func(*http.Request) string { return "" })
	route("GET /2018-10-31/layers/{layer}/versions/{version}", "GetLayerVersion", c.getLayerVersion, layer)
	route("GET /_fake/code/{sha}", "GetCode", c.getCode, func(r *http.Request) string { return r.PathValue("sha") })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &Error{http.StatusNotFound, "UnknownOperationException", "fakeaws does not implement " + r.Method + " " + r.URL.Path})
	})
	return mux
}

// functionName accepts a name or a function ARN.
func functionName(s string) string {
	if i := strings.Index(s, ":function:"); i >= 0 {
		s = s[i+len(":function:"):]
		if j := strings.IndexByte(s, ':'); j >= 0 { // a qualifier
			s = s[:j]
		}
	}
	return s
}

func (c *Cloud) notFound(name string) *Error {
	return errNotFound("Function not found: " + c.arn("function", name))
}

func (c *Cloud) getFunction(r *http.Request, name string) (int, any, *Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.settle()
	f, ok := c.functions[name]
	if !ok {
		return 0, nil, c.notFound(name)
	}
	code := map[string]string{"RepositoryType": "S3", "Location": c.Lambda.URL + "/_fake/code/" + hexSHA(f.code)}
	if f.cfg.PackageType == "Image" {
		code = map[string]string{"RepositoryType": "ECR", "ImageUri": f.imageURI, "ResolvedImageUri": f.resolvedURI}
	}
	return http.StatusOK, map[string]any{"Configuration": f.cfg, "Code": code, "Tags": f.tags}, nil
}

func (c *Cloud) getCode(r *http.Request, sha string) (int, any, *Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.blobs[sha]
	if !ok {
		return 0, nil, &Error{http.StatusForbidden, "AccessDenied", "Request has expired"}
	}
	return http.StatusOK, b, nil
}

type codeInput struct {
	ZipFile []byte `json:"ZipFile"`
	// ImageUri is an image function's image (repo@digest or repo:tag).
	S3Bucket string `json:"S3Bucket"`
	S3Key    string `json:"S3Key"`
	ImageUri string `json:"ImageUri"`
}

type createInput struct {
	FunctionName     string            `json:"FunctionName"`
	Runtime          string            `json:"Runtime"`
	Role             string            `json:"Role"`
	Handler          string            `json:"Handler"`
	Description      string            `json:"Description"`
	Code             codeInput         `json:"Code"`
	Timeout          *int32            `json:"Timeout"`
	MemorySize       *int32            `json:"MemorySize"`
	Layers           []string          `json:"Layers"`
	Architectures    []string          `json:"Architectures"`
	EphemeralStorage *ephemeralStorage `json:"EphemeralStorage"`
	PackageType      string            `json:"PackageType"`
	Tags             map[string]string `json:"Tags"`
}

var (
	namePattern    = regexp.MustCompile(`^[a-zA-Z0-9-_]{1,64}$`)
	runtimePattern = regexp.MustCompile(`^python3\.(9|1[0-4])$`)
	// layerNamePattern is a layer name (not an ARN) as Lambda accepts it.
	layerNamePattern = regexp.MustCompile(`^[a-zA-Z0-9-_]{1,140}$`)
)

func decode(r *http.Request, v any) *Error {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return errInvalid("could not read the request: " + err.Error())
	}
	if err := json.Unmarshal(data, v); err != nil {
		return &Error{http.StatusBadRequest, "SerializationException", err.Error()}
	}
	return nil
}

func (c *Cloud) createFunction(r *http.Request, _ string) (int, any, *Error) {
	var in createInput
	if e := decode(r, &in); e != nil {
		return 0, nil, e
	}
	if !namePattern.MatchString(in.FunctionName) {
		return 0, nil, errValidation(fmt.Sprintf("Value '%s' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+ and length <= 64", in.FunctionName))
	}
	isImage := in.PackageType == "Image"
	switch {
	case in.PackageType != "" && in.PackageType != "Zip" && !isImage:
		return 0, nil, errValidation(fmt.Sprintf("Value '%s' at 'packageType' failed to satisfy constraint: Member must satisfy enum value set: [Image, Zip]", in.PackageType))
	case isImage && (in.Runtime != "" || in.Handler != "" || len(in.Layers) > 0):
		return 0, nil, errInvalid("Runtime, Handler and Layers are not supported for functions with package type Image.")
	case isImage && in.Code.ImageUri == "":
		return 0, nil, errInvalid("Please provide ImageUri when PackageType is Image.")
	case !isImage && !runtimePattern.MatchString(in.Runtime):
		return 0, nil, errInvalid(fmt.Sprintf("Value %s at 'runtime' failed to satisfy constraint: Member must satisfy enum value set", in.Runtime))
	case !isImage && in.Handler == "":
		return 0, nil, errInvalid("Handler is required for Zip functions")
	}
	if !slices.Contains(c.Roles, in.Role) {
		return 0, nil, errInvalid("The role defined for the function cannot be assumed by Lambda.")
	}
	cfg := functionConfiguration{
		FunctionName: in.FunctionName, FunctionArn: c.arn("function", in.FunctionName),
		Runtime: in.Runtime, Role: in.Role, Handler: in.Handler, Description: in.Description,
		Timeout: 3, MemorySize: 128, Version: "$LATEST", PackageType: "Zip",
		Architectures: []string{"x86_64"}, EphemeralStorage: &ephemeralStorage{512},
	}
	if in.Timeout != nil {
		cfg.Timeout = *in.Timeout
	}
	if in.MemorySize != nil {
		cfg.MemorySize = *in.MemorySize
	}
	if len(in.Architectures) > 0 {
		cfg.Architectures = in.Architectures
	}
	if in.EphemeralStorage != nil {
		cfg.EphemeralStorage = in.EphemeralStorage
	}
	if e := validateConfig(cfg); e != nil {
		return 0, nil, e
	}
	if e := checkTags(nil, in.Tags); e != nil {
		return 0, nil, e
	}
	if isImage {
		return c.createImageFunction(r, cfg, in)
	}
	code, e := c.code(in.Code)
	if e != nil {
		return 0, nil, e
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	c.settle()
	if _, ok := c.functions[in.FunctionName]; ok {
		return 0, nil, errConflict("Function already exist: " + in.FunctionName)
	}
	layers, e := c.layerRefs(in.Layers)
	if e != nil {
		return 0, nil, e
	}
	cfg.Layers = layers
	if e := c.checkUnzipped(code, layers); e != nil {
		return 0, nil, e
	}
	f := &function{tags: map[string]string{}}
	maps.Copy(f.tags, in.Tags)
	f.cfg = cfg
	c.setCode(f, code)
	f.cfg.State, f.cfg.StateReason, f.cfg.StateReasonCode = "Pending", "The function is being created.", "Creating"
	f.cfg.LastUpdateStatus = "InProgress"
	c.touch(f)
	c.functions[in.FunctionName] = f
	return http.StatusCreated, f.cfg, nil
}

func validateConfig(cfg functionConfiguration) *Error {
	switch {
	case cfg.MemorySize < 128 || cfg.MemorySize > 10240:
		return errValidation(fmt.Sprintf("Value '%d' at 'memorySize' failed to satisfy constraint: Member must have value between 128 and 10240", cfg.MemorySize))
	case cfg.Timeout < 1 || cfg.Timeout > 900:
		return errValidation(fmt.Sprintf("Value '%d' at 'timeout' failed to satisfy constraint: Member must have value between 1 and 900", cfg.Timeout))
	case cfg.EphemeralStorage != nil && (cfg.EphemeralStorage.Size < 512 || cfg.EphemeralStorage.Size > 10240):
		return errValidation(fmt.Sprintf("Value '%d' at 'ephemeralStorage.size' failed to satisfy constraint: Member must have value between 512 and 10240", cfg.EphemeralStorage.Size))
	case len(cfg.Architectures) != 1 || (cfg.Architectures[0] != "x86_64" && cfg.Architectures[0] != "arm64"):
		return errValidation(fmt.Sprintf("Value '%v' at 'architectures' failed to satisfy constraint: Member must have length 1 and be x86_64 or arm64", cfg.Architectures))
	}
	return nil
}

// code reads a zip sent inline or from S3, and checks it is one.
func (c *Cloud) code(in codeInput) ([]byte, *Error) {
	data := in.ZipFile
	switch {
	case in.ImageUri != "":
		return nil, errInvalid("fakeaws does not run images")
	case in.S3Bucket != "" || in.S3Key != "":
		obj, err := c.s3.GetObject(in.S3Bucket, in.S3Key, nil)
		if err != nil {
			return nil, errInvalid(fmt.Sprintf("Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist. (bucket %s, key %s)", in.S3Bucket, in.S3Key))
		}
		data, err = io.ReadAll(obj.Contents)
		obj.Contents.Close()
		if err != nil {
			return nil, errInvalid("Error occurred while GetObject: " + err.Error())
		}
	case len(data) == 0:
		return nil, errInvalid("Please provide a source for function code.")
	}
	if _, err := zip.NewReader(bytes.NewReader(data), int64(len(data))); err != nil {
		return nil, errInvalid("Could not unzip uploaded file. Please check your file, then try to upload again.")
	}
	return data, nil
}

func unzippedSize(data []byte) int64 {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return 0
	}
	var n int64
	for _, f := range zr.File {
		n += int64(f.UncompressedSize64)
	}
	return n
}

// layerRefs resolves layer version ARNs. Called with c.mu held.
func (c *Cloud) layerRefs(arns []string) ([]layerRef, *Error) {
	if len(arns) > maxLayers {
		return nil, errInvalid(fmt.Sprintf("Cannot reference more than %d layers.", maxLayers))
	}
	var refs []layerRef
	for _, a := range arns {
		lv := c.layerVersion(a)
		if lv == nil {
			return nil, errInvalid(fmt.Sprintf("Layer version %s does not exist.", a))
		}
		refs = append(refs, layerRef{Arn: a, CodeSize: lv.Content.CodeSize})
	}
	return refs, nil
}

func (c *Cloud) layerVersion(arn string) *layerVersion {
	i := strings.LastIndexByte(arn, ':')
	if i < 0 {
		return nil
	}
	n, err := strconv.ParseInt(arn[i+1:], 10, 64)
	if err != nil {
		return nil
	}
	name := arn[:i]
	name = name[strings.LastIndexByte(name, ':')+1:]
	vs := c.layers[name]
	if n < 1 || int(n) > len(vs) || vs[n-1].LayerVersionArn != arn {
		return nil
	}
	return vs[n-1]
}

// checkUnzipped applies Lambda's limit on the function code plus its layers, unzipped.
func (c *Cloud) checkUnzipped(code []byte, layers []layerRef) *Error {
	total := unzippedSize(code)
	for _, l := range layers {
		total += c.layerVersion(l.Arn).unzipped
	}
	if total > unzippedMax {
		return errInvalid(fmt.Sprintf("Function code combined with layers exceeds the maximum allowed size of %d bytes. The actual size is %d bytes.", unzippedMax, total))
	}
	return nil
}

// setCode stores code and its digests. Called with c.mu held.
func (c *Cloud) setCode(f *function, code []byte) {
	f.code = code
	sum := sha256.Sum256(code)
	f.cfg.CodeSha256 = base64.StdEncoding.EncodeToString(sum[:])
	f.cfg.CodeSize = int64(len(code))
	c.blobs[hex.EncodeToString(sum[:])] = code
}

// touch marks a change: new revision, modification time, and the settling deadline.
func (c *Cloud) touch(f *function) {
	f.cfg.RevisionId = newID()
	f.cfg.LastModified = c.now().UTC().Format("2006-01-02T15:04:05.000+0000")
	f.settleAt = c.now().Add(c.Settle)
}

// updatable checks that a function may be updated now: it exists, no update is in progress, and
// the caller's revision (when given) is the current one. Called with c.mu held.
func (c *Cloud) updatable(name, revision string) (*function, *Error) {
	f, ok := c.functions[name]
	if !ok {
		return nil, c.notFound(name)
	}
	if f.cfg.State == "Pending" {
		return nil, errConflict("The operation cannot be performed at this time. The function is currently in the following state: Pending")
	}
	if f.cfg.LastUpdateStatus == "InProgress" {
		return nil, errConflict("The operation cannot be performed at this time. An update is in progress for resource: " + f.cfg.FunctionArn)
	}
	if revision != "" && revision != f.cfg.RevisionId {
		return nil, errPrecondition()
	}
	return f, nil
}

type updateCodeInput struct {
	codeInput
	RevisionId    string   `json:"RevisionId"`
	Architectures []string `json:"Architectures"`
}

func (c *Cloud) updateFunctionCode(r *http.Request, name string) (int, any, *Error) {
	var in updateCodeInput
	if e := decode(r, &in); e != nil {
		return 0, nil, e
	}
	if in.ImageUri != "" {
		return c.updateImageCode(r, name, in)
	}
	code, e := c.code(in.codeInput)
	if e != nil {
		return 0, nil, e
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.settle()
	f, e := c.updatable(name, in.RevisionId)
	if e != nil {
		return 0, nil, e
	}
	if f.cfg.PackageType == "Image" {
		return 0, nil, errInvalid("Please provide ImageUri when updating a function with packageType Image.")
	}
	if e := c.checkUnzipped(code, f.cfg.Layers); e != nil {
		return 0, nil, e
	}
	if len(in.Architectures) > 0 {
		f.cfg.Architectures = in.Architectures
	}
	c.setCode(f, code)
	f.cfg.LastUpdateStatus = "InProgress"
	c.touch(f)
	return http.StatusOK, f.cfg, nil
}

type updateConfigInput struct {
	RevisionId       string            `json:"RevisionId"`
	Role             *string           `json:"Role"`
	Runtime          *string           `json:"Runtime"`
	Handler          *string           `json:"Handler"`
	Description      *string           `json:"Description"`
	Timeout          *int32            `json:"Timeout"`
	MemorySize       *int32            `json:"MemorySize"`
	Layers           []string          `json:"Layers"`
	EphemeralStorage *ephemeralStorage `json:"EphemeralStorage"`
}

func (c *Cloud) updateFunctionConfiguration(r *http.Request, name string) (int, any, *Error) {
	var in updateConfigInput
	if e := decode(r, &in); e != nil {
		return 0, nil, e
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.settle()
	f, e := c.updatable(name, in.RevisionId)
	if e != nil {
		return 0, nil, e
	}
	cfg := f.cfg
	if in.Role != nil {
		if !slices.Contains(c.Roles, *in.Role) {
			return 0, nil, errInvalid("The role defined for the function cannot be assumed by Lambda.")
		}
		cfg.Role = *in.Role
	}
	if in.Runtime != nil {
		if !runtimePattern.MatchString(*in.Runtime) {
			return 0, nil, errInvalid(fmt.Sprintf("Value %s at 'runtime' failed to satisfy constraint: Member must satisfy enum value set", *in.Runtime))
		}
		cfg.Runtime = *in.Runtime
	}
	if in.Handler != nil {
		cfg.Handler = *in.Handler
	}
	if in.Description != nil {
		cfg.Description = *in.Description
	}
	if in.Timeout != nil {
		cfg.Timeout = *in.Timeout
	}
	if in.MemorySize != nil {
		cfg.MemorySize = *in.MemorySize
	}
	if in.EphemeralStorage != nil {
		cfg.EphemeralStorage = in.EphemeralStorage
	}
	if in.Layers != nil {
		layers, e := c.layerRefs(in.Layers)
		if e != nil {
			return 0, nil, e
		}
		if e := c.checkUnzipped(f.code, layers); e != nil {
			return 0, nil, e
		}
		cfg.Layers = layers
	}
	if e := validateConfig(cfg); e != nil {
		return 0, nil, e
	}
	f.cfg = cfg
	f.cfg.LastUpdateStatus = "InProgress"
	c.touch(f)
	return http.StatusOK, f.cfg, nil
}

func (c *Cloud) deleteFunction(r *http.Request, name string) (int, any, *Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.functions[name]; !ok {
		return 0, nil, c.notFound(name)
	}
	delete(c.functions, name)
	return http.StatusNoContent, nil, nil
}

func (c *Cloud) tagResource(r *http.Request, name string) (int, any, *Error) {
	var in struct {
		Tags map[string]string `json:"Tags"`
	}
	if e := decode(r, &in); e != nil {
		return 0, nil, e
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.functions[name]
	if !ok {
		return 0, nil, c.notFound(name)
	}
	if e := checkTags(f.tags, in.Tags); e != nil {
		return 0, nil, e
	}
	maps.Copy(f.tags, in.Tags)
	return http.StatusNoContent, nil, nil
}

func (c *Cloud) publishLayerVersion(r *http.Request, name string) (int, any, *Error) {
	var in struct {
		Content                 codeInput `json:"Content"`
		Description             string    `json:"Description"`
		CompatibleRuntimes      []string  `json:"CompatibleRuntimes"`
		CompatibleArchitectures []string  `json:"CompatibleArchitectures"`
	}
	if e := decode(r, &in); e != nil {
		return 0, nil, e
	}
	if !layerNamePattern.MatchString(name) {
		return 0, nil, errValidation(fmt.Sprintf("Value '%s' at 'layerName' failed to satisfy constraint", name))
	}
	for _, rt := range in.CompatibleRuntimes {
		if !runtimePattern.MatchString(rt) {
			return 0, nil, errValidation(fmt.Sprintf("Value '[%s]' at 'compatibleRuntimes' failed to satisfy constraint: Member must satisfy enum value set", rt))
		}
	}
	code, e := c.code(in.Content)
	if e != nil {
		return 0, nil, e
	}
	unz := unzippedSize(code)
	if unz > unzippedMax {
		return 0, nil, errInvalid(fmt.Sprintf("Unzipped size must be smaller than %d bytes", unzippedMax))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	lv := &layerVersion{
		LayerArn:    c.arn("layer", name),
		Version:     int64(len(c.layers[name]) + 1),
		Description: in.Description, CompatibleRuntimes: in.CompatibleRuntimes, CompatibleArchitectures: in.CompatibleArchitectures,
		CreatedDate: c.now().UTC().Format("2006-01-02T15:04:05.000+0000"),
		unzipped:    unz, zip: code,
	}
	lv.LayerVersionArn = fmt.Sprintf("%s:%d", lv.LayerArn, lv.Version)
	sum := sha256.Sum256(code)
	lv.Content.CodeSha256 = base64.StdEncoding.EncodeToString(sum[:])
	lv.Content.CodeSize = int64(len(code))
	lv.Content.Location = c.Lambda.URL + "/_fake/code/" + hex.EncodeToString(sum[:])
	c.blobs[hex.EncodeToString(sum[:])] = code
	c.layers[name] = append(c.layers[name], lv)
	return http.StatusCreated, lv, nil
}

func (c *Cloud) listLayerVersions(r *http.Request, name string) (int, any, *Error) {
	max := 50
	if s := r.URL.Query().Get("MaxItems"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 50 {
			return 0, nil, errValidation("Value at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 50")
		}
		max = n
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	vs := c.layers[name]
	items := []map[string]any{}
	for i := len(vs) - 1; i >= 0 && len(items) < max; i-- {
		v := vs[i]
		items = append(items, map[string]any{
			"LayerVersionArn": v.LayerVersionArn, "Version": v.Version, "Description": v.Description,
			"CreatedDate": v.CreatedDate, "CompatibleRuntimes": v.CompatibleRuntimes, "CompatibleArchitectures": v.CompatibleArchitectures,
		})
	}
	out := map[string]any{"LayerVersions": items}
	if len(vs) > max {
		out["NextMarker"] = strconv.Itoa(len(vs) - max)
	}
	return http.StatusOK, out, nil
}

func (c *Cloud) getLayerVersion(r *http.Request, name string) (int, any, *Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	lv := c.layerVersion(c.arn("layer", name) + ":" + r.PathValue("version"))
	if lv == nil {
		return 0, nil, errNotFound("The resource you requested does not exist.")
	}
	return http.StatusOK, lv, nil
}

// invokeResponse is Invoke's answer: the payload with Lambda's headers.
type invokeResponse struct {
	status        int // 0: 200
	requestID     string
	payload       []byte
	functionError string
	logResult     string
}

func (ir *invokeResponse) write(w http.ResponseWriter) {
	w.Header().Set("X-Amzn-Requestid", ir.requestID)
	if ir.status == http.StatusAccepted || ir.status == http.StatusNoContent {
		w.WriteHeader(ir.status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amz-Executed-Version", "$LATEST")
	if ir.functionError != "" {
		w.Header().Set("X-Amz-Function-Error", ir.functionError)
	}
	if ir.logResult != "" {
		w.Header().Set("X-Amz-Log-Result", ir.logResult)
	}
	w.WriteHeader(http.StatusOK)
	w.Write(ir.payload)
}

// invoke runs the function's live code with the local host, as Lambda runs it: synchronously
// (RequestResponse), queued (Event: 202 at once, run in the background) or not at all (DryRun).
func (c *Cloud) invoke(r *http.Request, name string) (int, any, *Error) {
	event, err := io.ReadAll(r.Body)
	if err != nil {
		return 0, nil, errInvalid(err.Error())
	}
	invType := r.Header.Get("X-Amz-Invocation-Type")
	switch invType {
	case "", "RequestResponse", "Event", "DryRun":
	default:
		return 0, nil, errValidation(fmt.Sprintf("Value '%s' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]", invType))
	}
	c.mu.Lock()
	c.settle()
	f, ok := c.functions[name]
	if !ok {
		c.mu.Unlock()
		return 0, nil, c.notFound(name)
	}
	if f.cfg.State == "Pending" {
		c.mu.Unlock()
		return 0, nil, errConflict("The operation cannot be performed at this time. The function is currently in the following state: Pending")
	}
	run := c.liveRun(f)
	c.mu.Unlock()
	id := newID()
	switch invType {
	case "DryRun":
		return http.StatusNoContent, &invokeResponse{status: http.StatusNoContent, requestID: id}, nil
	case "Event":
		if len(event) > 0 && !json.Valid(event) {
			return 0, nil, &Error{http.StatusBadRequest, "InvalidRequestContentException", "Could not parse request body into json: the payload is not valid JSON"}
		}
		c.runAsync(run, name, id, event)
		return http.StatusAccepted, &invokeResponse{status: http.StatusAccepted, requestID: id}, nil
	}
	res, e := run(r.Context(), event)
	if e != nil {
		return 0, nil, e
	}
	ir := &invokeResponse{requestID: id, payload: res.payload, functionError: res.functionError}
	if r.Header.Get("X-Amz-Log-Type") == "Tail" {
		ir.logResult = base64.StdEncoding.EncodeToString(res.logTail)
	}
	return http.StatusOK, ir, nil
}

// invocation is what running a function gave.
type invocation struct {
	payload       []byte
	functionError string
	logTail       []byte
}

// liveRun returns how to run what the function runs now (its live code, or image). Called with
// c.mu held.
func (c *Cloud) liveRun(f *function) func(ctx context.Context, event []byte) (*invocation, *Error) {
	cfg, code := f.live, f.liveCode
	if cfg.PackageType == "Image" {
		img := f.liveImage
		return func(ctx context.Context, event []byte) (*invocation, *Error) {
			return c.invokeImage(ctx, cfg, img, event)
		}
	}
	var layerZips [][]byte
	for _, l := range cfg.Layers {
		layerZips = append(layerZips, c.layerVersion(l.Arn).zip)
	}
	return func(ctx context.Context, event []byte) (*invocation, *Error) {
		codeDir, err := c.extract(ctx, code)
		if err != nil {
			return nil, ServiceError()
		}
		var layerDirs []string
		if c.RuntimePackages != "" {
			// The managed runtime's own packages come after the function's code and layers.
			layerDirs = append(layerDirs, c.RuntimePackages)
		}
		for _, z := range layerZips {
			d, err := c.extract(ctx, z)
			if err != nil {
				return nil, ServiceError()
			}
			layerDirs = append(layerDirs, d)
		}
		res, err := c.host.Invoke(ctx, local.Function{
			Name: cfg.FunctionName, CodeDir: codeDir, LayerDirs: layerDirs, Handler: cfg.Handler,
			Python: strings.TrimPrefix(cfg.Runtime, "python"), MemoryMB: int(cfg.MemorySize),
			Timeout: time.Duration(cfg.Timeout) * time.Second, Convention: local.Lambda, Env: c.sandboxEnv(),
		}, event)
		if err != nil {
			return nil, &Error{http.StatusBadGateway, "ServiceException", err.Error()}
		}
		return &invocation{payload: res.Payload, functionError: res.FunctionError, logTail: res.LogTail}, nil
	}
}

// extract unpacks a zip once into the cache, by content.
func (c *Cloud) extract(ctx context.Context, data []byte) (string, error) {
	c.extractMu.Lock()
	defer c.extractMu.Unlock()
	sha := hexSHA(data)
	c.mu.Lock()
	dir, ok := c.extracted[sha]
	c.mu.Unlock()
	if ok {
		return dir, nil
	}
	dir = filepath.Join(c.cache, sha)
	zipPath := dir + ".zip"
	if err := os.WriteFile(zipPath, data, 0o644); err != nil {
		return "", err
	}
	if err := zipbundle.Extract(ctx, zipPath, dir); err != nil {
		return "", err
	}
	c.mu.Lock()
	c.extracted[sha] = dir
	c.mu.Unlock()
	return dir, nil
}

func hexSHA(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func newID() string {
	var b [16]byte
	rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
