package fakealiyun

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"hash/crc64"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"time"
)

// Function is a function's configuration as FC returns it (FC 3.0's Function, FC 2.0's function
// metadata: fields one API does not have are left empty and omitted).
type Function struct {
	FunctionID   string `json:"functionId"`
	FunctionName string `json:"functionName"`
	// FunctionArn is acs:fc:<region>:<account>:functions/<name> (FC 3.0).
	FunctionArn string `json:"functionArn,omitempty"`
	Description string `json:"description"`
	// Runtime is python3.9, python3.10, python3.12 or custom-container.
	Runtime string `json:"runtime"`
	Handler string `json:"handler,omitempty"`
	// MemorySize is in MB (default 128); Timeout in seconds (default 3).
	MemorySize int32 `json:"memorySize"`
	Timeout    int32 `json:"timeout"`
	// Role and InternetAccess are FC 3.0's (on FC 2.0 they belong to the service).
	Role           string `json:"role,omitempty"`
	InternetAccess *bool  `json:"internetAccess,omitempty"`
	// CodeSize is the zip's size; CodeChecksum its CRC-64/ECMA-182 in decimal.
	CodeSize             int64             `json:"codeSize"`
	CodeChecksum         string            `json:"codeChecksum"`
	EnvironmentVariables map[string]string `json:"environmentVariables,omitempty"`
	// CustomContainerConfig is kept and returned as the caller sent it.
	CustomContainerConfig json.RawMessage `json:"customContainerConfig,omitempty"`
	// State ("Pending", "Active") and LastUpdateStatus ("InProgress", "Successful") are FC 3.0's.
	State                      string `json:"state,omitempty"`
	StateReason                string `json:"stateReason,omitempty"`
	StateReasonCode            string `json:"stateReasonCode,omitempty"`
	LastUpdateStatus           string `json:"lastUpdateStatus,omitempty"`
	LastUpdateStatusReason     string `json:"lastUpdateStatusReason,omitempty"`
	LastUpdateStatusReasonCode string `json:"lastUpdateStatusReasonCode,omitempty"`
	CreatedTime                string `json:"createdTime"`
	LastModifiedTime           string `json:"lastModifiedTime"`
	// Tags are FC 3.0's: set by CreateFunction and TagResources (UpdateFunction takes none).
	Tags []Tag `json:"tags,omitempty"`
}

// FunctionState is a deployed function as a test sees it: its configuration and code zip.
type FunctionState struct {
	Config Function
	Code   []byte
}

// function is one function: its configuration and code, and what invocations run meanwhile.
type function struct {
	cfg  Function
	code []byte
	// settleAt is when Pending/InProgress ends (FC 3.0).
	settleAt time.Time
	// live is what invocations run: the configuration and code before an update in progress.
	live     Function
	liveCode []byte
	// etag is FC 2.0's ETag header of the function, new with every change.
	etag string
}

func (f *function) state() FunctionState {
	cfg := f.cfg
	cfg.EnvironmentVariables = maps.Clone(cfg.EnvironmentVariables)
	cfg.CustomContainerConfig = slices.Clone(cfg.CustomContainerConfig)
	cfg.Tags = slices.Clone(cfg.Tags)
	return FunctionState{Config: cfg, Code: slices.Clone(f.code)}
}

// codeInput is FC's InputCodeLocation (FC 3.0) / Code (FC 2.0).
type codeInput struct {
	ZipFile       *string `json:"zipFile"`
	OssBucketName *string `json:"ossBucketName"`
	OssObjectName *string `json:"ossObjectName"`
	Checksum      *string `json:"checksum"`
}

// functionInput is the body of create and update, in both APIs (FC 2.0 sends no role or
// internetAccess).
type functionInput struct {
	FunctionName          *string           `json:"functionName"`
	Description           *string           `json:"description"`
	Runtime               *string           `json:"runtime"`
	Handler               *string           `json:"handler"`
	MemorySize            *int32            `json:"memorySize"`
	Timeout               *int32            `json:"timeout"`
	Role                  *string           `json:"role"`
	InternetAccess        *bool             `json:"internetAccess"`
	Code                  *codeInput        `json:"code"`
	EnvironmentVariables  map[string]string `json:"environmentVariables"`
	CustomContainerConfig json.RawMessage   `json:"customContainerConfig"`
	// Tags are taken by FC 3.0's CreateFunction only.
	Tags []Tag `json:"tags"`
}

// apply sets what the input gives.
func (in *functionInput) apply(cfg *Function) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&cfg.Description, in.Description)
	set(&cfg.Runtime, in.Runtime)
	set(&cfg.Handler, in.Handler)
	set(&cfg.Role, in.Role)
	if in.MemorySize != nil {
		cfg.MemorySize = *in.MemorySize
	}
	if in.Timeout != nil {
		cfg.Timeout = *in.Timeout
	}
	if in.InternetAccess != nil {
		v := *in.InternetAccess
		cfg.InternetAccess = &v
	}
	if in.EnvironmentVariables != nil {
		cfg.EnvironmentVariables = maps.Clone(in.EnvironmentVariables)
	}
	if len(in.CustomContainerConfig) > 0 && string(in.CustomContainerConfig) != "null" {
		cfg.CustomContainerConfig = slices.Clone(in.CustomContainerConfig)
	}
}

