package fakeaws

import (
	"fmt"
	"net/http"
)

// serveSTS answers GetCallerIdentity (STS's query protocol, XML).
func (c *Cloud) serveSTS(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.PostForm.Get("Action") != "GetCallerIdentity" {
		c.record(Call{Service: "sts", Op: r.PostForm.Get("Action"), Status: http.StatusBadRequest})
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>Could not find operation</Message></Error><RequestId>fake</RequestId></ErrorResponse>`)
		return
	}
	c.record(Call{Service: "sts", Op: "GetCallerIdentity", Status: http.StatusOK})
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::%s:user/ci-deployer</Arn>
    <UserId>%s</UserId>
    <Account>%s</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>`, Account, UserID, Account)
}

// recordS3 logs S3 requests as calls before gofakes3 serves them.
func (c *Cloud) recordS3(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		c.record(Call{Service: "s3", Op: r.Method, Target: r.URL.Path, Status: sw.status})
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}
