package fakealiyun

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
)

// Error is an error response: HTTP status, error code and message. Each API writes it in its own
// shape: FC 3.0 as JSON {"Code", "Message", "RequestId"}, FC 2.0 as JSON {"ErrorCode",
// "ErrorMessage"} with the request ID in X-Fc-Request-Id, OSS as XML <Error><Code>...</Error>
// (for HEAD, base64 in the x-oss-err header, as OSS does).
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// Throttle is Function Compute's answer when the account's concurrency is exhausted.
func Throttle() *Error {
	return &Error{http.StatusTooManyRequests, "ResourceExhausted", "Resources exhausted: the concurrency limit is exceeded"}
}

// InternalError is a service's 500.
func InternalError() *Error {
	return &Error{http.StatusInternalServerError, "InternalServerError", "an internal error has occurred. Please retry."}
}

func errInvalid(format string, args ...any) *Error {
	return &Error{http.StatusBadRequest, "InvalidArgument", fmt.Sprintf(format, args...)}
}

func errTooLarge(limit int64) *Error {
	return &Error{http.StatusRequestEntityTooLarge, "EntityTooLarge", fmt.Sprintf("payload size exceeds maximum allowed size (%d bytes)", limit)}
}

// ossEC is the EC (error detail code) OSS sends with some errors.
var ossEC = map[string]string{
	"NoSuchBucket":        "0015-00000101",
	"NoSuchKey":           "0026-00000001",
	"BucketAlreadyExists": "0015-00000104",
	"BucketNotEmpty":      "0015-00000301",
}

type ossError struct {
	XMLName    xml.Name `xml:"Error"`
	Code       string   `xml:"Code"`
	Message    string   `xml:"Message"`
	RequestID  string   `xml:"RequestId"`
	HostID     string   `xml:"HostId"`
	BucketName string   `xml:"BucketName,omitempty"`
	Key        string   `xml:"Key,omitempty"`
	EC         string   `xml:"EC,omitempty"`
}

func (e *Error) write(w http.ResponseWriter, r *http.Request, api, requestID string) {
	switch api {
	case APIOSS:
		bucket, key := ossPath(r)
		body := ossError{Code: e.Code, Message: e.Message, RequestID: requestID, HostID: r.Host, EC: ossEC[e.Code]}
		if e.Code == "NoSuchBucket" {
			body.BucketName = bucket
		}
		if e.Code == "NoSuchKey" {
			body.Key = key
		}
		data, _ := xml.MarshalIndent(body, "", "  ")
		data = append([]byte(xml.Header), data...)
		w.Header().Set("Content-Type", "application/xml")
		if body.EC != "" {
			w.Header().Set("x-oss-ec", body.EC)
		}
		if r.Method == http.MethodHead {
			w.Header().Set("x-oss-err", base64.StdEncoding.EncodeToString(data))
			w.WriteHeader(e.Status)
			return
		}
		w.WriteHeader(e.Status)
		w.Write(data)
	case APIFC2:
		writeJSON(w, e.Status, map[string]string{"ErrorCode": e.Code, "ErrorMessage": e.Message})
	default:
		writeJSON(w, e.Status, map[string]string{"Code": e.Code, "Message": e.Message, "RequestId": requestID})
	}
}

func setRequestID(w http.ResponseWriter, api, id string) {
	if api == APIOSS {
		w.Header().Set("x-oss-request-id", id)
		return
	}
	w.Header().Set("X-Fc-Request-Id", id)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func newID() string {
	var b [16]byte
	rand.Read(b[:])
	h := strings.ToUpper(hex.EncodeToString(b[:]))
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
