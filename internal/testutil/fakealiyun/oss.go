package fakealiyun

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// ossTime is how OSS formats times in XML. OSS keeps times to the second: the milliseconds are
// always .000, and the OSS SDKs (oss2's iso8601_to_unixtime) reject other values.
const ossTime = "2006-01-02T15:04:05.000Z"

// bucket is an OSS bucket and its objects.
type bucket struct {
	created time.Time
	objects map[string]*object
}

// object is an OSS object.
type object struct {
	data        []byte
	modified    time.Time
	contentType string
	etag        string // quoted upper-case hex MD5, as OSS sends it
}

var bucketPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)

// ossPath splits a path-style request path into bucket and key.
func ossPath(r *http.Request) (bucket, key string) {
	if b, ok := virtualHostBucket(r.Host); ok {
		return b, strings.TrimPrefix(r.URL.Path, "/")
	}
	bucket, key, _ = strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	return bucket, key
}

// virtualHostBucket reads the bucket of a virtual-hosted request, as OSS's own endpoints are
// addressed (<bucket>.oss-<region>[-internal].aliyuncs.com; the OSS SDKs' default), which reaches
// the fake through it as an HTTP proxy.
func virtualHostBucket(host string) (string, bool) {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	bucket, rest, ok := strings.Cut(host, ".")
	if !ok || !strings.HasPrefix(rest, "oss-") || !strings.HasSuffix(rest, ".aliyuncs.com") {
		return "", false
	}
	return bucket, true
}

func ossTarget(r *http.Request) string {
	b, k := ossPath(r)
	if k == "" {
		return b
	}
	return b + "/" + k
}

func (c *Cloud) ossHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op, h := c.ossRoute(r)
		c.serve(APIOSS, op, ossTarget, h)(w, r)
	})
}

// ossRoute tells the operation of a request, by method, path and query, as the OSS SDK sends it.
func (c *Cloud) ossRoute(r *http.Request) (string, handlerFunc) {
	b, key := ossPath(r)
	q := r.URL.Query()
	has := func(k string) bool { _, ok := q[k]; return ok }
	switch {
	case b == "":
		// ListBuckets and the like: not needed.
	case key == "" && r.Method == http.MethodPut && len(q) == 0:
		return "PutBucket", c.ossPutBucket
	case key == "" && r.Method == http.MethodGet && has("bucketInfo"):
		return "GetBucketInfo", c.ossGetBucketInfo
	case key == "" && r.Method == http.MethodGet && has("acl"):
		return "GetBucketAcl", c.ossGetBucketACL
	case key == "" && r.Method == http.MethodGet && q.Get("list-type") == "2":
		return "ListObjectsV2", c.ossList
	case key == "" && r.Method == http.MethodGet && !has("uploads") && !has("versions"):
		return "ListObjects", c.ossList
	case key == "" && r.Method == http.MethodDelete && len(q) == 0:
		return "DeleteBucket", c.ossDeleteBucket
	case key != "" && r.Method == http.MethodPut && len(q) == 0 && r.Header.Get("x-oss-copy-source") == "":
		return "PutObject", c.ossPutObject
	case key != "" && r.Method == http.MethodGet && len(q) == 0:
		return "GetObject", c.ossGetObject
	case key != "" && r.Method == http.MethodHead && has("objectMeta"):
		return "GetObjectMeta", c.ossGetObject
	case key != "" && r.Method == http.MethodHead && len(q) == 0:
		return "HeadObject", c.ossGetObject
	case key != "" && r.Method == http.MethodDelete && len(q) == 0:
		return "DeleteObject", c.ossDeleteObject
	}
	return "Unknown", func(http.ResponseWriter, *http.Request, string) (int, *Error) {
		return 0, &Error{http.StatusNotImplemented, "NotImplemented",
			fmt.Sprintf("%s %s is not implemented by the fake", r.Method, r.URL.RequestURI())}
	}
}

func errNoSuchBucket() *Error {
	return &Error{http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist."}
}

func errNoSuchKey() *Error {
	return &Error{http.StatusNotFound, "NoSuchKey", "The specified key does not exist."}
}

func writeXML(w http.ResponseWriter, v any) {
	data, _ := xml.MarshalIndent(v, "", "  ")
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusOK)
	w.Write([]byte(xml.Header))
	w.Write(data)
}

// owner is the bucket owner in OSS's XML.
type owner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

