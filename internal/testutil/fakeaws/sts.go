package fakeaws

import (
	"fmt"
	"net/http"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakeecr"
)

// serveSTS answers STS calls through STSFault and records them.
func (c *Cloud) serveSTS(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	op := r.PostForm.Get("Action")
	status, dropped := fakeecr.Inject(w, r, decide(c.STSFault, op, ""), c.answerSTS, writeSTSFault)
	c.record(Call{Service: "sts", Op: op, Status: status, Dropped: dropped})
}

// answerSTS answers GetCallerIdentity (STS's query protocol, XML).
func (c *Cloud) answerSTS(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.PostForm.Get("Action") != "GetCallerIdentity" {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>Could not find operation</Message></Error><RequestId>fake</RequestId></ErrorResponse>`)
		return
	}
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

// recordS3 serves S3 requests with gofakes3 through S3Fault, and records them as calls.
func (c *Cloud) recordS3(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status, dropped := fakeecr.Inject(w, r, decide(c.S3Fault, r.Method, r.URL.Path), next.ServeHTTP, writeS3Fault)
		c.record(Call{Service: "s3", Op: r.Method, Target: r.URL.Path, Status: status, Dropped: dropped})
	})
}
