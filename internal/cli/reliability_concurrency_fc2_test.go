package cli

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakealiyun"
)

// FC 2.0's UpdateFunction and DeleteFunction take If-Match with the function's ETag: the tests
// here make another deployment change the function in the very moment before this run's own
// update or restore reaches FC, after every read this run could make; only the condition can
// tell.

const (
	fc2Service = "lithops_ltai"
	fc2Runtime = "default-runtime-v310"
)

// fc2OtherDeploymentBefore makes another deployment change the function (timeout 77) just before
// FC serves the nth UpdateFunction call of the run (1: Apply's, 2: a restore's), as if its update
// had landed right after this run's last read.
func fc2OtherDeploymentBefore(t *testing.T, d *fcDeploy, nth int32) func(api, op, target string) *fakealiyun.Error {
	var n atomic.Int32
	var once sync.Once
	return func(api, op, target string) *fakealiyun.Error {
		if api == fakealiyun.APIFC2 && op == "UpdateFunction" && n.Add(1) == nth {
			once.Do(func() {
				svc, fn, _ := strings.Cut(target, "/")
				if err := d.cloud.UpdateFunction2(svc, fn, func(f *fakealiyun.Function) { f.Timeout = 77 }); err != nil {
					t.Error(err)
				}
			})
		}
		return nil
	}
}

// TestFC2RestoreDoesNotOverwriteAnUpdateAfterItsRead: this run's smoke test fails; another
// deployment updates the function after the restore read it (it was still as this run left it)
// and before the restore's update. The restore, conditional on the ETag of this run's update, is
// refused: the newer update stays, and the run says so.
func TestFC2RestoreDoesNotOverwriteAnUpdateAfterItsRead(t *testing.T) {
	parallelOffline(t, fcWheels)
	d := newFCDeploy(t, "3.6.0", "3.10", "--memory", "256")
	if s := d.run(t); s.code != 0 {
		t.Fatalf("first deploy: exit %d\n%s", s.code, s.stderr.String())
	}
	fn := fcName(fc2Runtime, 256, "3.6.0")
	before, _ := d.cloud.Function2(fc2Service, fn)
	useWheels(t, fcRaisingWheels)
	d.cloud.Fault = fc2OtherDeploymentBefore(t, d, 2)
	s := d.run(t)
	if s.code != 1 {
		t.Fatalf("failing runtime: exit %d\n%s", s.code, s.stderr.String())
	}
	wantLines(t, "the failing run", s.stderr.String(), "smoke test", "another deployment changed it after this run did")
	st, _ := d.cloud.Function2(fc2Service, fn)
	if st.Config.Timeout != 77 {
		t.Errorf("the restore overwrote the other deployment's newer update: timeout %d", st.Config.Timeout)
	}
	if st.Config.CodeChecksum == before.Config.CodeChecksum {
		t.Errorf("the restore put the previous code back over the other deployment's update")
	}
}

// TestFC2UpdateDoesNotOverwriteAnUpdateSinceThePlan: another deployment updates the function
// after this run read it (Plan) and just before this run's update reaches FC. The update,
// conditional on the ETag Plan read, is refused: the run fails saying so, nothing of the other
// deployment's update is overwritten, and no metadata is written.
func TestFC2UpdateDoesNotOverwriteAnUpdateSinceThePlan(t *testing.T) {
	parallelOffline(t, fcWheels)
	d := newFCDeploy(t, "3.6.0", "3.10", "--memory", "256")
	if s := d.run(t); s.code != 0 {
		t.Fatalf("first deploy: exit %d\n%s", s.code, s.stderr.String())
	}
	fn := fcName(fc2Runtime, 256, "3.6.0")
	before, _ := d.cloud.Function2(fc2Service, fn)
	bucket := fcBucket("3.6.0", fakealiyun.DefaultRegion, fakealiyun.AccessKeyID, fakealiyun.DefaultAccountID)
	metaKey := "lithops.runtimes/aliyun_fc/3.6.0/" + fakealiyun.DefaultRegion + "/" + fc2Service + "/" + fn + ".meta.json"
	metaBefore, _ := d.cloud.Object(bucket, metaKey)

	writeFile(t, d.ws+"/requirements.txt", "acme-text-utils\nidna\n")
	d.cloud.Fault = fc2OtherDeploymentBefore(t, d, 1)
	s := d.run(t)
	if s.code != 1 {
		t.Fatalf("exit %d\n%s", s.code, s.stderr.String())
	}
	wantLines(t, "the run", s.stderr.String(), "the function changed since this run read it", "nothing of it was overwritten")
	st, _ := d.cloud.Function2(fc2Service, fn)
	if st.Config.Timeout != 77 || st.Config.CodeChecksum != before.Config.CodeChecksum {
		t.Errorf("the other deployment's update was overwritten: timeout %d, code changed %v", st.Config.Timeout, st.Config.CodeChecksum != before.Config.CodeChecksum)
	}
	if md, _ := d.cloud.Object(bucket, metaKey); string(md) != string(metaBefore) {
		t.Errorf("metadata rewritten by a run that deployed nothing:\n%s", md)
	}
}

// TestFC2UpdateWhoseAnswerWasLost: the update is served but its answer is lost; the retry finds
// the ETag changed, reads the function, sees this run's own code and configuration, and goes on.
func TestFC2UpdateWhoseAnswerWasLost(t *testing.T) {
	parallelOffline(t, fcWheels)
	d := newFCDeploy(t, "3.6.0", "3.10", "--memory", "256")
	if s := d.run(t); s.code != 0 {
		t.Fatalf("first deploy: exit %d\n%s", s.code, s.stderr.String())
	}
	writeFile(t, d.ws+"/requirements.txt", "acme-text-utils\nidna\n")
	var once sync.Once
	d.cloud.Fault = func(api, op, target string) *fakealiyun.Error {
		var e *fakealiyun.Error
		if op == "UpdateFunction" {
			once.Do(func() { e = fakealiyun.LostReply() })
		}
		return e
	}
	s := d.run(t)
	if s.code != 0 {
		t.Fatalf("exit %d\n%s", s.code, s.stderr.String())
	}
	if n := d.cloud.CountCalls("UpdateFunction"); n != 2 {
		t.Errorf("UpdateFunction answered %d times, want 2 (the lost one and its retry)", n)
	}
}