// bucketInfo is GetBucketInfo's answer.
type bucketInfo struct {
	XMLName xml.Name         `xml:"BucketInfo"`
	Bucket  bucketInfoBucket `xml:"Bucket"`
}

type bucketInfoBucket struct {
	Name               string `xml:"Name"`
	Location           string `xml:"Location"`
	CreationDate       string `xml:"CreationDate"`
	ExtranetEndpoint   string `xml:"ExtranetEndpoint"`
	IntranetEndpoint   string `xml:"IntranetEndpoint"`
	StorageClass       string `xml:"StorageClass"`
	DataRedundancyType string `xml:"DataRedundancyType"`
	Grant              string `xml:"AccessControlList>Grant"`
	Owner              owner  `xml:"Owner"`
}

func (c *Cloud) owner() owner { return owner{ID: c.AccountID, DisplayName: c.AccountID} }

func (c *Cloud) ossPutBucket(w http.ResponseWriter, r *http.Request, name string) (int, *Error) {
	if !bucketPattern.MatchString(name) {
		return 0, &Error{http.StatusBadRequest, "InvalidBucketName", "The specified bucket is not valid."}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.buckets[name]; ok {
		return 0, &Error{http.StatusConflict, "BucketAlreadyExists", "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again."}
	}
	c.buckets[name] = &bucket{created: c.now().UTC().Truncate(time.Second), objects: map[string]*object{}}
	w.Header().Set("Location", "/"+name)
	w.WriteHeader(http.StatusOK)
	return http.StatusOK, nil
}

func (c *Cloud) ossGetBucketInfo(w http.ResponseWriter, r *http.Request, name string) (int, *Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.buckets[name]
	if !ok {
		return 0, errNoSuchBucket()
	}
	writeXML(w, bucketInfo{Bucket: bucketInfoBucket{
		Name: name, Location: "oss-" + c.Region, CreationDate: b.created.Format(ossTime),
		ExtranetEndpoint: "oss-" + c.Region + ".aliyuncs.com", IntranetEndpoint: "oss-" + c.Region + "-internal.aliyuncs.com",
		StorageClass: "Standard", DataRedundancyType: "LRS", Grant: "private", Owner: c.owner(),
	}})
	return http.StatusOK, nil
}

func (c *Cloud) ossGetBucketACL(w http.ResponseWriter, r *http.Request, name string) (int, *Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.buckets[name]; !ok {
		return 0, errNoSuchBucket()
	}
	writeXML(w, struct {
		XMLName xml.Name `xml:"AccessControlPolicy"`
		Owner   owner    `xml:"Owner"`
		Grant   string   `xml:"AccessControlList>Grant"`
	}{Owner: c.owner(), Grant: "private"})
	return http.StatusOK, nil
}

// ossList is ListObjects and ListObjectsV2 with a prefix, without pagination or delimiters: all
// matching keys in one page.
func (c *Cloud) ossList(w http.ResponseWriter, r *http.Request, name string) (int, *Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.buckets[name]
	if !ok {
		return 0, errNoSuchBucket()
	}
	type content struct {
		Key          string `xml:"Key"`
		LastModified string `xml:"LastModified"`
		ETag         string `xml:"ETag"`
		Type         string `xml:"Type"`
		Size         int64  `xml:"Size"`
		StorageClass string `xml:"StorageClass"`
	}
	prefix := r.URL.Query().Get("prefix")
	var contents []content
	for _, k := range sortedKeys(b.objects) {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		o := b.objects[k]
		contents = append(contents, content{Key: k, LastModified: o.modified.Format(ossTime), ETag: o.etag,
			Type: "Normal", Size: int64(len(o.data)), StorageClass: "Standard"})
	}
	out := struct {
		XMLName     xml.Name  `xml:"ListBucketResult"`
		Name        string    `xml:"Name"`
		Prefix      string    `xml:"Prefix"`
		MaxKeys     int       `xml:"MaxKeys"`
		KeyCount    *int      `xml:"KeyCount,omitempty"`
		IsTruncated bool      `xml:"IsTruncated"`
		Contents    []content `xml:"Contents"`
	}{Name: name, Prefix: prefix, MaxKeys: max(1000, len(contents)), Contents: contents}
	if r.URL.Query().Get("list-type") == "2" {
		n := len(contents)
		out.KeyCount = &n
	}
	writeXML(w, out)
	return http.StatusOK, nil
}

func (c *Cloud) ossDeleteBucket(w http.ResponseWriter, r *http.Request, name string) (int, *Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.buckets[name]
	if !ok {
		return 0, errNoSuchBucket()
	}
	if len(b.objects) > 0 {
		return 0, &Error{http.StatusConflict, "BucketNotEmpty", "The bucket you tried to delete is not empty."}
	}
	delete(c.buckets, name)
	w.WriteHeader(http.StatusNoContent)
	return http.StatusNoContent, nil
}

func (c *Cloud) ossPutObject(w http.ResponseWriter, r *http.Request, target string) (int, *Error) {
	name, key, _ := strings.Cut(target, "/")
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return 0, &Error{http.StatusBadRequest, "IncompleteBody", "reading the request body: " + err.Error()}
	}
	sum := md5.Sum(data)
	if want := r.Header.Get("Content-MD5"); want != "" && want != base64.StdEncoding.EncodeToString(sum[:]) {
		return 0, &Error{http.StatusBadRequest, "InvalidDigest", "The Content-MD5 you specified was invalid."}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.buckets[name]
	if !ok {
		return 0, errNoSuchBucket()
	}
	o := &object{data: data, modified: c.now().UTC().Truncate(time.Second), contentType: r.Header.Get("Content-Type"),
		etag: `"` + strings.ToUpper(hex.EncodeToString(sum[:])) + `"`}
	if o.contentType == "" {
		o.contentType = "application/octet-stream"
	}
	b.objects[key] = o
	w.Header().Set("ETag", o.etag)
	w.Header().Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
	w.Header().Set("x-oss-hash-crc64ecma", checksum(data))
	w.WriteHeader(http.StatusOK)
	return http.StatusOK, nil
}

// ossGetObject is GetObject, HeadObject and GetObjectMeta, with ranges and conditions as
// http.ServeContent does them.
func (c *Cloud) ossGetObject(w http.ResponseWriter, r *http.Request, target string) (int, *Error) {
	name, key, _ := strings.Cut(target, "/")
	c.mu.Lock()
	b, ok := c.buckets[name]
	if !ok {
		c.mu.Unlock()
		return 0, errNoSuchBucket()
	}
	o, ok := b.objects[key]
	c.mu.Unlock()
	if !ok {
		return 0, errNoSuchKey()
	}
	h := w.Header()
	h.Set("ETag", o.etag)
	h.Set("Content-Type", o.contentType)
	h.Set("x-oss-hash-crc64ecma", checksum(o.data))
	h.Set("x-oss-object-type", "Normal")
	h.Set("x-oss-storage-class", "Standard")
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	http.ServeContent(sw, r, key, o.modified, bytes.NewReader(o.data))
	return sw.status, nil
}

func (c *Cloud) ossDeleteObject(w http.ResponseWriter, r *http.Request, target string) (int, *Error) {
	name, key, _ := strings.Cut(target, "/")
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.buckets[name]
	if !ok {
		return 0, errNoSuchBucket()
	}
	delete(b.objects, key) // OSS answers 204 for a key that does not exist, too
	w.WriteHeader(http.StatusNoContent)
	return http.StatusNoContent, nil
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// Object returns an OSS object's bytes.
func (c *Cloud) Object(bucketName, key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.buckets[bucketName]
	if !ok {
		return nil, false
	}
	o, ok := b.objects[key]
	if !ok {
		return nil, false
	}
	return slices.Clone(o.data), true
}

// Objects lists the keys of a bucket, sorted (nil when it does not exist).
func (c *Cloud) Objects(bucketName string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.buckets[bucketName]
	if !ok {
		return nil
	}
	return sortedKeys(b.objects)
}

// PutObject stores an object, creating the bucket if needed (for test setup).
func (c *Cloud) PutObject(bucketName, key string, data []byte) error {
	if !bucketPattern.MatchString(bucketName) {
		return fmt.Errorf("putting %s/%s: invalid bucket name %q", bucketName, key, bucketName)
	}
	if key == "" {
		return fmt.Errorf("putting %s/%s: empty key", bucketName, key)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.buckets[bucketName]
	if !ok {
		b = &bucket{created: c.now().UTC().Truncate(time.Second), objects: map[string]*object{}}
		c.buckets[bucketName] = b
	}
	sum := md5.Sum(data)
	b.objects[key] = &object{data: slices.Clone(data), modified: c.now().UTC().Truncate(time.Second), contentType: "application/octet-stream",
		etag: `"` + strings.ToUpper(hex.EncodeToString(sum[:])) + `"`}
	return nil
}