var (
	// namePattern is FC's rule for service and function names.
	namePattern = regexp.MustCompile(`^[_a-zA-Z][-_a-zA-Z0-9]{0,127}$`)
	// pythonRuntimes are the runtimes the fake runs.
	pythonRuntimes = []string{"python3.9", "python3.10", "python3.12"}
)

const customContainer = "custom-container"

// validate checks a function's configuration as FC does. roleChecked is false on FC 2.0, where
// the role is the service's.
func (c *Cloud) validate(cfg Function, roleChecked bool) *Error {
	switch {
	case !namePattern.MatchString(cfg.FunctionName):
		return errInvalid("invalid function name %q: it must start with a letter or underscore and contain only letters, digits, underscores and hyphens, at most 128 characters", cfg.FunctionName)
	case cfg.Runtime == customContainer && len(cfg.CustomContainerConfig) == 0:
		return errInvalid("customContainerConfig is required when runtime is custom-container")
	case cfg.Runtime != customContainer && !slices.Contains(pythonRuntimes, cfg.Runtime):
		return errInvalid("invalid runtime %q: the runtimes this fake accepts are %v and custom-container", cfg.Runtime, pythonRuntimes)
	case cfg.Runtime != customContainer && cfg.Handler == "":
		return errInvalid("handler is required for runtime %s", cfg.Runtime)
	case cfg.MemorySize < 128 || cfg.MemorySize > 32768 || cfg.MemorySize%64 != 0:
		return errInvalid("invalid memorySize %d: it must be between 128 and 32768 MB and a multiple of 64 MB", cfg.MemorySize)
	case cfg.Timeout < 1 || cfg.Timeout > 86400:
		return errInvalid("invalid timeout %d: it must be between 1 and 86400 seconds", cfg.Timeout)
	case roleChecked && cfg.Role != "" && !slices.Contains(c.Roles, cfg.Role):
		return c.errRole(cfg.Role)
	}
	return nil
}

func (c *Cloud) errRole(role string) *Error {
	return errInvalid("role %q cannot be assumed by Function Compute: it does not exist in account %s or does not trust fc.aliyuncs.com", role, c.AccountID)
}

// readBody reads a request body up to the request limit.
func (c *Cloud) readBody(r *http.Request) ([]byte, *Error) {
	if r.ContentLength > c.requestMax {
		return nil, errTooLarge(c.requestMax)
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, c.requestMax+1))
	if err != nil {
		return nil, errInvalid("reading the request body: %v", err)
	}
	if int64(len(data)) > c.requestMax {
		return nil, errTooLarge(c.requestMax)
	}
	return data, nil
}

// bodyName peeks at a create request's body for the name it creates (the call's target), and
// leaves the body for the handler to read.
func (c *Cloud) bodyName(r *http.Request, field string) string {
	data, err := io.ReadAll(io.LimitReader(r.Body, c.requestMax+1))
	r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(data), r.Body))
	if err != nil {
		return ""
	}
	var m map[string]json.RawMessage
	var name string
	if json.Unmarshal(data, &m) != nil || json.Unmarshal(m[field], &name) != nil {
		return ""
	}
	return name
}

// decode reads a JSON request body.
func (c *Cloud) decode(r *http.Request, v any) *Error {
	data, e := c.readBody(r)
	if e != nil {
		return e
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return errInvalid("invalid JSON in the request body: %v", err)
	}
	return nil
}

// code reads the function code sent inline or from OSS and checks it as FC does.
func (c *Cloud) code(in *codeInput) ([]byte, *Error) {
	var data []byte
	switch {
	case in.ZipFile != nil && *in.ZipFile != "":
		var err error
		data, err = base64.StdEncoding.DecodeString(*in.ZipFile)
		if err != nil {
			return nil, errInvalid("code.zipFile is not valid base64: %v", err)
		}
	case in.OssBucketName != nil || in.OssObjectName != nil:
		bucket, key := deref(in.OssBucketName), deref(in.OssObjectName)
		obj, ok := c.Object(bucket, key)
		if !ok {
			return nil, errInvalid("failed to get the code from OSS: bucket %q, object %q: NoSuchKey or NoSuchBucket: upload the code there first, in region %s", bucket, key, c.Region)
		}
		data = obj
	default:
		return nil, errInvalid("code is required: set code.zipFile or code.ossBucketName and code.ossObjectName")
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, errInvalid("the code is not a valid zip file: %v", err)
	}
	var unzipped int64
	for _, f := range zr.File {
		unzipped += int64(f.UncompressedSize64)
	}
	if unzipped > c.unzippedMax {
		return nil, errInvalid("the code package unzips to %d bytes, which exceeds the limit of %d bytes", unzipped, c.unzippedMax)
	}
	if in.Checksum != nil && *in.Checksum != "" && *in.Checksum != checksum(data) {
		return nil, errInvalid("code checksum mismatch: you gave %s, the code's CRC-64 is %s", *in.Checksum, checksum(data))
	}
	return data, nil
}

// setCode stores the code and its size and checksum.
func setCode(f *function, code []byte) {
	f.code = code
	f.cfg.CodeSize = int64(len(code))
	f.cfg.CodeChecksum = checksum(code)
}

var crcTable = crc64.MakeTable(crc64.ECMA)

// checksum is FC's codeChecksum (and OSS's x-oss-hash-crc64ecma): the CRC-64/ECMA-182 in decimal.
func checksum(b []byte) string {
	return strconv.FormatUint(crc64.Checksum(b, crcTable), 10)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func boolPtr(b bool) *bool { return &b }
