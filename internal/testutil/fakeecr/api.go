package fakeecr

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// targetPrefix is the X-Amz-Target prefix of ECR operations.
const targetPrefix = "AmazonEC2ContainerRegistry_V20150921."

// contentType is the JSON 1.1 protocol's content type.
const contentType = "application/x-amz-json-1.1"

// repoName is ECR's pattern for repository names.
var repoName = regexp.MustCompile(`^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$`)

// apiError is an ECR error answer.
type apiError struct {
	status int
	typ    string
	msg    string
}

// apiHandler serves the ECR control plane.
func (e *ECR) apiHandler() http.Handler {
	serve := e.serveAPI()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
		Inject(w, r, e.countRequest(op, ""), serve, writeAPIFault)
	})
}

// writeAPIFault answers with an injected error as ECR does: throttling is a 400
// ThrottlingException, server errors a 500 ServerException.
func writeAPIFault(w http.ResponseWriter, f *Fault) {
	status, typ, msg := f.Status, f.Code, f.Message
	switch {
	case status == http.StatusTooManyRequests:
		status, typ, msg = http.StatusBadRequest, "ThrottlingException", "Rate exceeded"
	case status >= 500:
		status, typ, msg = http.StatusInternalServerError, "ServerException", "An internal error occurred. Try again."
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Amzn-ErrorType", typ)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
}

// serveAPI answers control-plane requests.
func (e *ECR) serveAPI() http.HandlerFunc {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
		var out any
		var aerr *apiError
		switch {
		case r.Method != http.MethodPost || r.URL.Path != "/":
			aerr = &apiError{http.StatusNotFound, "UnknownOperationException", "ECR operations are POST /"}
		case !ok:
			aerr = &apiError{http.StatusBadRequest, "UnknownOperationException", fmt.Sprintf("X-Amz-Target %q is not an ECR operation", r.Header.Get("X-Amz-Target"))}
		case !strings.HasPrefix(r.Header.Get("Content-Type"), contentType):
			aerr = &apiError{http.StatusBadRequest, "SerializationException", fmt.Sprintf("Content-Type %q is not %s", r.Header.Get("Content-Type"), contentType)}
		case !strings.Contains(r.Header.Get("Authorization"), "Credential="+AccessKeyID+"/"):
			aerr = &apiError{http.StatusBadRequest, "UnrecognizedClientException", "The security token included in the request is invalid."}
		default:
			e.mu.Lock()
			e.calls = append(e.calls, op)
			e.mu.Unlock()
			out, aerr = e.serveOp(op, r)
		}
		w.Header().Set("Content-Type", contentType)
		if aerr != nil {
			w.Header().Set("X-Amzn-ErrorType", aerr.typ)
			w.WriteHeader(aerr.status)
			_ = json.NewEncoder(w).Encode(map[string]string{"__type": aerr.typ, "message": aerr.msg})
			return
		}
		_ = json.NewEncoder(w).Encode(out)
	})
}

// serveOp answers one operation.
func (e *ECR) serveOp(op string, r *http.Request) (any, *apiError) {
	switch op {
	case "DescribeRepositories":
		var in struct {
			RepositoryNames []string `json:"repositoryNames"`
		}
		if err := decode(r, &in); err != nil {
			return nil, err
		}
		return e.describeRepositories(in.RepositoryNames)
	case "CreateRepository":
		var in struct {
			RepositoryName             string `json:"repositoryName"`
			ImageTagMutability         string `json:"imageTagMutability"`
			ImageScanningConfiguration *struct {
				ScanOnPush bool `json:"scanOnPush"`
			} `json:"imageScanningConfiguration"`
		}
		if err := decode(r, &in); err != nil {
			return nil, err
		}
		repo := Repository{Name: in.RepositoryName, TagMutability: in.ImageTagMutability}
		if in.ImageScanningConfiguration != nil {
			repo.ScanOnPush = in.ImageScanningConfiguration.ScanOnPush
		}
		return e.createRepository(repo)
	case "DescribeImages":
		var in struct {
			RepositoryName string `json:"repositoryName"`
		}
		if err := decode(r, &in); err != nil {
			return nil, err
		}
		return e.describeImages(in.RepositoryName)
	case "GetAuthorizationToken":
		return map[string]any{"authorizationData": []map[string]any{{
			"authorizationToken": base64.StdEncoding.EncodeToString([]byte(User + ":" + e.password)),
			"expiresAt":          time.Now().Add(TokenLifetime).Unix(),
			"proxyEndpoint":      e.Registry.URL,
		}}}, nil
	}
	return nil, &apiError{http.StatusBadRequest, "UnknownOperationException", fmt.Sprintf("fakeecr does not implement %s", op)}
}

// decode reads the JSON request body into v.
func decode(r *http.Request, v any) *apiError {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		return &apiError{http.StatusBadRequest, "SerializationException", "reading the request: " + err.Error()}
	}
	return nil
}

func (e *ECR) describeRepositories(names []string) (any, *apiError) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(names) == 0 {
		for n := range e.repos {
			names = append(names, n)
		}
	}
	repos := []map[string]any{}
	for _, n := range names {
		r, ok := e.repos[n]
		if !ok {
			return nil, &apiError{http.StatusBadRequest, "RepositoryNotFoundException",
				fmt.Sprintf("The repository with name '%s' does not exist in the registry with id '%s'", n, Account)}
		}
		repos = append(repos, e.repositoryJSON(r))
	}
	return map[string]any{"repositories": repos}, nil
}

func (e *ECR) createRepository(r Repository) (any, *apiError) {
	if len(r.Name) < 2 || len(r.Name) > 256 || !repoName.MatchString(r.Name) {
		return nil, &apiError{http.StatusBadRequest, "InvalidParameterException",
			fmt.Sprintf("Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '%s''", repoName)}
	}
	switch r.TagMutability {
	case "":
		r.TagMutability = "MUTABLE"
	case "MUTABLE", "IMMUTABLE":
	default:
		return nil, &apiError{http.StatusBadRequest, "InvalidParameterException", fmt.Sprintf("Invalid parameter at 'imageTagMutability': %q", r.TagMutability)}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.repos[r.Name]; ok {
		return nil, &apiError{http.StatusBadRequest, "RepositoryAlreadyExistsException",
			fmt.Sprintf("The repository with name '%s' already exists in the registry with id '%s'", r.Name, Account)}
	}
	r.URI = e.Host() + "/" + r.Name
	r.CreatedAt = time.Now()
	e.repos[r.Name] = r
	return map[string]any{"repository": e.repositoryJSON(r)}, nil
}

func (e *ECR) repositoryJSON(r Repository) map[string]any {
	return map[string]any{
		"repositoryArn":              fmt.Sprintf("arn:aws:ecr:%s:%s:repository/%s", Region, Account, r.Name),
		"registryId":                 Account,
		"repositoryName":             r.Name,
		"repositoryUri":              r.URI,
		"createdAt":                  r.CreatedAt.Unix(),
		"imageTagMutability":         r.TagMutability,
		"imageScanningConfiguration": map[string]bool{"scanOnPush": r.ScanOnPush},
	}
}
